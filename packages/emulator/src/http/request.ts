/**
 * Reading a request the way the server's parser does: the JSON body (malformed or too deep → 400), its
 * schema, the `apikey` header and the fields the parser requires, in that order
 * (docs/server/image-requests.md#submit-order steps 1–2); then
 * the `Caller` the domain gets.
 */
import type { Context, Handler } from "hono";
import type { Caller } from "../horde/caller.js";
import { BareError } from "../horde/errors.js";
import { missingParameter } from "./errors.js";
import { metaOf } from "./meta.js";
import { type BodySchemaName, validateBody } from "./validation.js";

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
 * cannot decode (docs/server/image-requests.md#submit-order step 1, inferred), never a 500. Bodies nested
 * deeper than `MAX_JSON_DEPTH`
 * are refused the same way (the server would likely fail with a 500 on Python's recursion limit).
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new BareError(400, `Failed to decode JSON object: nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BareError(400, `Failed to decode JSON object: ${(e as Error).message}`);
  }
}

interface Parser {
  apikey: boolean;
  fields?: Record<string, string>;
}

/**
 * What each body's parser requires beyond the schema: the apikey header, and fields with their help text.
 * (The directory's routes parse their arguments one by one with `parseArgs`, http/args.ts.)
 */
const PARSERS = {
  GenerationInputStable: { apikey: true },
  // The prompt is not required by the schema, but by the parser (inferred).
  GenerationInputKobold: {
    apikey: true,
    fields: { prompt: "The prompt which will be sent to KoboldAI to generate text." },
  },
  ModelInterrogationInputStable: {
    apikey: true,
    fields: { source_image: "The public URL of the image to interrogate." },
  },
  // `name` is optional in the pop models but required by the parser (docs/server/workers.md#pop).
  PopInputStable: { apikey: true, fields: { name: "The Name of the Worker." } },
  PopInputKobold: { apikey: true, fields: { name: "The Name of the Worker." } },
  InterrogationPopInput: { apikey: true, fields: { name: "The Name of the Worker." } },
  SubmitInputStable: {
    apikey: true,
    fields: { generation: "R2 result was uploaded to R2, else the string of the result." },
  },
  SubmitInputKobold: { apikey: true, fields: { generation: "The generated text." } },
  post_interrogate_submit: { apikey: true },
  AestheticsPayload: { apikey: false },
} satisfies Partial<Record<BodySchemaName, Parser>>;

/** The bodies `readCall` knows the parser of. */
export type CallSchema = keyof typeof PARSERS;

/**
 * The body (checked against its schema and parser) and the caller. A required field that is not a string
 * is reported missing, as reqparse does for `type=str` arguments.
 */
export async function readCall<T = Record<string, unknown>>(
  c: Context,
  schema: CallSchema,
): Promise<{ body: T; caller: Caller }> {
  const body = await readJsonBody(c);
  validateBody(schema, body);
  const parser: Parser = PARSERS[schema];
  const caller = callerOf(c, parser.apikey);
  const json = body as Record<string, unknown>;
  for (const [name, help] of Object.entries(parser.fields ?? {})) {
    if (typeof json[name] !== "string") throw missingParameter(name, help, "the JSON body");
  }
  return { body: json as T, caller };
}

/** A POST handler: read the call, run the domain operation, answer its result as JSON (200 unless told). */
export function handleCall<T = Record<string, unknown>>(
  schema: CallSchema,
  operation: (body: T, caller: Caller) => unknown,
  status: 200 | 202 = 200,
): Handler {
  return async (c) => {
    const { body, caller } = await readCall<T>(c, schema);
    return c.json(await operation(body, caller), status);
  };
}

/** An image or text `…/async` handler: a dry run answers 200 with the estimate, a new request 202. */
export function handleSubmit(
  schema: CallSchema,
  operation: (body: Record<string, unknown>, caller: Caller) => Promise<{ dryRun: boolean; body: unknown }>,
): Handler {
  return async (c) => {
    const { body, caller } = await readCall(c, schema);
    const out = await operation(body, caller);
    return c.json(out.body, out.dryRun ? 200 : 202);
  };
}

/**
 * Who is asking. With `requireKey`, a missing `apikey` header is the parser's 400 `errors` shape
 * (docs/server/auth-and-headers.md#auth-and-headers);
 * without, it is "".
 */
export function callerOf(c: Context, requireKey = false): Caller {
  const apikey = c.req.header("apikey");
  if (requireKey && (apikey === undefined || apikey === "")) {
    throw missingParameter("apikey", "The API Key corresponding to a registered user.", "the HTTP headers");
  }
  return {
    apikey: apikey ?? "",
    clientAgent: c.req.header("Client-Agent") || DEFAULT_CLIENT_AGENT,
    origin: requestOrigin(c),
    maintenance: metaOf(c).maintenance === true,
  };
}

/** The origin the client used to reach us: R2 URLs are minted under it, so they work in-process and over HTTP. */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
