import type { Context } from "hono";
import { PayloadValidationError, PlainHttpError } from "./errors.js";

export const ANONYMOUS_API_KEY = "0000000000";
export const DEFAULT_CLIENT_AGENT = "unknown:0:unknown";

/**
 * Reads the JSON body. Malformed JSON is a 400 with a bare message, the way Flask reports a body it
 * cannot decode (§1.1.2 step 1, inferred), never a 500.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
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
