import type { Clock } from "../generic/clock.js";
import {
  type AIHordeRequestError,
  HordeConnectionError,
  HordeError,
  HordeTimeoutError,
  requestErrorFor,
} from "../generic/errors.js";
import type { Logger } from "../generic/logger.js";
import type { HttpMethod } from "../generic/request.js";
import type { RateLimiter } from "./rate-limit.js";
import { backoffDelay, RETRYABLE_STATUSES, type ResolvedRetry, retryAfterMs } from "./retry.js";
import { asAbortError, linkSignals } from "./signals.js";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  clientAgent: string;
  fetch: FetchLike;
  timeoutMs: number;
  retry: ResolvedRetry;
  logger: Logger;
  clock: Clock;
  /** Client-side throttle shared by every request of the client; none = no throttling. */
  limiter?: RateLimiter;
}

export interface SendOptions {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** JSON text for API calls; raw bytes for uploads (e.g. a worker's PUT to a presigned R2 URL). */
  body?: string | Uint8Array<ArrayBuffer> | undefined;
  signal?: AbortSignal | undefined;
  /** Attach the API key (only ever honoured for URLs under the base URL). */
  authenticate?: boolean;
  /** Override the per-attempt timeout. */
  timeoutMs?: number | undefined;
  /**
   * Once the request is on the wire, the caller's abort waits for the answer instead of dropping it. For
   * submits: an answer we never read is a job we cannot cancel. Waiting to send still aborts at once.
   */
  uninterruptible?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  url: string;
  method: HttpMethod;
  /** The body, read once. */
  bytes: Uint8Array<ArrayBuffer>;
  text(): string;
}

const MAX_REDIRECTS = 5;

/**
 * Sends HTTP requests with the rules that keep users safe:
 * - the API key goes to URLs under the base URL only — never to an image host, never across a redirect;
 * - GET/DELETE are retried (backoff, Retry-After); a POST is retried only when the server provably did not
 *   run it (a rate-limit 429 without an rc, or a refused connection), because a repeated submit costs kudos twice.
 */
export class Transport {
  readonly #config: TransportConfig;
  readonly #apiPrefix: URL;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#apiPrefix = new URL(config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`);
  }

  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  /** True when `url` lies under the configured API base URL (same origin and path prefix). */
  isApiUrl(url: string | URL): boolean {
    const u = new URL(url);
    const prefix = this.#apiPrefix;
    return u.origin === prefix.origin && `${u.pathname}/`.startsWith(prefix.pathname);
  }

  async send(options: SendOptions): Promise<RawResponse> {
    const { retry, clock, logger } = this.#config;
    const idempotent = options.method === "GET" || options.method === "DELETE" || options.method === "PUT";
    const throttled =
      this.#config.limiter && this.isApiUrl(options.url) ? this.#throttleKey(options) : undefined;
    let attempt = 0;
    for (;;) {
      attempt += 1;
      const canRetry = attempt <= retry.maxRetries;
      let response: RawResponse;
      if (throttled) {
        await this.#config.limiter
          ?.acquire(options.method, throttled.path, throttled.keyId, options.signal)
          .catch((e: unknown) => {
            throw asAbortError(options.signal?.reason ?? e, `${options.method} ${options.url}`);
          });
      }
      try {
        response = await this.#attempt(options);
      } catch (error) {
        if (options.signal?.aborted)
          throw asAbortError(options.signal.reason, `${options.method} ${options.url}`);
        const refused = error instanceof HordeConnectionError && isConnectionRefused(error);
        if (canRetry && error instanceof HordeError && (idempotent || refused)) {
          const delay = backoffDelay(attempt, retry);
          logger.warn(
            `${options.method} ${options.url} failed (${error.message}); retry ${attempt} in ${delay} ms`,
          );
          await clock.sleep(delay, options.signal).catch((e) => {
            throw asAbortError(options.signal?.reason ?? e, `${options.method} ${options.url}`);
          });
          continue;
        }
        throw error;
      }
      if (throttled && isRateLimitOnly(response)) {
        const after = retryAfterMs(response.headers, clock.now()) ?? 1000;
        this.#config.limiter?.penalize(options.method, throttled.path, throttled.keyId, after);
      }
      if (canRetry && RETRYABLE_STATUSES.has(response.status) && (idempotent || isRateLimitOnly(response))) {
        const after = retryAfterMs(response.headers, clock.now());
        if (after === null || after <= retry.maxRetryAfterMs) {
          const delay = after ?? backoffDelay(attempt, retry);
          logger.warn(
            `${options.method} ${options.url} answered ${response.status}; retry ${attempt} in ${delay} ms`,
          );
          await clock.sleep(delay, options.signal).catch((e) => {
            throw asAbortError(options.signal?.reason ?? e, `${options.method} ${options.url}`);
          });
          continue;
        }
      }
      return response;
    }
  }

  /** One attempt, following redirects by hand so headers are decided per hop. */
  async #attempt(options: SendOptions): Promise<RawResponse> {
    const { fetch, clock, logger } = this.#config;
    let method = options.method;
    let url = options.url;
    let body = options.body;
    const timeoutMs = options.timeoutMs ?? this.#config.timeoutMs;
    for (let hop = 0; ; hop++) {
      const headers = this.#headersFor(url, options);
      const linked = linkSignals(
        options.uninterruptible ? undefined : options.signal,
        timeoutMs,
        `${method} ${url}`,
      );
      const started = clock.now();
      let response: Response;
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        response = await fetch(url, { method, headers, body, signal: linked.signal, redirect: "manual" });
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        if (linked.signal.aborted) {
          const reason = linked.signal.reason;
          if (reason instanceof HordeTimeoutError) throw reason;
          throw asAbortError(reason, `${method} ${url}`);
        }
        throw new HordeConnectionError(`${method} ${url} failed: ${describeFetchError(error)}`, method, url, {
          cause: error,
        });
      } finally {
        linked.dispose();
      }
      logger.debug(`${method} ${url} → ${response.status} (${clock.now() - started} ms)`);
      if (response.type === "opaqueredirect") {
        throw new HordeConnectionError(
          `${method} ${url} was redirected; refusing to follow blindly`,
          method,
          url,
        );
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        if (hop >= MAX_REDIRECTS)
          throw new HordeConnectionError(`${method} ${url}: too many redirects`, method, url);
        url = new URL(location, url).toString();
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && method === "POST")
        ) {
          method = "GET";
          body = undefined;
        }
        continue;
      }
      let decoded: string | undefined;
      return {
        status: response.status,
        headers: response.headers,
        url,
        method,
        bytes,
        text: () => {
          decoded ??= new TextDecoder().decode(bytes);
          return decoded;
        },
      };
    }
  }

  /** The path under the base URL and a non-secret id of the key, as the server's limiter keys them. */
  #throttleKey(options: SendOptions): { path: string; keyId: string } {
    const path = new URL(options.url).pathname.slice(this.#apiPrefix.pathname.length - 1);
    const key = options.authenticate ? (options.headers?.apikey ?? this.#config.apiKey) : ANONYMOUS_KEY;
    return { path, keyId: fingerprint(key) };
  }

  /** Client-Agent and the key for API URLs; nothing of ours for anyone else. */
  #headersFor(url: string, options: SendOptions): Record<string, string> {
    const headers: Record<string, string> = { ...options.headers };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === "apikey") delete headers[name];
    }
    if (!this.isApiUrl(url)) return headers;
    headers.Accept ??= "application/json";
    headers["Client-Agent"] ??= this.#config.clientAgent;
    if (options.authenticate) {
      headers.apikey = options.headers?.apikey ?? this.#config.apiKey;
    }
    return headers;
  }
}

const ANONYMOUS_KEY = "0000000000";

/** FNV-1a of a secret: enough to tell keys apart in a bucket map, useless for recovering the key. */
function fingerprint(secret: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) {
    hash ^= secret.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

/** A 429 from the rate limiter (no rc) means the server did not run the request: safe to repeat even a POST. */
function isRateLimitOnly(response: RawResponse): boolean {
  if (response.status !== 429) return false;
  try {
    const body = JSON.parse(response.text()) as { rc?: unknown };
    return body.rc === undefined || body.rc === null;
  } catch {
    return true;
  }
}

function isConnectionRefused(error: HordeConnectionError): boolean {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause; depth++) {
    if (typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === "ECONNREFUSED")
      return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    if (cause?.code) return `${error.message} (${cause.code})`;
    return error.message;
  }
  return String(error);
}

/** Build the AIHordeRequestError for an error answer, whatever its body looks like (JSON, HTML, empty). */
export function errorFromResponse(response: RawResponse, now: number): AIHordeRequestError {
  const text = response.text();
  let message = `HTTP ${response.status}`;
  let rc: string | null = null;
  let errors: Record<string, string> | null = null;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
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
  });
}
