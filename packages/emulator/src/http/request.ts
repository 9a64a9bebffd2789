import type { Context } from "hono";
import { PayloadValidationError, PlainHttpError } from "./errors.js";

export const ANONYMOUS_API_KEY = "0000000000";
export const DEFAULT_CLIENT_AGENT = "unknown:0:unknown";

/** JSON bodies may nest at most this deep; deeper ones are refused before parsing. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a JSON text (brackets outside strings), stopping early past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \\ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123 /* [ { */) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return max;
}

/**
 * Reads the JSON body. Malformed JSON is a 400 with a bare message, the way Flask reports a body it
 * cannot decode (§1.1.2 step 1, inferred), never a 500. Bodies nested deeper than `MAX_JSON_DEPTH`
 * are refused the same way (the server would likely fail with a 500 on Python's recursion limit).
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new PlainHttpError(
      400,
      `Failed to decode JSON object: nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlainHttpError(400, `Failed to decode JSON object: ${(e as Error).message}`);
  }
}

/**
 * What the server's request parser says about a missing required argument: the argument's help text,
 * then "Missing required parameter in <where>" (flask-restx reqparse, inferred).
 */
export function missingParameter(name: string, help: string, where: "the HTTP headers" | "the JSON body") {
  return new PayloadValidationError({ [name]: `${help} Missing required parameter in ${where}` });
}

/** The `apikey` header, required by the parser on async/pop/submit: missing → 400 `errors` shape (§4). */
export function requireApiKey(c: Context): string {
  const key = c.req.header("apikey");
  if (key === undefined || key === "") {
    throw missingParameter("apikey", "The API Key corresponding to a registered user.", "the HTTP headers");
  }
  return key;
}

export function clientAgent(c: Context): string {
  return c.req.header("Client-Agent") || DEFAULT_CLIENT_AGENT;
}

/** The origin the client used to reach us: R2 URLs are minted under it, so they work in-process and over HTTP. */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
