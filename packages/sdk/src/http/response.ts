import { type AIHordeRequestError, requestErrorFor } from "../core/errors.js";
import type { HttpMethod } from "../core/messages.js";
import { retryAfterMs } from "./retry.js";

/** One HTTP answer, body read once: what `client.submitRequestRaw` and `client.fetchUrl` resolve to. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The URL that answered (after redirects) and the method used there. */
  readonly url: string;
  readonly method: HttpMethod;
  /** The body. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** How many times the request was sent to get this answer (1 unless it was retried). */
  readonly attempts: number;
  /** The body as text (decoded once). */
  text(): string;
  /** The body as JSON (parsed once); throws a SyntaxError when it is not JSON. */
  json(): unknown;
}

const decoder = new TextDecoder();

/** A RawResponse over `bytes`; text and JSON are decoded on first use and kept. */
class BufferedResponse implements RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly url: string;
  readonly method: HttpMethod;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly attempts: number;
  #text: string | undefined;
  #parsed: { value: unknown } | { error: unknown } | undefined;

  constructor(init: Omit<RawResponse, "text" | "json" | "attempts">, attempts: number) {
    this.status = init.status;
    this.headers = init.headers;
    this.url = init.url;
    this.method = init.method;
    this.bytes = init.bytes;
    this.attempts = attempts;
  }

  text(): string {
    this.#text ??= decoder.decode(this.bytes);
    return this.#text;
  }

  json(): unknown {
    if (!this.#parsed) {
      try {
        this.#parsed = { value: JSON.parse(this.text()) };
      } catch (error) {
        this.#parsed = { error };
      }
    }
    if ("error" in this.#parsed) throw this.#parsed.error;
    return this.#parsed.value;
  }
}

/** A RawResponse over `bytes`, from the `attempt`-th sending of its request. */
export function rawResponse(
  init: Omit<RawResponse, "text" | "json" | "attempts">,
  attempts = 1,
): RawResponse {
  return new BufferedResponse(init, attempts);
}

/** The `rc` of an error body, or null (no JSON, or no rc). */
export function rcOf(response: RawResponse): string | null {
  try {
    const rc = (response.json() as { rc?: unknown } | null)?.rc;
    return typeof rc === "string" ? rc : null;
  } catch {
    return null;
  }
}

/** Build the AIHordeRequestError for an error answer, whatever its body looks like (JSON, HTML, empty). */
export function errorFromResponse(response: RawResponse, now: number): AIHordeRequestError {
  const text = response.text();
  let message = `HTTP ${response.status}`;
  let rc: string | null = null;
  let errors: Record<string, string> | null = null;
  try {
    const body = response.json() as Record<string, unknown>;
    if (typeof body.message === "string") message = body.message;
    if (typeof body.rc === "string") rc = body.rc;
    if (body.errors && typeof body.errors === "object") {
      errors = Object.fromEntries(Object.entries(body.errors).map(([k, v]) => [k, String(v)]));
      const first = Object.entries(errors)
        .slice(0, 3)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ");
      if (first) message = `${message} (${first})`;
    }
  } catch {
    const snippet = text
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 200);
    if (snippet) message = `HTTP ${response.status}: ${snippet}`;
  }
  const after = retryAfterMs(response.headers, now);
  return requestErrorFor({
    status: response.status,
    message,
    rc,
    errors,
    method: response.method,
    url: response.url,
    retryAfterSeconds: after === null ? null : after / 1000,
    bodyText: text.slice(0, 2000),
    headers: Object.fromEntries(response.headers.entries()),
    attempts: response.attempts,
  });
}
