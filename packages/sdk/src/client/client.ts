import { type Clock, systemClock } from "../generic/clock.js";
import { HordeValidationError } from "../generic/errors.js";
import { consoleLogger, type Logger } from "../generic/logger.js";
import { ANONYMOUS_API_KEY, DEFAULT_BASE_URL, type HordeRequest } from "../generic/request.js";
import type { ImageGenerateAsyncPayload, ImageGenerateAsyncRequest } from "../models/generate/async.js";
import { VERSION } from "../version.js";
import { type GenerateImageOptions, type GenerateImageResult, runImageJob } from "./image-job.js";
import { type RetryOptions, resolveRetry } from "./retry.js";
import { AIHordeAPISession } from "./session.js";
import { errorFromResponse, type FetchLike, Transport } from "./transport.js";

export const DEFAULT_CLIENT_AGENT = `horde-sdk-ts:${VERSION}:https://www.npmjs.com/package/horde-sdk`;

export interface AIHordeClientOptions {
  /** API base URL (default `https://aihorde.net/api`). The API key is only ever sent to URLs under it. */
  baseUrl?: string;
  /** Your API key (default: the anonymous key `0000000000`). Never logged. */
  apiKey?: string;
  /** `name:version:contact`, sent as the `Client-Agent` header. */
  clientAgent?: string;
  /** A fetch implementation (default: the global fetch). Pass `emulator.fetch` for an in-process emulator. */
  fetch?: FetchLike;
  /** Per-HTTP-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Backoff for requests that are safe to repeat; `false` disables retries. */
  retry?: RetryOptions | false;
  /** Polling pace. `pollIntervalMs` is never below 1000: the server caches /check for 1 s anyway. */
  rateLimit?: { pollIntervalMs?: number };
  logger?: Logger;
  /** Time source for waiting (tests pass a virtual clock). */
  clock?: Clock;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
}

/**
 * The AI Horde client: executes request objects safely (validation, retries where safe, key hygiene)
 * and runs whole job lifecycles (`generateImage`).
 */
export class AIHordeAPIClient {
  readonly baseUrl: string;
  readonly clientAgent: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  readonly #transport: Transport;

  constructor(options: AIHordeClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    try {
      new URL(this.baseUrl);
    } catch {
      throw new HordeValidationError("AIHordeClientOptions", [
        { path: "baseUrl", message: "must be an absolute URL" },
      ]);
    }
    if (options.apiKey !== undefined && options.apiKey.trim() === "") {
      throw new HordeValidationError("AIHordeClientOptions", [
        { path: "apiKey", message: "must not be empty" },
      ]);
    }
    this.clientAgent = options.clientAgent ?? DEFAULT_CLIENT_AGENT;
    this.logger = options.logger ?? consoleLogger;
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = Math.max(1000, options.rateLimit?.pollIntervalMs ?? 1000);
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#transport = new Transport({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey ?? ANONYMOUS_API_KEY,
      clientAgent: this.clientAgent,
      fetch: fetchImpl,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: resolveRetry(options.retry),
      logger: this.logger,
      clock: this.clock,
    });
  }

  /** @internal The transport (downloads and lifecycles use it). */
  get transport(): Transport {
    return this.#transport;
  }

  /**
   * Send one request. Resolves to the response class that the request's `getSuccessStatusResponsePairs()`
   * names for the HTTP status received; any other status rejects with AIHordeRequestError.
   * A submit (POST) is never repeated once it may have reached the server.
   */
  async submitRequest<Q extends HordeRequest>(
    request: Q,
    options: SubmitOptions = {},
  ): Promise<NonNullable<Q["~response"]>> {
    const ctor = request.constructor as typeof HordeRequest;
    const spec = request.toHttp(this.baseUrl);
    const raw = await this.#transport.send({
      method: spec.method,
      url: spec.url,
      headers: spec.headers,
      body: spec.body,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      authenticate: ctor.getHeaderFields().includes("apikey"),
    });
    const responseClass = ctor.getSuccessStatusResponsePairs()[raw.status];
    if (!responseClass) throw errorFromResponse(raw, this.clock.now());
    let json: unknown;
    try {
      json = JSON.parse(raw.text());
    } catch {
      throw new HordeValidationError(responseClass.name, [
        { path: "", message: `the server answered ${raw.status} with a body that is not JSON` },
      ]);
    }
    return responseClass.parse(json) as NonNullable<Q["~response"]>;
  }

  /** A session: every job submitted through it is completed or cancelled by `close()` / `await using`. */
  session(): AIHordeAPISession {
    return new AIHordeAPISession(this);
  }

  /**
   * Submit an image request, wait for it, fetch and download the results. On abort, timeout or error the job
   * is cancelled on the server before the promise rejects.
   */
  generateImage(
    requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
    options: GenerateImageOptions = {},
  ): Promise<GenerateImageResult> {
    return runImageJob(this, requestOrPayload, options);
  }
}
