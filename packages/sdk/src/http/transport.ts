// One HTTP exchange, with the rules that keep the key safe. Private to the SDK: everything reaches it
// through the pipeline (http/pipeline.ts), which adds throttling and the retry policy.
import type { Clock } from "../core/clock.js";
import { DEFAULT_ACCEPT } from "../core/constants.js";
import { HordeAbortError, HordeConnectionError, HordeTimeoutError } from "../core/errors.js";
import { type Logger, noop } from "../core/logger.js";
import type { HttpMethod } from "../core/messages.js";
import { type RawResponse, rawResponse } from "./response.js";
import { asAbortError, linkSignals } from "./signals.js";

/** The fetch the client sends through: the global fetch, a test double, or `emulator.fetch` for an in-process emulator. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  clientAgent: string;
  fetch: FetchLike;
  /** Per-exchange timeout unless the call sets its own. */
  timeoutMs: number;
  logger: Logger;
  clock: Clock;
}

/** One request on the wire. */
export interface Exchange {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string> | undefined;
  /** JSON text for API calls; raw bytes for uploads (e.g. a worker's PUT to a presigned R2 URL). */
  body?: string | Uint8Array<ArrayBuffer> | undefined;
  signal?: AbortSignal | undefined;
  /** Attach the API key (only ever honoured for URLs under the base URL). */
  authenticate?: boolean | undefined;
  /** Override the per-exchange timeout. */
  timeoutMs?: number | undefined;
  /**
   * Once the request is on the wire, the caller's abort waits for the answer instead of dropping it. For
   * submits: an answer we never read is a job we cannot cancel.
   */
  uninterruptible?: boolean | undefined;
}

const MAX_REDIRECTS = 5;

/**
 * What may follow the base URL's href for `apiPath` to skip parsing (every URL the client builds): a path of
 * letters, digits and `_~/-` (no dot segment, no percent-escape, no backslash — nothing the URL parser
 * would rewrite), then any query or fragment. Such a URL parses to the base's origin and a path under the
 * base's path, so the answer is the same as the parse's.
 */
const PLAIN_TAIL = /^([\w~/-]*)(?:[?#][\s\S]*)?$/;

/** A fetch's answer with its body read. */
interface Answer {
  response: Response;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Sends one request and reads its answer:
 * - the API key goes to URLs under the base URL only — never to an image host, never across a redirect
 *   that leaves the API (redirects are followed by hand, so headers are decided per hop);
 * - `Accept` and `Client-Agent` are filled in from the client for API URLs, where the request left them out;
 * - no answer (refused, reset, DNS, TLS) is a HordeConnectionError; a timeout a HordeTimeoutError.
 */
export class Transport {
  readonly #config: TransportConfig;
  readonly #apiPrefix: URL;
  /** The base URL's own href when a plain tail can simply be appended to it (no query or fragment). */
  readonly #apiHref: string | undefined;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#apiPrefix = new URL(config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`);
    const { href, search, hash } = this.#apiPrefix;
    this.#apiHref = search === "" && hash === "" && href.endsWith("/") ? href : undefined;
  }

  /** True when `url` lies under the configured API base URL (same origin and path prefix). */
  isApiUrl(url: string | URL): boolean {
    return this.apiPath(url) !== undefined;
  }

  /**
   * The path of an API URL under the base URL (`/v2/generate/check/abc`), as the server's limiter keys it;
   * undefined for a URL outside the API.
   */
  apiPath(url: string | URL): string | undefined {
    const href = this.#apiHref;
    if (href !== undefined && typeof url === "string" && url.startsWith(href)) {
      const tail = PLAIN_TAIL.exec(url.slice(href.length));
      if (tail) return `/${tail[1]}`;
    }
    const u = new URL(url);
    const prefix = this.#apiPrefix;
    if (u.origin !== prefix.origin || !`${u.pathname}/`.startsWith(prefix.pathname)) return undefined;
    return u.pathname.slice(prefix.pathname.length - 1);
  }

  /** The key an exchange would carry (the request's own, else the client's). Never logged. */
  keyFor(exchange: Exchange): string | undefined {
    if (!exchange.authenticate) return undefined;
    return exchange.headers?.apikey ?? this.#config.apiKey;
  }

  /** Send `exchange` once (following redirects by hand) and read the whole answer; `attempt` is recorded on it. */
  async exchange(exchange: Exchange, attempt = 1): Promise<RawResponse> {
    const { clock, logger } = this.#config;
    let method = exchange.method;
    let url = exchange.url;
    let body = exchange.body;
    const signal = exchange.uninterruptible ? undefined : exchange.signal;
    const timeoutMs = exchange.timeoutMs ?? this.#config.timeoutMs;
    for (let hop = 0; ; hop++) {
      const headers = this.#headersFor(url, exchange);
      const what = `${method} ${url}`;
      const logged = logger.debug !== noop;
      const started = logged ? clock.now() : 0;
      let answer: Answer;
      try {
        answer = await this.#fetchWithin(
          { method, headers, body, redirect: "manual" },
          url,
          signal,
          timeoutMs,
          what,
        );
      } catch (error) {
        if (error instanceof HordeTimeoutError || error instanceof HordeAbortError) throw error;
        if (signal?.aborted) throw asAbortError(signal.reason, what);
        throw new HordeConnectionError(`${what} failed: ${describeFetchError(error)}`, method, url, {
          cause: error,
        });
      }
      const { response, bytes } = answer;
      if (logged) logger.debug(`${what} → ${response.status} (${clock.now() - started} ms)`);
      if (response.type === "opaqueredirect") {
        throw new HordeConnectionError(`${what} was redirected; refusing to follow blindly`, method, url);
      }
      const location = response.status >= 300 && response.status < 400 && response.headers.get("location");
      if (location) {
        if (hop >= MAX_REDIRECTS) throw new HordeConnectionError(`${what}: too many redirects`, method, url);
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
      return rawResponse({ status: response.status, headers: response.headers, url, method, bytes }, attempt);
    }
  }

  /**
   * One fetch and its whole body, within `timeoutMs`: one signal that the caller's abort and the timeout both
   * fire goes to fetch, so a timed-out attempt closes its connection instead of leaving it to a hung server.
   */
  #fetchWithin(
    init: RequestInit,
    url: string,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<Answer> {
    const { fetch } = this.#config;
    const read = async (s: AbortSignal | undefined): Promise<Answer> => {
      const response = await fetch(url, s ? { ...init, signal: s } : init);
      return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
    };
    return this.#fetchAbortable(read, signal, timeoutMs, what);
  }

  /** `read` with one signal that the caller's abort and the timeout both fire (after a first timeout). */
  async #fetchAbortable(
    read: (signal: AbortSignal) => Promise<Answer>,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<Answer> {
    const linked = linkSignals(signal, timeoutMs, what);
    try {
      return await read(linked.signal);
    } catch (error) {
      if (linked.signal.aborted) {
        const reason = linked.signal.reason;
        throw reason instanceof HordeTimeoutError ? reason : asAbortError(reason, what);
      }
      throw error;
    } finally {
      linked.dispose();
    }
  }

  /** Accept, Client-Agent and the key for API URLs; nothing of ours for anyone else. */
  #headersFor(url: string, exchange: Exchange): Record<string, string> {
    const headers: Record<string, string> = {};
    const given = exchange.headers;
    if (given) {
      for (const name of Object.keys(given)) {
        if (name.toLowerCase() !== "apikey") headers[name] = given[name] as string;
      }
    }
    if (!this.isApiUrl(url)) return headers;
    headers.Accept ??= DEFAULT_ACCEPT;
    headers["Client-Agent"] ??= this.#config.clientAgent;
    const key = this.keyFor(exchange);
    if (key !== undefined) headers.apikey = key;
    return headers;
  }
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    if (cause?.code) return `${error.message} (${cause.code})`;
    return error.message;
  }
  return String(error);
}
