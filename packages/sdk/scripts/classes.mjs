// Emits src/models/generated/classes.ts: the plain request and response classes (imported by codegen.mjs).
//
// One request class per operation that has no hand-written semantics (NAMES in names.mjs), one response class
// per success shape (DEFINITION_CLASSES), list responses as arrays of those (LIST_CLASSES). The classes are
// thin: routing, header/query/path placement and the schema; validation and (de)serialisation live in the
// generic layer. Their schemas are lazy and `endpoint(…)` is marked pure, so a class nobody uses is
// tree-shaken. Operations with real semantics (job lifecycles, worker pop/submit, heartbeat) are written by
// hand under src/models/<area>/; this file never defines one of their classes.

import { DEFINITION_CLASSES, LIST_CLASSES, NAMES, PATH_PARAM_RULES, QUERY_VALUES } from "./names.mjs";

const lit = (v) => JSON.stringify(v);
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k) => (IDENT.test(k) ? k : lit(k));
/** The doc comment of a path or query parameter: the contract's description, or what it is. */
const paramDoc = (p) =>
  p.description
    ? oneLine(p.description)
    : `The \`${p.name}\` ${p.in} parameter (the contract does not describe it).`;
const oneLine = (text) =>
  String(text ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replaceAll("*/", "*\\/");

/** Request field names the generic layer uses for methods: a wire field of that name would be shadowed. */
const RESERVED = new Set([
  "body",
  "headers",
  "toHttp",
  "endpointUrl",
  "toJSON",
  "equals",
  "hashKey",
  "logSafeModelDump",
  "getNumberOfResultsExpected",
  "getRequiresFollowUp",
  "getExtraFieldsToExcludeFromLog",
  "timeConstructed",
]);

/** Header parameters -> request field names (the wire names are mapped back in generic/request.ts). */
const HEADER_FIELDS = {
  apikey: "apikey",
  "Client-Agent": "client_agent",
  "X-Fields": "x_fields",
  "Idempotency-Key": "idempotency_key",
};

function refName(ref) {
  return ref.replace(/^#\/definitions\//, "");
}

function simpleType(s, where) {
  switch (s.type) {
    case "boolean":
      return "z.boolean()";
    case "integer":
      return "z.number().int()";
    case "number":
      return "z.number()";
    case "string":
      return "z.string()";
    default:
      throw new Error(`${where}: unsupported undeclared field type ${s.type}`);
  }
}

/** 2xx statuses with a schema: [{ status, def, array }]. */
function successResponses(op, responseFixes) {
  const fix = responseFixes[op.operationId];
  const out = [];
  for (const [st, r] of Object.entries(op.responses ?? {})) {
    if (!/^2\d\d$/.test(st) || !r.schema) continue;
    if (r.schema.$ref)
      out.push({ status: Number(st), def: refName(r.schema.$ref), array: fix?.status === st });
    else if (r.schema.type === "array" && r.schema.items?.$ref)
      out.push({ status: Number(st), def: refName(r.schema.items.$ref), array: true });
    else throw new Error(`${op.operationId} ${st}: unsupported response schema`);
  }
  return out.sort((a, b) => a.status - b.status);
}

/**
 * @param {object} ctx
 * @param {Array<{path: string, method: string, op: object, params: object[]}>} ctx.ops
 * @param {Record<string, object>} ctx.defs
 * @param {(name: string) => {props: object, required: Set<string>}} ctx.flat
 * @param {(what: string) => string} ctx.header
 * @param {Record<string, object>} ctx.responseFixes
 */
export function generateClasses({ ops, defs, flat, header, responseFixes }) {
  // --- name table checks --------------------------------------------------------------------------------
  const opIds = ops.map((o) => o.op.operationId);
  const missing = opIds.filter((id) => !NAMES[id]);
  if (missing.length > 0) throw new Error(`names.mjs NAMES: no entry for ${missing.join(", ")}`);
  const unknown = Object.keys(NAMES).filter((id) => !opIds.includes(id));
  if (unknown.length > 0) throw new Error(`names.mjs NAMES: unknown operations ${unknown.join(", ")}`);
  for (const [table, entries] of [
    ["DEFINITION_CLASSES", DEFINITION_CLASSES],
    ["LIST_CLASSES", LIST_CLASSES],
  ]) {
    for (const d of Object.keys(entries))
      if (!defs[d]) throw new Error(`names.mjs ${table}: no definition ${d}`);
  }
  for (const k of Object.keys(QUERY_VALUES)) {
    const [id, name] = k.split(".");
    const o = ops.find((x) => x.op.operationId === id);
    if (!o?.params.some((p) => p.in === "query" && p.name === name))
      throw new Error(`names.mjs QUERY_VALUES: ${k} is not a query parameter`);
  }

  // hand-written request classes (their responses may be hand-written or generated: JobSubmitResponse is both
  // the answer of the generated RateRequest and of the hand-written submit requests)
  const handNames = new Set(
    Object.values(NAMES)
      .filter((n) => n.hand)
      .map((n) => n.request),
  );

  // --- which response classes are needed, and the op -> class table ---------------------------------------
  const neededDefs = new Set();
  const neededLists = new Set();
  const classTable = {}; // opId -> { request, hand, responses: {status: className} }
  for (const { op } of ops) {
    const n = NAMES[op.operationId];
    const responses = {};
    if (n.hand) {
      if (!n.responses)
        throw new Error(`NAMES.${op.operationId}: a hand-written operation lists its responses`);
      Object.assign(responses, n.responses);
    } else {
      const succ = successResponses(op, responseFixes);
      if (succ.length === 0) throw new Error(`${op.operationId}: no success response with a schema`);
      for (const s of succ) {
        const item = DEFINITION_CLASSES[s.def];
        if (!item) throw new Error(`names.mjs DEFINITION_CLASSES: no class for ${s.def} (${op.operationId})`);
        neededDefs.add(s.def);
        if (s.array) {
          const list = LIST_CLASSES[s.def];
          if (!list)
            throw new Error(`names.mjs LIST_CLASSES: no list class for ${s.def} (${op.operationId})`);
          neededLists.add(s.def);
          responses[s.status] = list;
        } else responses[s.status] = item;
      }
    }
    classTable[op.operationId] = { request: n.request, hand: n.hand ?? null, responses };
  }
  const unusedDefs = Object.keys(DEFINITION_CLASSES).filter((d) => !neededDefs.has(d));
  if (unusedDefs.length > 0) throw new Error(`names.mjs DEFINITION_CLASSES: unused ${unusedDefs.join(", ")}`);
  const unusedLists = Object.keys(LIST_CLASSES).filter((d) => !neededLists.has(d));
  if (unusedLists.length > 0) throw new Error(`names.mjs LIST_CLASSES: unused ${unusedLists.join(", ")}`);

  // every class name is defined exactly once
  const generatedNames = [
    ...Object.values(DEFINITION_CLASSES),
    ...Object.values(LIST_CLASSES),
    ...Object.values(NAMES)
      .filter((n) => !n.hand)
      .map((n) => n.request),
  ];
  const seen = new Set();
  for (const name of generatedNames) {
    if (seen.has(name)) throw new Error(`names.mjs: class name ${name} is used twice`);
    if (handNames.has(name)) throw new Error(`names.mjs: ${name} is both generated and hand-written`);
    seen.add(name);
  }

  const out = [];
  const P = (s = "") => out.push(s);

  // --- response classes -----------------------------------------------------------------------------------
  const defOrder = Object.keys(defs).filter((d) => neededDefs.has(d));
  const responseBlocks = [];
  for (const d of defOrder) {
    const cls = DEFINITION_CLASSES[d];
    const desc = oneLine(defs[d].description);
    responseBlocks.push(
      [
        `/** Swagger \`${d}\`${desc ? `: ${desc}` : "."} */`,
        `export interface ${cls} extends Readonly<schemas.${d}> {}`,
        `export class ${cls} extends HordeResponse {`,
        `  static override readonly schema: z.ZodType = schemas.${d};`,
        "",
        "  static override getApiModelName(): string {",
        `    return ${lit(d)};`,
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  }
  for (const d of defOrder.filter((x) => neededLists.has(x))) {
    const cls = LIST_CLASSES[d];
    const item = DEFINITION_CLASSES[d];
    responseBlocks.push(
      [
        `/** A JSON array of \`${d}\`: \`items\` holds one {@link ${item}} per element. */`,
        `export class ${cls} extends HordeListResponse<${item}> {`,
        `  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() => z.array(schemas.${d}));`,
        `  static override readonly itemClass = ${item};`,
        "}",
        "",
      ].join("\n"),
    );
  }

  // --- request classes ------------------------------------------------------------------------------------
  const requestBlocks = [];
  const generatedOps = [];
  let usesOpenString = false;
  let usesMaskFields = false;
  let usesAuth = false;
  let usesBase = false;
  for (const { path, method, op, params } of ops) {
    const n = NAMES[op.operationId];
    if (n.hand) continue;
    const id = op.operationId;
    const cls = n.request;
    generatedOps.push([id, cls, `${method.toUpperCase()} \`${path}\``]);
    const succ = successResponses(op, responseFixes);
    const responseClasses = succ.map((s) => classTable[id].responses[s.status]);

    const pathParams = params.filter((p) => p.in === "path");
    const queryParams = params.filter((p) => p.in === "query");
    const headerNames = params.filter((p) => p.in === "header").map((p) => p.name);
    for (const h of headerNames)
      if (!HEADER_FIELDS[h]) throw new Error(`${id}: unknown header parameter ${h}`);
    const authenticated = headerNames.includes("apikey");
    // masks only where the response is a model (objects or lists of objects)
    const masked = headerNames.includes("X-Fields") && succ.length > 0;
    const idempotent = headerNames.includes("Idempotency-Key");
    const bodyParam = params.find((p) => p.in === "body");
    const bodyDef = bodyParam?.schema?.$ref ? refName(bodyParam.schema.$ref) : null;
    const inlineBody = bodyParam && !bodyDef ? bodyParam.schema : null;

    // body field names (for collision checks) and required ones
    let bodyProps = [];
    let bodyRequired = [];
    if (bodyDef) {
      const f = flat(bodyDef);
      if (Object.keys(f.props).length === 0 || f.props["*"])
        throw new Error(`${id}: body ${bodyDef} is not a plain object`);
      bodyProps = Object.keys(f.props);
      bodyRequired = [...f.required];
    } else if (inlineBody) {
      bodyProps = Object.keys(inlineBody.properties ?? {});
      bodyRequired = inlineBody.required ?? [];
    }
    const undeclared = Object.entries(op["x-horde-undeclared-body-fields"] ?? {});

    const lines = [];
    for (const p of pathParams) {
      const rule = PATH_PARAM_RULES[p.name];
      const e = rule
        ? `z.string().regex(new RegExp(${lit(rule.pattern)}), ${lit(rule.message)})`
        : `z.string().min(1, ${lit(`${p.name} must not be empty`)})`;
      lines.push(`  /** ${paramDoc(p)} */`, `  ${key(p.name)}: ${e},`);
    }
    for (const q of queryParams) {
      let e;
      const values = QUERY_VALUES[`${id}.${q.name}`];
      if (values) {
        usesOpenString = true;
        e = `openString([${values.map(lit).join(", ")}])`;
      } else
        e = q.type === "integer" ? "z.number().int()" : q.type === "number" ? "z.number()" : "z.string()";
      if (q.type !== "string" && values) throw new Error(`${id}.${q.name}: QUERY_VALUES on a non-string`);
      if (q.type !== "string" && q.type !== "integer" && q.type !== "number")
        throw new Error(`${id}.${q.name}: unsupported query type ${q.type}`);
      lines.push(`  /** ${paramDoc(q)} */`, `  ${key(q.name)}: ${e}${q.required ? "" : ".optional()"},`);
    }
    for (const [name, s] of undeclared) {
      // read by the server's request parser, but not declared in the body model
      lines.push(
        `  /** ${s.description ? `${oneLine(s.description)} ` : ""}(Read by the server although its body model does not declare it.) */`,
      );
      lines.push(`  ${key(name)}: ${simpleType(s, `${id}.${name}`)}.optional(),`);
    }
    if (idempotent) {
      lines.push(
        "  /** Sent as the `Idempotency-Key` header: the same key with the same parameters is applied only once. */",
        "  idempotency_key: z.string().min(1).optional(),",
      );
    }
    if (authenticated) lines.push("  ...apikeyShape,");
    lines.push("  ...commonHeaderShape,");
    if (masked) lines.push("  ...xFieldsShape,");

    const fieldNames = [
      ...pathParams.map((p) => p.name),
      ...queryParams.map((p) => p.name),
      ...undeclared.map(([k]) => k),
      ...(idempotent ? ["idempotency_key"] : []),
      ...(authenticated ? ["apikey"] : []),
      "client_agent",
      "accept",
      ...(masked ? ["x_fields"] : []),
    ];
    for (const f of [...fieldNames, ...bodyProps]) {
      if (RESERVED.has(f)) throw new Error(`${id}: field ${f} would shadow a request method`);
    }
    const clash = fieldNames.filter((f) => bodyProps.includes(f));
    if (clash.length > 0) throw new Error(`${id}: body fields clash with parameters: ${clash.join(", ")}`);

    const base = bodyDef
      ? `schemas.${bodyDef}.extend`
      : inlineBody
        ? `schemas.inlineBodySchemas.${id}.extend`
        : "hordeObject";
    const schemaConst = `${cls}Schema`;
    const maskModel = masked ? `schemas.${succ[0].def}` : null;
    if (masked && new Set(succ.map((s) => s.def)).size > 1)
      throw new Error(`${id}: masks over several models`);
    const maskRequired = masked ? [...flat(succ[0].def).required] : [];
    const hasRequired =
      pathParams.length > 0 || bodyRequired.length > 0 || queryParams.some((q) => q.required);
    const responseType = [...new Set(responseClasses)].join(" | ");
    const baseClass = authenticated ? "AuthenticatedAIHordeRequest" : "BaseAIHordeRequest";
    if (authenticated) usesAuth = true;
    else usesBase = true;

    const docs = [`${method.toUpperCase()} \`${path}\`: ${oneLine(op.summary)}.`];
    if (op.description) docs.push(oneLine(op.description));
    const limits = (op["x-rate-limit"] ?? []).map((r) => r.limit);
    if (op["x-rate-limit-exempt"]) docs.push("Not rate-limited.");
    else if (limits.length > 0)
      docs.push(`Rate limits: ${limits.join(", ")} (${op["x-rate-limit"][0].key}).`);
    if (op["x-cache"]) docs.push(`Cached ${op["x-cache"].timeout_seconds} s server-side.`);
    if (id === "post_transfer_kudos") {
      docs.push(
        "A transfer is a POST and is never retried automatically (it could move kudos twice); to retry safely" +
          " yourself, send the same `idempotency_key` (the `Idempotency-Key` header) with the same parameters.",
      );
    }

    const b = [];
    b.push(`const ${schemaConst} = /* @__PURE__ */ lazySchema(() =>`, `  ${base}({`);
    b.push(...lines.map((l) => `  ${l}`));
    b.push("  }),", ");");
    b.push(
      `/** The constructor input of {@link ${cls}}. */`,
      `export type ${cls}Input = RequestInput<typeof ${schemaConst}${maskModel ? `, ${maskModel}` : ""}>;`,
    );
    b.push(`/** ${docs.join(" ")} */`);
    b.push(`export interface ${cls} extends Readonly<${cls}Input> {}`);
    b.push(`export class ${cls} extends ${baseClass}<${responseType}> {`);
    const defaultResp = responseClasses[0];
    const pairs =
      succ.length === 1 && succ[0].status === 200
        ? ""
        : `, () => ({ ${succ.map((s) => `${s.status}: ${classTable[id].responses[s.status]}`).join(", ")} })`;
    b.push(
      `  static override readonly endpoint = /* @__PURE__ */ endpoint(${lit(method.toUpperCase())}, ${lit(path)}, () => ${defaultResp}${pairs});`,
    );
    b.push(`  static override readonly schema: z.ZodType = ${schemaConst};`);
    b.push("");
    b.push(`  constructor(input: ${cls}Input${hasRequired ? "" : " = {}"}) {`);
    b.push("    super(input);");
    b.push("  }");
    b.push("");
    b.push(`  static override getApiModelName(): string | null {`);
    b.push(`    return ${bodyDef ? lit(bodyDef) : "null"};`);
    b.push("  }");
    if (queryParams.length > 0) {
      b.push("");
      b.push("  static override getQueryFields(): string[] {");
      b.push(`    return [${queryParams.map((q) => lit(q.name)).join(", ")}];`);
      b.push("  }");
    }
    const extraHeaders = [...(idempotent ? ["idempotency_key"] : []), ...(masked ? ["x_fields"] : [])];
    if (extraHeaders.length > 0) {
      b.push("");
      b.push("  static override getHeaderFields(): string[] {");
      b.push(`    return [...super.getHeaderFields(), ${extraHeaders.map(lit).join(", ")}];`);
      b.push("  }");
    }
    if (maskRequired.length > 0) {
      usesMaskFields = true;
      b.push("");
      b.push("  /** A mask always keeps the fields the response model requires. */");
      b.push("  protected override prepareInput(input: unknown): unknown {");
      b.push(`    return withRequiredMaskFields(input, [${maskRequired.map(lit).join(", ")}]);`);
      b.push("  }");
    }
    if (method === "delete" && (bodyDef || inlineBody)) {
      b.push("");
      b.push("  /** This DELETE carries a JSON body (the generic layer sends none with DELETE). */");
      b.push("  override body(): Record<string, unknown> {");
      b.push("    return this.bodyFields();");
      b.push("  }");
    }
    b.push("}");
    b.push("");
    requestBlocks.push(b.join("\n"));
  }

  // --- assemble -------------------------------------------------------------------------------------------
  P(header("Request and response classes"));
  P('import * as z from "zod";');
  P('import { endpoint, HordeResponse } from "../../core/messages.js";');
  const baseImports = [
    ...(usesAuth ? ["AuthenticatedAIHordeRequest"] : []),
    "apikeyShape",
    ...(usesBase ? ["BaseAIHordeRequest"] : []),
    "commonHeaderShape",
  ];
  P(`import { ${baseImports.join(", ")} } from "../base.js";`);
  P('import { lazySchema } from "../lazy.js";');
  P('import { HordeListResponse } from "../list.js";');
  P('import { hordeObject } from "../strict.js";');
  const supportImports = [
    ...(usesOpenString ? ["openString"] : []),
    "type RequestInput",
    ...(usesMaskFields ? ["withRequiredMaskFields"] : []),
    "xFieldsShape",
  ];
  P(`import { ${supportImports.join(", ")} } from "../support.js";`);
  P('import type { OperationId } from "./operations.js";');
  P('import * as schemas from "./schemas.js";');
  P();
  P(
    "// ---------------------------------------------------------------------------------------------------------",
  );
  P("// Response classes: one per success shape; the same class is the item class of the list responses.");
  P();
  out.push(...responseBlocks);
  P(
    "// ---------------------------------------------------------------------------------------------------------",
  );
  P("// Request classes: one per operation without hand-written semantics.");
  P();
  out.push(...requestBlocks);
  P("/** The generated request class of each operation that has one (the others are written by hand). */");
  P("export const generatedRequestClasses = {");
  for (const [id, cls, route] of generatedOps) {
    P(`  /** ${route}: {@link ${cls}}. */`);
    P(`  ${key(id)}: ${cls},`);
  }
  P("} as const;");
  P();
  P("/**");
  P(
    " * The SDK class names of every operation: its request class, the response class per success status, and",
  );
  P(" * the module under src/models/ that defines them by hand (`null`: generated into this file).");
  P(" */");
  P("export const operationClassNames: Record<");
  P("  OperationId,");
  P("  {");
  P("    /** The request class. */");
  P("    request: string;");
  P("    /** The module under src/models/ that defines the classes by hand, `null` when generated. */");
  P("    hand: string | null;");
  P("    /** The response class per success status. */");
  P("    responses: Readonly<Record<number, string>>;");
  P("  }");
  P("> = {");
  for (const { op } of ops) {
    const t = classTable[op.operationId];
    const resp = Object.entries(t.responses)
      .map(([s, c]) => `${s}: ${lit(c)}`)
      .join(", ");
    P(
      `  ${key(op.operationId)}: { request: ${lit(t.request)}, hand: ${t.hand ? lit(t.hand) : "null"}, responses: { ${resp} } },`,
    );
  }
  P("};");
  P();
  return {
    text: out.join("\n"),
    requests: generatedOps.length,
    responses: neededDefs.size + neededLists.size,
    classTable,
  };
}
