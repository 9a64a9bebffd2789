#!/usr/bin/env node
// Code generator: AI Horde Swagger 2.0 contract -> zod 4 schemas + operation table.
//
//   node packages/sdk/scripts/codegen.mjs [--swagger PATH] [--out DIR]
//
// Defaults: --swagger ../shared/conformance/ai-horde-swagger.json (relative to the repo root, found from this
// script's location), --out packages/sdk/src/models/generated. Plain Node ESM, Node built-ins only.
//
// Also writes the document the emulator serves at /api/swagger.json (--emulator-out, default
// packages/emulator/src/generated/swagger-document.ts): the contract as the server serves it, see
// servedDocument() below.
//
// Writes known-values.ts (the open enums' known values, no imports), schemas.ts, operations.ts, rate-limits.ts,
// classes.ts (the plain request and response classes, see classes.mjs; their names are in names.mjs) and
// shortcuts.ts (the client's read methods, see shortcuts.mjs). The output is deterministic (source order of the contract,
// topologically sorted where a definition needs another one first; no timestamps), so `npm run codegen`
// on an unchanged contract gives byte-identical files (a test checks this).
//
// Rules (see the README next to the contract for the x-* extensions):
// - Every object is a `hordeObject` (src/models/strict.ts): unknown fields from the server are kept, not
//   rejected, unless strict validation is switched on (tests), which rejects them. One mechanism for both.
// - Every schema is `/* @__PURE__ */ lazySchema(() => …)` (src/models/lazy.ts): built on first use, so importing
//   the SDK builds none of them and a bundler drops the ones a page never uses.
// - allOf (one $ref + inline parts) becomes `Base.extend({...})`, which keeps that behaviour.
// - `required` fields are required; others are `.optional()`, or `.nullish()` in definitions reachable ONLY
//   from responses (flask-restx marshalling emits null for attributes an object does not have).
// - No `.default()`: parsing never injects values (runtime defaults differ from the swagger defaults).
//   The swagger defaults are exported as data (`swaggerDefaults`).
// - `format` is not enforced. Wildcard models (a property literally named `*`) become records.
// - Enums are closed unless listed in OPEN_ENUMS below.
// - Request bodies declared inline (no definition) are exported as `inlineBodySchemas` by operationId.
// - RESPONSE_FIXES below corrects response shapes the contract gets demonstrably wrong (marked in the output).
// - Cycles between definitions would use z.lazy (the current contract has none; such output is untested).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateClasses } from "./classes.mjs";
import { generateShortcuts } from "./shortcuts.mjs";

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(SCRIPT_DIR, "../../..");
const DEFAULT_SWAGGER = path.resolve(REPO_ROOT, "../shared/conformance/ai-horde-swagger.json");
const DEFAULT_OUT = path.resolve(REPO_ROOT, "packages/sdk/src/models/generated");
const DEFAULT_EMULATOR_OUT = path.resolve(REPO_ROOT, "packages/emulator/src/generated");

/**
 * Enums the server keeps extending. An open enum accepts any string at runtime, while its TypeScript type
 * keeps the known values for autocomplete (`"k_euler" | ... | (string & {})`). Closing them would make the
 * SDK reject responses (or block requests) as soon as the server adds a value, which it does regularly:
 * the 2026 contract added 23 rc codes, new post-processors and interrogation forms, `csam` as a generation
 * state and `aesthetic_score` as a metadata type compared with the 2024 one.
 *
 * Key: `Definition.property` (for an array property, the enum is on its items). Value: the exported constant
 * holding the known values (several properties may share one constant if their value lists are identical)
 * and why the list is open.
 */
const OPEN_ENUMS = {
  "RequestError.rc": { constName: "KNOWN_RC", why: "new return codes are added with every server feature" },
  "RequestSingleWarning.code": {
    constName: "KNOWN_WARNING_CODES",
    why: "warning codes are added as new request checks appear",
  },
  "Generation.state": { constName: "KNOWN_GENERATION_STATES", why: "`csam` was added; more states may come" },
  "ModelPayloadStyleStable.sampler_name": {
    constName: "KNOWN_SAMPLERS",
    why: "the sampler list follows the worker backend and grows",
  },
  "ModelStyleInputParamsStableNoDefaults.sampler_name": {
    constName: "KNOWN_SAMPLERS",
    why: "the sampler list follows the worker backend and grows",
  },
  "ModelPayloadStyleStable.post_processing": {
    constName: "KNOWN_POST_PROCESSORS",
    why: "upscalers and face fixers are added regularly",
  },
  "ModelStyleInputParamsStableNoDefaults.post_processing": {
    constName: "KNOWN_POST_PROCESSORS",
    why: "upscalers and face fixers are added regularly",
  },
  "ModelPayloadStyleStable.workflow": {
    constName: "KNOWN_WORKFLOWS",
    why: "new workflows are added over time",
  },
  "ModelStyleInputParamsStableNoDefaults.workflow": {
    constName: "KNOWN_WORKFLOWS",
    why: "new workflows are added over time",
  },
  "ModelPayloadRootStable.control_type": {
    constName: "KNOWN_CONTROL_TYPES",
    why: "ControlNet types follow the worker backend",
  },
  "ModelInterrogationFormStable.name": {
    constName: "KNOWN_INTERROGATION_FORMS",
    why: "interrogation forms (post-processors included) are added regularly",
  },
  "InterrogationPopInput.forms": {
    constName: "KNOWN_INTERROGATION_FORMS",
    why: "interrogation forms (post-processors included) are added regularly",
  },
  "InterrogationPopFormPayload.form": {
    constName: "KNOWN_INTERROGATION_FORMS",
    why: "interrogation forms (post-processors included) are added regularly",
  },
  "GenerationMetadataStable.type": {
    constName: "KNOWN_GENERATION_METADATA_TYPES_STABLE",
    why: "`aesthetic_score` was added; metadata kinds grow with worker features",
  },
  "GenerationMetadataStable.value": {
    constName: "KNOWN_GENERATION_METADATA_VALUES_STABLE",
    why: "metadata values grow with worker features",
  },
  "GenerationMetadataKobold.type": {
    constName: "KNOWN_GENERATION_METADATA_TYPES_KOBOLD",
    why: "metadata kinds grow with worker features",
  },
  "GenerationMetadataKobold.value": {
    constName: "KNOWN_GENERATION_METADATA_VALUES_KOBOLD",
    why: "metadata values grow with worker features",
  },
};

/**
 * Corrections to response declarations of the contract, applied to the operation table (the contract file
 * itself is never edited). Only for places where the contract demonstrably disagrees with what the server
 * sends; each entry is marked with a comment in the generated operations.ts. Keep this list short.
 */
const RESPONSE_FIXES = {
  get_users: {
    status: "200",
    array: true,
    why:
      "GET /v2/users returns a JSON array of UserDetails (paged, 25 per page; docs/server/directory.md#users says so, " +
      "and the horde-sdk corpus agrees), but the contract declares a single UserDetails",
  },
};

// ---------------------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const args = { swagger: DEFAULT_SWAGGER, out: DEFAULT_OUT, emulatorOut: DEFAULT_EMULATOR_OUT };
  const names = { "--swagger": "swagger", "--out": "out", "--emulator-out": "emulatorOut" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a in names) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      args[names[a]] = path.resolve(process.cwd(), v);
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(
        "usage: node packages/sdk/scripts/codegen.mjs [--swagger PATH] [--out DIR] [--emulator-out DIR]\n",
      );
      process.exit(0);
    } else {
      throw new Error(`unknown argument: ${a}`);
    }
  }
  return args;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"];
const REF_PREFIX = "#/definitions/";

function refName(ref) {
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref: ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

const lit = (v) => JSON.stringify(v);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : lit(k));

function num(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

/** All definition names a schema refers to (not following refs). */
function collectRefs(schema, out = new Set()) {
  if (schema === null || typeof schema !== "object") return out;
  if (Array.isArray(schema)) {
    for (const s of schema) collectRefs(s, out);
    return out;
  }
  if (typeof schema.$ref === "string") out.add(refName(schema.$ref));
  for (const k of ["items", "additionalProperties"]) {
    if (schema[k] && typeof schema[k] === "object") collectRefs(schema[k], out);
  }
  if (schema.properties) for (const p of Object.values(schema.properties)) collectRefs(p, out);
  if (schema.allOf) collectRefs(schema.allOf, out);
  return out;
}

function closure(defs, roots) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop();
    if (seen.has(n)) continue;
    if (!defs[n]) throw new Error(`$ref to unknown definition ${n}`);
    seen.add(n);
    for (const r of collectRefs(defs[n])) stack.push(r);
  }
  return seen;
}

function oneLine(text) {
  return String(text).replace(/\s+/g, " ").trim().replaceAll("*/", "*\\/");
}

// ---------------------------------------------------------------------------------------------------------
// Contract model

function loadContract(file) {
  const spec = JSON.parse(readFileSync(file, "utf8"));
  if (spec.swagger !== "2.0") throw new Error(`${file}: expected a Swagger 2.0 document`);
  const defs = spec.definitions ?? {};
  const ops = [];
  for (const [p, item] of Object.entries(spec.paths ?? {})) {
    const shared = item.parameters ?? [];
    for (const method of Object.keys(item)) {
      if (method === "parameters") continue;
      if (!HTTP_METHODS.includes(method)) throw new Error(`unsupported key ${method} in path ${p}`);
      const op = item[method];
      // operation-level parameters override path-level ones with the same name+in
      const params = [
        ...shared.filter((s) => !(op.parameters ?? []).some((o) => o.name === s.name && o.in === s.in)),
      ];
      params.push(...(op.parameters ?? []));
      ops.push({ path: p, method, op, params });
    }
  }
  const ids = new Set();
  for (const o of ops) {
    if (!o.op.operationId) throw new Error(`${o.method} ${o.path} has no operationId`);
    if (ids.has(o.op.operationId)) throw new Error(`duplicate operationId ${o.op.operationId}`);
    ids.add(o.op.operationId);
  }
  return { spec, defs, ops };
}

/** Normalise a definition into { base, props, required, description }. */
function normalise(name, def) {
  let base = null;
  const props = {};
  const required = new Set();
  const parts = def.allOf ? def.allOf : [def];
  for (const part of parts) {
    if (part.$ref) {
      if (base) throw new Error(`${name}: allOf with more than one $ref is not supported`);
      base = refName(part.$ref);
      continue;
    }
    if (part.type !== undefined && part.type !== "object") throw new Error(`${name}: non-object definition`);
    Object.assign(props, part.properties ?? {});
    for (const r of part.required ?? []) required.add(r);
  }
  if (def.allOf && (def.properties || def.required)) throw new Error(`${name}: allOf next to properties`);
  return { name, base, props, required, description: def.description, raw: def };
}

/** The documented shape of an `operations` entry and of `defaultRateLimit` (emitted into operations.ts). */
const OPERATION_SPEC = `/** A query or header parameter of an operation. */
export interface OperationParam {
  /** The parameter's name on the wire. */
  readonly name: string;
  /** The parameter's swagger type (query parameters only), e.g. \`string\` or \`integer\`. */
  readonly type?: string;
  /** Whether the server requires it. */
  readonly required: boolean;
  /** The contract's default, if it declares one. */
  readonly default?: unknown;
}

/** An \`x-rate-limit\` entry: a flask-limiter limit on one operation. */
export interface OperationRateLimit {
  /** The limit for ordinary clients, e.g. \`"2/second"\`. */
  readonly limit: string;
  /** The limit for service IPs. */
  readonly limit_service_ip?: string;
  /** The limit for dynamically whitelisted IPs. */
  readonly limit_dynamic_whitelisted_ip?: string;
  /** The server function that applies the limit. */
  readonly limit_function?: string;
  /** What the limit is counted per, e.g. \`client_ip+method+path\` or \`apikey\`. */
  readonly key: string;
  /** The server function that computes the key. */
  readonly key_function?: string;
  /** The limit for requests with the anonymous API key, where it differs. */
  readonly limit_anonymous_apikey?: string;
  /** The server's decorator call, verbatim. */
  readonly decorator?: string;
}

/** The server-side response cache of an operation (\`x-cache\`). */
export interface OperationCache {
  /** How long a cached answer is served. */
  readonly timeout_seconds: number;
  /** Whether the query string is part of the cache key. */
  readonly varies_by_query_string: boolean;
}

/** One operation of the contract: route, parameters, bodies, responses, limits and caching. */
export interface OperationSpec {
  /** The contract's operationId (the key of this entry). */
  readonly operationId: string;
  /** The HTTP method. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The path under the API root, with \`{placeholders}\`, e.g. \`/v2/generate/status/{id}\`. */
  readonly path: string;
  /** The contract's one-line summary. */
  readonly summary: string | null;
  /** The names of the path parameters. */
  readonly pathParams: readonly string[];
  /** The query parameters. */
  readonly queryParams: readonly OperationParam[];
  /** The header parameters (without \`X-Fields\`). */
  readonly headerParams: readonly OperationParam[];
  /** The body definition's name; \`null\`: no body, or an inline one (\`inlineBody\`). */
  readonly body: string | null;
  /** True when the body is declared inline (see \`inlineBodySchemas\` in the schemas). */
  readonly inlineBody: boolean;
  /** True when the server validates the body against its model. */
  readonly bodyValidated: boolean;
  /** Body fields the server reads although the body model does not declare them. */
  readonly undeclaredBodyFields: readonly string[];
  /** Each declared status → its definition name (\`null\`: no schema). */
  readonly responses: Readonly<Record<number, string | null>>;
  /** The statuses whose answer is a JSON array of the definition. */
  readonly responseArrays: readonly number[];
  /** The \`x-rate-limit\` entries (none: \`defaultRateLimit\` applies unless \`rateLimitExempt\`). */
  readonly rateLimits: readonly OperationRateLimit[];
  /** True when no rate limit applies. */
  readonly rateLimitExempt: boolean;
  /** The server-side cache, if any. */
  readonly cache: OperationCache | null;
}

/** The limiter's default limits (\`x-default-rate-limit\`). */
export interface DefaultRateLimit {
  /** The limits, e.g. \`"90 per minute"\`. */
  readonly limits: readonly string[];
  /** What they are counted per. */
  readonly key: string;
  /** Which operations they apply to. */
  readonly applies_to?: string;
}`;

// ---------------------------------------------------------------------------------------------------------
// Generator

function generate(contract) {
  const { spec, defs, ops } = contract;
  const names = Object.keys(defs);
  const model = Object.fromEntries(names.map((n) => [n, normalise(n, defs[n])]));

  // --- reachability: request bodies vs responses --------------------------------------------------------
  const requestRoots = new Set();
  const responseRoots = new Set();
  for (const { op, params } of ops) {
    for (const p of params) if (p.in === "body") collectRefs(p.schema, requestRoots);
    for (const r of Object.values(op.responses ?? {})) if (r.schema) collectRefs(r.schema, responseRoots);
  }
  const inRequest = closure(defs, requestRoots);
  const inResponse = closure(defs, responseRoots);
  const responseOnly = new Set(names.filter((n) => inResponse.has(n) && !inRequest.has(n)));

  // --- flattened properties (for defaults and inherited re-emission) ----------------------------------
  const flatCache = new Map();
  function flat(n, trail = []) {
    if (flatCache.has(n)) return flatCache.get(n);
    if (trail.includes(n)) throw new Error(`allOf cycle: ${[...trail, n].join(" -> ")}`);
    const m = model[n];
    const baseFlat = m.base
      ? flat(m.base, [...trail, n])
      : { props: {}, required: new Set(), optMode: {}, origin: {} };
    const props = { ...baseFlat.props, ...m.props };
    // the definition that declares each property (OPEN_ENUMS and error messages refer to it)
    const origin = { ...baseFlat.origin, ...Object.fromEntries(Object.keys(m.props).map((p) => [p, n])) };
    const required = new Set([...baseFlat.required, ...m.required]);
    // how each optional property is emitted in this definition's schema: "optional" | "nullish"
    const optMode = {};
    for (const p of Object.keys(props)) {
      if (required.has(p)) continue;
      const mine = responseOnly.has(n) ? "nullish" : "optional";
      // widen only: what the base accepts as nullish stays nullish, also where the derived definition
      // re-declares the property (a derived schema accepts everything its base accepts)
      optMode[p] = baseFlat.optMode[p] === "nullish" ? "nullish" : mine;
    }
    const res = { props, required, optMode, origin };
    flatCache.set(n, res);
    return res;
  }

  // --- open enum bookkeeping ----------------------------------------------------------------------------
  const openConsts = new Map(); // constName -> values
  const openUse = new Map(); // "Def.prop" -> constName
  const usedOpenKeys = new Set();
  function enumExpr(values, where) {
    for (const v of values)
      if (typeof v !== "string") throw new Error(`${where}: non-string enum value ${v}`);
    const open = OPEN_ENUMS[where];
    if (!open) return `z.enum([${values.map(lit).join(", ")}])`;
    usedOpenKeys.add(where);
    const prev = openConsts.get(open.constName);
    if (prev && lit(prev) !== lit(values)) {
      throw new Error(
        `${where}: values differ from other users of ${open.constName}; give it its own constant`,
      );
    }
    openConsts.set(open.constName, values);
    openUse.set(where, open.constName);
    return `openEnum(${open.constName})`;
  }

  // --- schema expressions -------------------------------------------------------------------------------
  let emitted = new Set();
  let cycleMembers = new Set();

  function refExpr(n) {
    if (!defs[n]) throw new Error(`$ref to unknown definition ${n}`);
    if (!emitted.has(n)) {
      if (!cycleMembers.has(n)) throw new Error(`internal: ${n} referenced before emission`);
      return `z.lazy(() => ${n})`;
    }
    return n;
  }

  /** A "bare" fields.Raw: `{type: object}` with no properties / additionalProperties. */
  const isRawObject = (s) =>
    s && s.type === "object" && !s.properties && s.additionalProperties === undefined && !s.$ref && !s.allOf;

  function schemaExpr(s, where) {
    if (s.$ref) return refExpr(refName(s.$ref));
    if (s.enum) {
      if (s.type !== undefined && s.type !== "string") throw new Error(`${where}: non-string enum`);
      return enumExpr(s.enum, where);
    }
    switch (s.type) {
      case "string": {
        let e = "z.string()";
        if (s.minLength !== undefined) e += `.min(${num(s.minLength)})`;
        if (s.maxLength !== undefined) e += `.max(${num(s.maxLength)})`;
        if (s.pattern !== undefined) e += `.regex(new RegExp(${lit(s.pattern)}))`;
        return e; // `format` (date-time, uuid, ...) is deliberately not enforced
      }
      case "integer":
      case "number": {
        let e = s.type === "integer" ? "z.number().int()" : "z.number()";
        if (s.minimum !== undefined)
          e += s.exclusiveMinimum ? `.gt(${num(s.minimum)})` : `.min(${num(s.minimum)})`;
        if (s.maximum !== undefined)
          e += s.exclusiveMaximum ? `.lt(${num(s.maximum)})` : `.max(${num(s.maximum)})`;
        if (s.multipleOf !== undefined) e += `.multipleOf(${num(s.multipleOf)})`;
        return e;
      }
      case "boolean":
        return "z.boolean()";
      case "array": {
        if (!s.items) throw new Error(`${where}: array without items`);
        let e = `z.array(${schemaExpr(s.items, where)})`;
        if (s.minItems !== undefined) e += `.min(${num(s.minItems)})`;
        if (s.maxItems !== undefined) e += `.max(${num(s.maxItems)})`;
        if (s.uniqueItems) e += `.refine(uniqueItems, { message: "Array items must be unique" })`;
        return e;
      }
      case "object":
      case undefined:
        return objectExpr(s, where);
      default:
        throw new Error(`${where}: unsupported type ${s.type}`);
    }
  }

  /** Value schema inside a map: a bare Raw there can be any JSON value (flask-restx `fields.Raw`). */
  function mapValueExpr(s, where) {
    if (s === true || (s && typeof s === "object" && Object.keys(s).length === 0) || isRawObject(s)) {
      return "z.unknown()";
    }
    return schemaExpr(s, where);
  }

  function objectExpr(s, where) {
    const props = s.properties ?? {};
    const wildcard = props["*"];
    const named = Object.keys(props).filter((k) => k !== "*");
    if (
      s.additionalProperties &&
      typeof s.additionalProperties === "object" &&
      named.length === 0 &&
      !wildcard
    ) {
      return `z.record(z.string(), ${mapValueExpr(s.additionalProperties, `${where}.*`)})`;
    }
    if (wildcard) {
      // flask-restx Wildcard: `{"*": {type: object, additionalProperties: X}}` means "any key -> X"
      const inner = wildcard.additionalProperties ?? wildcard;
      const valueExpr = mapValueExpr(inner, `${where}.*`);
      if (named.length === 0) return `z.record(z.string(), ${valueExpr})`;
      return `${objectLiteral(s, named, where, "optional")}.catchall(${valueExpr})`;
    }
    if (named.length === 0) return "z.record(z.string(), z.unknown())";
    return objectLiteral(s, named, where, "optional");
  }

  function propLine(name, schema, isRequired, mode, where, indent) {
    let e = schemaExpr(schema, `${where}.${name}`);
    if (!isRequired) e += mode === "nullish" ? ".nullish()" : ".optional()";
    // The contract's description becomes the field's TSDoc, which z.infer carries to the model types.
    const doc = schema.description
      ? oneLine(schema.description)
      : `The \`${name}\` field of \`${where}\` (the contract does not describe it).`;
    return `${indent}/** ${doc} */\n${indent}${key(name)}: ${e},`;
  }

  function objectLiteral(s, named, where, mode, indent = "  ") {
    const req = new Set(s.required ?? []);
    const lines = named.map((p) => propLine(p, s.properties[p], req.has(p), mode, where, `${indent}  `));
    return `hordeObject({\n${lines.join("\n")}\n${indent}})`;
  }

  // --- topological order (source order, dependencies first), SCCs for cycles ----------------------------
  const deps = Object.fromEntries(names.map((n) => [n, [...collectRefs(defs[n])]]));
  // Tarjan
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const sccOf = new Map();
  function strong(v) {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of deps[v]) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      for (const c of comp) sccOf.set(c, comp);
    }
  }
  for (const n of names) if (!idx.has(n)) strong(n);
  cycleMembers = new Set(names.filter((n) => sccOf.get(n).length > 1 || deps[n].includes(n)));
  for (const n of cycleMembers) {
    if (model[n].base && cycleMembers.has(model[n].base)) throw new Error(`${n}: allOf base inside a cycle`);
  }

  const order = [];
  const placed = new Set();
  function place(n, trail) {
    if (placed.has(n)) return;
    if (trail.has(n)) return; // back edge inside a cycle: resolved with z.lazy
    trail.add(n);
    const m = model[n];
    if (m.base) place(m.base, trail); // a base must always come first (extend is eager)
    for (const d of deps[n]) place(d, trail);
    trail.delete(n);
    if (!placed.has(n)) {
      placed.add(n);
      order.push(n);
    }
  }
  for (const n of names) place(n, new Set());

  // --- emit definitions -----------------------------------------------------------------------------------
  emitted = new Set();
  const blocks = [];
  for (const n of order) {
    const m = model[n];
    const f = flat(n);
    const where = n;
    const docs = [];
    if (m.description) docs.push(oneLine(m.description));
    if (m.raw["x-horde-declared-name"]) {
      docs.push(`Declared by the server as \`${m.raw["x-horde-declared-name"]}\` (renamed in the contract).`);
    }
    if (m.raw["x-horde-unreferenced"])
      docs.push("Declared by the server but not referenced by any operation.");
    // every definition is documented: the contract's description, or what it is
    if (docs.length === 0 || !m.description) docs.unshift(`The contract's \`${n}\` model.`);
    const doc = `/** ${docs.join(" ")} */\n`;
    const optMode = (p) => f.optMode[p];
    let expr;
    if (m.base) {
      const bf = flat(m.base);
      const lines = [];
      for (const p of Object.keys(m.props)) {
        lines.push(propLine(p, m.props[p], f.required.has(p), optMode(p), where, "  "));
      }
      // inherited properties whose modifier changes here (newly required, or optional -> nullish)
      for (const p of Object.keys(bf.props)) {
        if (p in m.props) continue;
        const changed = f.required.has(p)
          ? !bf.required.has(p)
          : !bf.required.has(p) && bf.optMode[p] !== optMode(p);
        if (changed) lines.push(propLine(p, bf.props[p], f.required.has(p), optMode(p), bf.origin[p], "  "));
      }
      if (m.raw.allOf?.some((part) => !part.$ref && part.additionalProperties)) {
        throw new Error(`${n}: additionalProperties in an allOf part is not supported`);
      }
      expr =
        lines.length > 0
          ? `${refExpr(m.base)}.extend({\n${lines.join("\n")}\n})`
          : `${refExpr(m.base)}.extend({})`;
    } else {
      const named = Object.keys(m.props).filter((p) => p !== "*");
      if (named.length === 0 || m.props["*"] || m.raw.additionalProperties) {
        expr = objectExpr(m.raw, where);
      } else {
        const lines = named.map((p) => propLine(p, m.props[p], m.required.has(p), optMode(p), where, "  "));
        expr = `hordeObject({\n${lines.join("\n")}\n})`;
      }
    }
    blocks.push(
      `${doc}export const ${n} = /* @__PURE__ */ lazySchema(() => ${expr});\n/** The parsed shape of {@link ${n}}. */\nexport type ${n} = z.infer<typeof ${n}>;\n`,
    );
    emitted.add(n);
  }

  const unusedOpen = Object.keys(OPEN_ENUMS).filter((k) => !usedOpenKeys.has(k));
  if (unusedOpen.length > 0)
    throw new Error(`OPEN_ENUMS entries not found in the contract: ${unusedOpen.join(", ")}`);

  // --- inline request bodies (x-horde-from-request-parser) --------------------------------------------------
  const inlineBodies = [];
  for (const { op, params } of ops) {
    const body = params.find((p) => p.in === "body");
    if (body && !body.schema.$ref) {
      const id = op.operationId;
      inlineBodies.push(
        `  ${key(id)}: /* @__PURE__ */ lazySchema(() => ${schemaExpr(body.schema, `${id}.body`)}),`,
      );
    }
  }

  // --- swagger defaults (flattened, including inherited properties) ----------------------------------------
  const defaultsLines = [];
  for (const n of names) {
    const f = flat(n);
    const entries = Object.entries(f.props).filter(([, s]) => s.default !== undefined);
    if (entries.length === 0) continue;
    defaultsLines.push(`  ${key(n)}: {`);
    for (const [p, s] of entries) defaultsLines.push(`    ${key(p)}: ${lit(s.default)},`);
    defaultsLines.push("  },");
  }

  // --- assemble schemas.ts ----------------------------------------------------------------------------------
  const header = (what) =>
    [
      "// GENERATED FILE - DO NOT EDIT BY HAND.",
      `// ${what} generated by \`npm run codegen\` (packages/sdk/scripts/codegen.mjs) from the API contract`,
      `// ${spec.info?.title ?? "API"} ${spec.info?.version ?? ""}, server ${spec.info?.["x-horde-server-version"] ?? "?"}, source commit ${spec.info?.["x-source"]?.commit ?? "?"}.`,
      "// Edit the generator or the contract and run `npm run codegen` instead.",
      "",
    ].join("\n");

  const openConstLines = [];
  for (const [c, values] of [...openConsts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const why = Object.values(OPEN_ENUMS).find((o) => o.constName === c).why;
    openConstLines.push(`/** The values the contract knows (the list is open: ${oneLine(why)}). */`);
    openConstLines.push(`export const ${c} = [${values.map(lit).join(", ")}] as const;`);
  }
  const openConstNames = [...openConsts.keys()].sort();
  // The known values live in a module without zod, so that the CLI's help and the emulator's tables can import
  // them (`horde-sdk/known`) without loading the schemas.
  const knownValuesTs = [
    header("Known values of the contract's open enums"),
    "// (see OPEN_ENUMS in the generator for why each is open). No imports: cheap to load anywhere.",
    "",
    ...openConstLines,
    "",
  ].join("\n");
  const openUseLines = [...openUse.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, c]) => `  ${lit(k)}: ${c},`);

  const schemasTs = [
    header("Zod schemas"),
    'import * as z from "zod";',
    'import { lazySchema } from "../lazy.js";',
    'import { hordeObject } from "../strict.js";',
    `import { ${openConstNames.join(", ")} } from "./known-values.js";`,
    "",
    "/**",
    " * An enum the server keeps extending: accepts any string at runtime, while the inferred type keeps the",
    " * known values for autocomplete (`Known | (string & {})`).",
    " */",
    "function openEnum<const T extends readonly string[]>(_known: T): z.ZodType<T[number] | (string & {}), string> {",
    "  return z.string() as unknown as z.ZodType<T[number] | (string & {}), string>;",
    "}",
    "",
    "/** `uniqueItems`: no two items are equal (primitives by value, objects by their JSON). */",
    "function uniqueItems(items: readonly unknown[]): boolean {",
    '  const seen = new Set(items.map((i) => (typeof i === "object" && i !== null ? JSON.stringify(i) : i)));',
    "  return seen.size === items.length;",
    "}",
    "",
    `export { ${openConstNames.join(", ")} } from "./known-values.js";`,
    "",
    "/** Which open enum constant each `Definition.property` uses (for arrays: the items). */",
    "export const openEnumValues = {",
    ...openUseLines,
    "} as const;",
    "",
    ...blocks.map((b) => `${b}`),
    "/** Names of all definitions of the contract, in contract order. */",
    `export const definitionNames = [\n${names.map((n) => `  ${lit(n)},`).join("\n")}\n] as const;`,
    "/** The name of one definition of the contract, e.g. `GenerationInputStable`. */",
    "export type DefinitionName = (typeof definitionNames)[number];",
    "",
    "/** Every definition schema by name. */",
    `export const definitions = {\n${names.map((n) => `  ${n},`).join("\n")}\n} as const;`,
    "",
    "/**",
    " * Request bodies declared inline (built from the server's request parser, `x-horde-from-request-parser`)",
    " * rather than as a definition, by operationId. In `operations`, these have `body: null, inlineBody: true`.",
    " */",
    `export const inlineBodySchemas = {\n${inlineBodies.join("\n")}\n} as const;`,
    "",
    "/**",
    " * The defaults the contract documents, per definition (inherited properties included). The schemas never",
    " * apply them: the server's runtime defaults can differ (e.g. `nsfw` and `cfg_scale` for image requests).",
    " */",
    `export const swaggerDefaults = {\n${defaultsLines.join("\n")}\n} as const;`,
    "",
  ].join("\n");

  // --- operations.ts --------------------------------------------------------------------------------------
  const opLines = [];
  const usedFixes = new Set();
  for (const { path: p, method, op, params } of ops) {
    const L = (s) => opLines.push(`    ${s}`);
    opLines.push(`  ${key(op.operationId)}: {`);
    L(`operationId: ${lit(op.operationId)},`);
    L(`method: ${lit(method.toUpperCase())},`);
    L(`path: ${lit(p)},`);
    L(`summary: ${lit(op.summary ?? null)},`);
    const pathParams = params.filter((x) => x.in === "path").map((x) => x.name);
    L(`pathParams: [${pathParams.map(lit).join(", ")}],`);
    const qp = params
      .filter((x) => x.in === "query")
      .map((x) => {
        let s = `{ name: ${lit(x.name)}, type: ${lit(x.type)}, required: ${x.required === true}`;
        if (x.default !== undefined) s += `, default: ${lit(x.default)}`;
        return `${s} }`;
      });
    L(`queryParams: [${qp.join(", ")}],`);
    const hp = params
      .filter((x) => x.in === "header" && x.name !== "X-Fields")
      .map((x) => {
        let s = `{ name: ${lit(x.name)}, required: ${x.required === true}`;
        if (x.default !== undefined) s += `, default: ${lit(x.default)}`;
        return `${s} }`;
      });
    L(`headerParams: [${hp.join(", ")}],`);
    const body = params.find((x) => x.in === "body");
    L(`body: ${body?.schema?.$ref ? lit(refName(body.schema.$ref)) : "null"},`);
    L(`inlineBody: ${Boolean(body && !body.schema.$ref)},`);
    L(`bodyValidated: ${op["x-horde-validates-body"] === true},`);
    const undeclared = Object.keys(op["x-horde-undeclared-body-fields"] ?? {});
    L(`undeclaredBodyFields: [${undeclared.map(lit).join(", ")}],`);
    const fix = RESPONSE_FIXES[op.operationId];
    if (fix) {
      const declared = op.responses?.[fix.status]?.schema;
      if (!declared?.$ref)
        throw new Error(`RESPONSE_FIXES.${op.operationId}: no single-$ref ${fix.status} to fix`);
      usedFixes.add(op.operationId);
      L(`// contract fix (RESPONSE_FIXES in the generator): ${oneLine(fix.why)}`);
    }
    const statuses = Object.keys(op.responses ?? {}).sort(
      (a, b) => Number(a) - Number(b) || (a < b ? -1 : 1),
    );
    const respParts = [];
    const arrays = [];
    for (const st of statuses) {
      const sch = op.responses[st].schema;
      let v = "null";
      if (sch?.$ref) {
        v = lit(refName(sch.$ref));
        if (fix?.status === st && fix.array) arrays.push(st);
      } else if (sch?.type === "array" && sch.items?.$ref) {
        v = lit(refName(sch.items.$ref));
        arrays.push(st);
      } else if (sch) throw new Error(`${op.operationId} ${st}: unsupported response schema`);
      respParts.push(`${/^\d+$/.test(st) ? st : lit(st)}: ${v}`);
    }
    L(`responses: { ${respParts.join(", ")} },`);
    L(`responseArrays: [${arrays.join(", ")}],`);
    const rl = op["x-rate-limit"] ?? [];
    if (rl.length === 0) L("rateLimits: [],");
    else {
      L("rateLimits: [");
      for (const r of rl) {
        L(
          `  { ${Object.entries(r)
            .map(([k, v]) => `${key(k)}: ${lit(v)}`)
            .join(", ")} },`,
        );
      }
      L("],");
    }
    L(`rateLimitExempt: ${op["x-rate-limit-exempt"] === true},`);
    const cache = op["x-cache"];
    L(
      `cache: ${
        cache
          ? `{ ${Object.entries(cache)
              .map(([k, v]) => `${key(k)}: ${lit(v)}`)
              .join(", ")} }`
          : "null"
      },`,
    );
    opLines.push("  },");
  }

  const unusedFixes = Object.keys(RESPONSE_FIXES).filter((k) => !usedFixes.has(k));
  if (unusedFixes.length > 0)
    throw new Error(`RESPONSE_FIXES for unknown operations: ${unusedFixes.join(", ")}`);

  const operationsTs = [
    header("Operation table"),
    "/**",
    " * Every operation of the contract, by operationId. `body` names the body definition (`null`: none, or an",
    " * inline body when `inlineBody` is true, see `inlineBodySchemas` in schemas.ts). `responses` maps each",
    " * declared status to a definition name (`null`: no schema); statuses listed in `responseArrays` return a",
    " * JSON array of that definition. `rateLimits` are the `x-rate-limit` entries; operations with none (and not",
    " * `rateLimitExempt`) fall under `defaultRateLimit`. `cache` is the server-side `x-cache`, if any.",
    " */",
    "export const operations: { readonly [K in OperationId]: OperationSpec } = {",
    opLines.join("\n"),
    "};",
    "",
    "/** The operationId of every operation of the contract. */",
    `export type OperationId =\n${ops.map(({ op }) => `  | ${lit(op.operationId)}`).join("\n")};`,
    "/** One operation of the contract (an entry of {@link operations}). */",
    "export type Operation = OperationSpec;",
    "",
    OPERATION_SPEC,
    "",
    "/** The limiter's default limits (`x-default-rate-limit`), for operations without `rateLimits`. */",
    `export const defaultRateLimit: DefaultRateLimit = ${JSON.stringify(spec["x-default-rate-limit"] ?? null, null, 2)};`,
    "",
  ].join("\n");

  // --- rate-limits.ts: what the client's limiter needs of the table, and nothing else -------------------------
  // The runtime imports this compact table instead of `operations` (summaries, parameters, decorators), so a
  // bundle that never reads the operation table does not carry it.
  const limitLines = ops.map(({ path: p, method, op }) => {
    const limits =
      op["x-rate-limit-exempt"] === true
        ? "[]"
        : (op["x-rate-limit"] ?? []).length === 0
          ? "null"
          : `[${op["x-rate-limit"].map((r) => `[${lit(r.limit)}, ${lit(r.key)}]`).join(", ")}]`;
    return `  [${lit(op.operationId)}, ${lit(method.toUpperCase())}, ${lit(p)}, ${limits}],`;
  });
  const rateLimitsTs = [
    header("Rate-limit table"),
    "/**",
    " * Every operation's `x-rate-limit` as `[operationId, method, path, limits]`: `limits` lists `[limit, key]`",
    " * pairs, `[]` for an exempt operation, and `null` for one under the default limits below.",
    " */",
    "export const routeRateLimits: readonly (readonly [string, string, string, readonly (readonly [string, string])[] | null])[] = [",
    ...limitLines,
    "];",
    "",
    "/** The limiter's default limits (`x-default-rate-limit`), for operations without their own. */",
    `export const defaultRateLimits: readonly string[] = ${JSON.stringify(spec["x-default-rate-limit"]?.limits ?? [])};`,
    "",
  ].join("\n");

  // --- classes.ts: request and response classes (classes.mjs, names in names.mjs) ---------------------------
  const classes = generateClasses({ ops, defs, flat, header, responseFixes: RESPONSE_FIXES });
  // --- shortcuts.ts: the client's read methods (shortcuts.mjs, SHORTCUTS in names.mjs) -------------------------
  const shortcuts = generateShortcuts({ ops, header, classTable: classes.classTable });

  return {
    files: {
      "schemas.ts": schemasTs,
      "known-values.ts": knownValuesTs,
      "operations.ts": operationsTs,
      "rate-limits.ts": rateLimitsTs,
      "classes.ts": classes.text,
      "shortcuts.ts": shortcuts.text,
    },
    stats: {
      definitions: names.length,
      operations: ops.length,
      responseOnly: responseOnly.size,
      cycles: cycleMembers.size,
      inlineBodies: inlineBodies.length,
      requestClasses: classes.requests,
      responseClasses: classes.responses,
      shortcuts: shortcuts.shortcuts,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

/**
 * The document the server itself serves at /api/swagger.json, from the contract: without the contract's
 * `x-*` extensions and without the definitions no endpoint references (the server leaves those out).
 * Emitted as a TypeScript string so the emulator serves it verbatim without reading files at run time.
 */
function servedDocument(spec) {
  const strip = (value) => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !k.startsWith("x-"))
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  const definitions = Object.fromEntries(
    Object.entries(spec.definitions ?? {}).filter(([, d]) => !d["x-horde-unreferenced"]),
  );
  const doc = strip({ ...spec, definitions });
  return [
    "// GENERATED FILE - DO NOT EDIT BY HAND.",
    "// The API document the server serves at /api/swagger.json, generated by `npm run codegen`",
    "// (packages/sdk/scripts/codegen.mjs) from the API contract, without its x-* extensions.",
    "",
    `export const SWAGGER_DOCUMENT: string = ${JSON.stringify(JSON.stringify(doc))};`,
    "",
  ].join("\n");
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const contract = loadContract(args.swagger);
  const { files, stats } = generate(contract);
  mkdirSync(args.out, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(args.out, name), text);
  mkdirSync(args.emulatorOut, { recursive: true });
  writeFileSync(path.join(args.emulatorOut, "swagger-document.ts"), servedDocument(contract.spec));
  process.stdout.write(
    `codegen: ${stats.definitions} definitions (${stats.responseOnly} response-only, ${stats.cycles} in cycles), ` +
      `${stats.operations} operations (${stats.inlineBodies} inline bodies), ${stats.requestClasses} generated request ` +
      `and ${stats.responseClasses} response classes, ${stats.shortcuts} read shortcuts -> ${path.relative(process.cwd(), args.out) || "."}\n`,
  );
}

try {
  main();
} catch (err) {
  process.stderr.write(`codegen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
