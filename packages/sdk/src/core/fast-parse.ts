// A fast path for zod's success case. zod runs every field through its wrappers (`.nullish()` is two of
// them) with a payload and a context per call, which made validation cost ~2× JSON.parse on big lists. For a
// schema built only from the parts below, `fastParser` compiles one straight-line function that checks a
// value and, when it is valid, builds exactly the output zod would (same values, same key order). On anything
// it is not sure of it answers NOT_SURE and the caller runs zod, so every error (and every odd input) still
// comes from zod. A schema with any other part (refinements, records, transforms, lazy, …) gets no fast path,
// nor does any schema where `new Function` is not allowed (a strict CSP): zod alone then.
import type * as z from "zod";

/** "Ask zod": the value may be invalid, or valid in a way the fast path does not reproduce. */
export const NOT_SURE: unique symbol = Symbol("horde-sdk.not-sure");
type Fast = (value: unknown) => unknown;

type Def = {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  check?: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  entries?: Record<string, unknown>;
  coerce?: boolean;
};
type CheckDef = {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
};

/** The one catch-all that passes unknown fields through unless `strict()` (registered by models/strict.ts). */
let lenient: { catchall: z.ZodType; strict: () => boolean } | undefined;

/** Let the fast path treat `catchall` as "keep the field as is", and step aside while `strict()` is true. */
export function setLenientCatchall(catchall: z.ZodType, strict: () => boolean): void {
  lenient = { catchall, strict };
}

const cache = new WeakMap<z.ZodType, Fast | null>();

/** The schema's fast path, or undefined when it has none (or strict validation is on). */
export function fastParser(schema: z.ZodType): Fast | undefined {
  if (lenient?.strict()) return undefined;
  let fast = cache.get(schema);
  if (fast === undefined) {
    fast = evalAllowed() ? compile(schema) : null;
    cache.set(schema, fast);
  }
  return fast ?? undefined;
}

let evalAllowedCache: boolean | undefined;

/** Whether `new Function` works here (not under a strict CSP, nor on a runtime that forbids it). */
function evalAllowed(): boolean {
  if (evalAllowedCache === undefined) {
    try {
      new Function("");
      evalAllowedCache = true;
    } catch {
      evalAllowedCache = false;
    }
  }
  return evalAllowedCache;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Source text being written: statements, fresh variable names, and the values the code refers to. */
class Emitter {
  readonly lines: string[] = [];
  readonly constants: unknown[] = [];
  /** False once a part was met that the fast path does not reproduce: the schema then gets none. */
  supported = true;
  #next = 0;
  name(): string {
    return `v${this.#next++}`;
  }
  /** Marks the schema as not compilable; what is written from here on is thrown away. */
  unsupported(): string {
    this.supported = false;
    return "undefined";
  }
  constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }
}

function compile(schema: z.ZodType): Fast | null {
  const out = new Emitter();
  const result = emit(schema, "input", out);
  if (!out.supported) return null;
  const body = `return function fastParse(input) {\n${out.lines.join("\n")}\nreturn ${result};\n};`;
  return new Function("c", "NS", body)(out.constants, NOT_SURE) as Fast;
}

const fail = (condition: string) => `if (${condition}) return NS;`;

/** Writes the statements that check `x` against `schema`; returns the expression of zod's output. */
function emit(schema: z.ZodType | undefined, x: string, out: Emitter): string {
  if (!schema) return out.unsupported();
  const def = defOf(schema);
  if (def.check !== undefined || def.coerce) return out.unsupported(); // a schema that is itself a check
  const value = emitType(def, x, out);
  const checks = (def.checks ?? []).map((check) => checkFailure(check._zod.def, value, out));
  if (checks.length > 0) out.lines.push(fail(checks.join(" || ")));
  return value;
}

/** The condition under which the value `x` fails one of zod's checks. */
function checkFailure(c: CheckDef, x: string, out: Emitter): string {
  if (c.check === "number_format" && c.format === "safeint") return `!Number.isSafeInteger(${x})`;
  const n = c.minimum ?? c.maximum ?? c.length ?? c.value;
  if (typeof n !== "number") return out.unsupported();
  switch (c.check) {
    case "min_length":
      return `${x}.length < ${n}`;
    case "max_length":
      return `${x}.length > ${n}`;
    case "length_equals":
      return `${x}.length !== ${n}`;
    case "greater_than":
      return `!(${x} ${c.inclusive ? ">=" : ">"} ${n})`;
    case "less_than":
      return `!(${x} ${c.inclusive ? "<=" : "<"} ${n})`;
    default:
      return out.unsupported();
  }
}

function emitType(def: Def, x: string, out: Emitter): string {
  switch (def.type) {
    case "string":
    case "boolean":
      out.lines.push(fail(`typeof ${x} !== "${def.type}"`));
      return x;
    case "number":
      out.lines.push(fail(`typeof ${x} !== "number" || !Number.isFinite(${x})`));
      return x;
    case "unknown":
      out.lines.push(fail(`${x} === undefined`));
      return x;
    case "enum":
      out.lines.push(fail(`!${out.constant(new Set(Object.values(def.entries ?? {})))}.has(${x})`));
      return x;
    case "nullable": {
      const result = out.name();
      out.lines.push(`let ${result} = null;`, `if (${x} !== null) {`);
      const value = emit(def.innerType, x, out);
      out.lines.push(`${result} = ${value};`, "}");
      return result;
    }
    // An absent key is the object's business; an explicit undefined is left to zod.
    case "optional":
    case "default":
      out.lines.push(fail(`${x} === undefined`));
      return emit(def.innerType, x, out);
    case "array":
      return emitArray(def, x, out);
    case "object":
      return emitObject(def, x, out);
    default:
      return out.unsupported();
  }
}

function emitArray(def: Def, x: string, out: Emitter): string {
  const result = out.name();
  const i = out.name();
  const item = out.name();
  out.lines.push(fail(`!Array.isArray(${x})`), `const ${result} = new Array(${x}.length);`);
  out.lines.push(`for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {`, `const ${item} = ${x}[${i}];`);
  const value = emit(def.element, item, out);
  out.lines.push(`${result}[${i}] = ${value};`, "}");
  return result;
}

/** zod's output: declared keys in shape order (absent optional ones left out), then unknown keys as read. */
function emitObject(def: Def, x: string, out: Emitter): string {
  const shape = def.shape ?? {};
  const keepUnknown = def.catchall !== undefined;
  if (keepUnknown && def.catchall !== lenient?.catchall && !isBareUnknown(def.catchall))
    return out.unsupported();
  const result = out.name();
  out.lines.push(
    fail(`typeof ${x} !== "object" || ${x} === null || Array.isArray(${x})`),
    `const ${result} = {};`,
  );
  for (const key of Object.keys(shape)) {
    if (key === "__proto__") return out.unsupported();
    const schema = shape[key] as z.ZodType;
    const k = JSON.stringify(key);
    const field = out.name();
    out.lines.push(`const ${field} = ${x}[${k}];`, `if (${field} === undefined) {`, fail(`${k} in ${x}`));
    const absent = whenAbsent(schema);
    if (absent === undefined) return out.unsupported();
    if (absent === "fail") out.lines.push("return NS;");
    if (absent === "default")
      out.lines.push(`${result}[${k}] = ${out.constant(defOf(schema))}.defaultValue;`);
    out.lines.push("} else {");
    const value = emit(schema, field, out);
    out.lines.push(`${result}[${k}] = ${value};`, "}");
  }
  if (keepUnknown) {
    const declared = out.constant(new Set(Object.keys(shape)));
    const key = out.name();
    out.lines.push(
      `for (const ${key} in ${x}) {`,
      `if (${key} === "__proto__" || ${declared}.has(${key})) continue;`,
    );
    out.lines.push(fail(`${x}[${key}] === undefined`), `${result}[${key}] = ${x}[${key}];`, "}");
  }
  return result;
}

/** `z.unknown()` with no checks (the catch-all of `z.looseObject`): every defined value is kept as it is. */
function isBareUnknown(schema: z.ZodType | undefined): boolean {
  const def = schema && defOf(schema);
  return def?.type === "unknown" && (def.checks ?? []).length === 0;
}

/** What zod makes of an absent key (as its object parser decides it); undefined for a case not handled. */
function whenAbsent(schema: z.ZodType): "omit" | "default" | "fail" | undefined {
  const { optin, optout } = (schema as unknown as { _zod: { optin?: string; optout?: string } })._zod;
  if (optin === undefined) return "fail";
  if (optin === "optional" && optout === "optional") return "omit";
  if (optin === "defaulted" && defOf(schema).type === "default") return "default";
  return undefined;
}
