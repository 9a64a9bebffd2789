/**
 * The server's request parser (flask-restx `reqparse`), for the routes whose handler reads its arguments
 * one by one (docs/server/errors.md#validation-errors): each argument comes from the JSON body, a header
 * or the query string, is converted with its Python type, and the first one that fails aborts with 400
 * `{"message": "Input payload validation failed", "errors": {name: "<help> <reason>"}}`.
 */
import type { Context } from "hono";
import { PayloadValidationError } from "./errors.js";
import { readJsonBody } from "./request.js";
import { type BodySchemaName, pyRepr, validateBody } from "./validation.js";

export type ArgType = "str" | "int" | "float" | "bool" | "list" | "dict";

export interface ArgSpec {
  type: ArgType;
  location: "json" | "headers" | "args";
  required?: boolean;
  help?: string;
  default?: unknown;
}

export type ArgSpecs = Record<string, ArgSpec>;

const WHERE: Record<ArgSpec["location"], string> = {
  json: "the JSON body",
  headers: "the HTTP headers",
  args: "the query string",
};

/** A conversion failed: `reason` is Python's exception text. */
class ConversionError extends Error {}

const pyType = (v: unknown): string => {
  if (Array.isArray(v)) return "list";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  return "dict";
};

/** Python's `str()` of a JSON value. */
function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return pyRepr(v);
}

/** Python's `int()`, `float()`, `bool()`, `list()`, `dict()` of a JSON value (or a header/query string). */
function convert(type: ArgType, v: unknown): unknown {
  switch (type) {
    case "str":
      return pyStr(v);
    case "int":
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "string") {
        if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(v))
          throw new ConversionError(`invalid literal for int() with base 10: ${pyRepr(v)}`);
        return Number.parseInt(v.replaceAll("_", ""), 10);
      }
      throw new ConversionError(
        `int() argument must be a string, a bytes-like object or a real number, not '${pyType(v)}'`,
      );
    case "float":
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") return v;
      if (typeof v === "string") {
        const n = Number(v.trim());
        if (v.trim() === "" || Number.isNaN(n))
          throw new ConversionError(`could not convert string to float: ${pyRepr(v)}`);
        return n;
      }
      throw new ConversionError(`float() argument must be a string or a real number, not '${pyType(v)}'`);
    case "bool":
      if (Array.isArray(v)) return v.length > 0;
      if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
      return Boolean(v);
    case "list":
      if (Array.isArray(v)) return v;
      if (typeof v === "string") return [...v];
      if (v !== null && typeof v === "object") return Object.keys(v);
      throw new ConversionError(`'${pyType(v)}' object is not iterable`);
    case "dict":
      if (v !== null && typeof v === "object" && !Array.isArray(v)) return v;
      if (typeof v === "string")
        throw new ConversionError("dictionary update sequence element #0 has length 1; 2 is required");
      if (Array.isArray(v)) {
        if (v.length === 0) return {};
        throw new ConversionError(`cannot convert dictionary update sequence element #0 to a sequence`);
      }
      throw new ConversionError(`'${pyType(v)}' object is not iterable`);
  }
}

function fail(name: string, spec: ArgSpec, reason: string): never {
  throw new PayloadValidationError({ [name]: spec.help ? `${spec.help} ${reason}` : reason });
}

/**
 * Parses the arguments in the order given (the parser's order, which decides which error is reported).
 * `json` is the body as the handler sees it: a non-object body has no arguments. A JSON `null` is kept
 * as null (not the default), as reqparse does.
 */
export function parseArgs(c: Context, json: unknown, specs: ArgSpecs): Record<string, unknown> {
  const body = json !== null && typeof json === "object" && !Array.isArray(json) ? json : {};
  const query = new URL(c.req.url).searchParams;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    let found = false;
    let value: unknown;
    if (spec.location === "json") {
      found = Object.hasOwn(body, name);
      value = (body as Record<string, unknown>)[name];
    } else if (spec.location === "headers") {
      value = c.req.header(name);
      found = value !== undefined;
    } else {
      found = query.has(name);
      value = query.get(name);
    }
    if (!found) {
      if (spec.required) fail(name, spec, `Missing required parameter in ${WHERE[spec.location]}`);
      out[name] = spec.default ?? null;
      continue;
    }
    try {
      out[name] = value === null ? null : convert(spec.type, value);
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      fail(name, spec, e.message);
    }
  }
  return out;
}

/** The JSON body read the way `request.get_json(silent=True)` does: anything unreadable is no body. */
export async function readSilentJson(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text());
  } catch {
    return null;
  }
}

/** The JSON body of a route the server validates against a model (`validate=True`): malformed → 400, invalid → 400 `errors`. */
export async function readValidatedBody(c: Context, schema: BodySchemaName): Promise<unknown> {
  const body = await readJsonBody(c);
  validateBody(schema, body);
  return body;
}
