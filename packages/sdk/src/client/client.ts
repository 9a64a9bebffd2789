import { type Clock, systemClock } from "../generic/clock.js";
import { HordeValidationError, TooManyPromptsError } from "../generic/errors.js";
import { consoleLogger, type Logger } from "../generic/logger.js";
import { stableStringify } from "../generic/model.js";
import { ANONYMOUS_API_KEY, DEFAULT_BASE_URL, type HordeRequest } from "../generic/request.js";
import type { HordeResponse } from "../generic/response.js";
import type { AlchemyAsyncPayload, AlchemyAsyncRequest } from "../models/alchemy/async.js";
import * as readMethods from "../models/api-methods.js";
import {
  ImageGenerateAsyncDryRunResponse,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
} from "../models/generate/async.js";
import type { TextGenerateAsyncPayload, TextGenerateAsyncRequest } from "../models/text/async.js";
import { VERSION } from "../version.js";
import {
  type AlchemyJob,
  type RunAlchemyOptions,
  type RunAlchemyResult,
  runAlchemy,
  submitAlchemy,
} from "./alchemy-job.js";
import {
  type GenerateImageOptions,
  type GenerateImageResult,
  generateImage,
  type ImageJob,
  type SubmitImageOptions,
  submitImage,
} from "./image-job.js";
import type { PollPacing } from "./polling.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import { backoffDelay, type ResolvedRetry, type RetryOptions, resolveRetry } from "./retry.js";
import { AIHordeAPISession } from "./session.js";
import { asAbortError } from "./signals.js";
import {
  type GenerateTextOptions,
  type GenerateTextResult,
  generateText,
  submitText,
  type TextJob,
} from "./text-job.js";
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
  /**
   * Client-side throttling with the contract's per-endpoint limits (on by default), and the polling pace:
   * polls of one job are at least `pollIntervalMs` apart (never below 1000 — the server caches /check for
   * 1 s) and at most `maxPollIntervalMs` (default 30 s).
   */
  rateLimit?: RateLimitOptions & { pollIntervalMs?: number; maxPollIntervalMs?: number };
  /**
   * When a submit is refused with 429 TooManyPrompts (the account's concurrency is full), wait and resend it
   * — in order with later submits — instead of failing (default true). Safe: a refused submit created nothing.
   */
  queueOnTooManyPrompts?: boolean;
  logger?: Logger;
  /** Time source for waiting (tests pass a virtual clock). */
  clock?: Clock;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
}

/** Backoff while the account's concurrency is full: 2 s doubling to 30 s. */
const TOO_MANY_PROMPTS_BACKOFF = { firstMs: 2_000, maxMs: 30_000 };

/**
 * The AI Horde client: executes request objects safely (validation, retries where safe, throttling, key
 * hygiene) and runs whole job lifecycles (`generateImage`, `submitImage`).
 */
export class AIHordeAPIClient {
  readonly baseUrl: string;
  readonly clientAgent: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pollPacing: PollPacing;
  readonly #transport: Transport;
  readonly #queueOnTooManyPrompts: boolean;
  readonly #retry: ResolvedRetry;
  /** While a submit waits out TooManyPrompts, later submits wait behind it (order is kept). */
  #submitBarrier: Promise<void> = Promise.resolve();
  readonly #estimates = new Map<string, Promise<number>>();

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
    // The horde asks every client to identify itself as name:version:contact (ai-horde-api §4).
    if (!/^[^:\s]+:[^:\s]+:\S.*$/.test(this.clientAgent)) {
      throw new HordeValidationError("AIHordeClientOptions", [
        {
          path: "clientAgent",
          message: 'must look like "name:version:contact", e.g. "my-app:1.0:me@example.com"',
        },
      ]);
    }
    this.logger = options.logger ?? consoleLogger;
    this.clock = options.clock ?? systemClock;
    const minIntervalMs = Math.max(1000, options.rateLimit?.pollIntervalMs ?? 1000);
    this.pollPacing = {
      minIntervalMs,
      maxIntervalMs: Math.max(minIntervalMs, options.rateLimit?.maxPollIntervalMs ?? 30_000),
    };
    this.#queueOnTooManyPrompts = options.queueOnTooManyPrompts ?? true;
    this.#retry = resolveRetry(options.retry);
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#transport = new Transport({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey ?? ANONYMOUS_API_KEY,
      clientAgent: this.clientAgent,
      fetch: fetchImpl,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: this.#retry,
      logger: this.logger,
      clock: this.clock,
      limiter: new RateLimiter(this.clock, options.rateLimit),
    });
  }

  /** @internal The transport (downloads and lifecycles use it). */
  get transport(): Transport {
    return this.#transport;
  }

  /**
   * Send one request. Resolves to the response class that the request's `getSuccessStatusResponsePairs()`
   * names for the HTTP status received; any other status rejects with AIHordeRequestError (or a subclass
   * chosen by its rc). A submit (POST) is never repeated once it may have reached the server.
   */
  async submitRequest<Q extends HordeRequest>(
    request: Q,
    options: SubmitOptions & { uninterruptible?: boolean } = {},
  ): Promise<NonNullable<Q["~response"]>> {
    const ctor = request.constructor as typeof HordeRequest;
    const spec = request.toHttp(this.baseUrl);
    // A success whose body cannot be read (cut off, garbled by a proxy) is asked again when asking again is
    // harmless (GET/DELETE); a submit's unreadable answer is reported, never repeated (it may have queued a job).
    const idempotent = spec.method === "GET" || spec.method === "DELETE";
    for (let attempt = 1; ; attempt++) {
      const raw = await this.#transport.send({
        method: spec.method,
        url: spec.url,
        headers: spec.headers,
        body: spec.body,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        uninterruptible: options.uninterruptible,
        authenticate: ctor.getHeaderFields().includes("apikey"),
      });
      const responseClass = ctor.getSuccessStatusResponsePairs()[raw.status];
      if (!responseClass) throw errorFromResponse(raw, this.clock.now());
      let json: unknown;
      try {
        json = JSON.parse(raw.text());
      } catch {
        if (idempotent && attempt <= this.#retry.maxRetries) {
          const delay = backoffDelay(attempt, this.#retry);
          this.logger.warn(
            `${spec.method} ${spec.url} answered ${raw.status} with a body that is not JSON; retry ${attempt} in ${delay} ms`,
          );
          await this.clock.sleep(delay, options.signal).catch((e: unknown) => {
            throw asAbortError(options.signal?.reason ?? e, `${spec.method} ${spec.url}`);
          });
          continue;
        }
        throw new HordeValidationError(responseClass.name, [
          { path: "", message: `the server answered ${raw.status} with a body that is not JSON` },
        ]);
      }
      return responseClass.parse(json) as NonNullable<Q["~response"]>;
    }
  }

  /**
   * Submit a request that starts a job, the safe way: once sent, the caller's abort waits for the answer
   * (so the job can be cancelled rather than lost) and then cancels it; TooManyPrompts is waited out in order
   * when `queueOnTooManyPrompts` is on.
   */
  async submitJobRequest<Q extends HordeRequest>(
    request: Q,
    signal?: AbortSignal,
  ): Promise<NonNullable<Q["~response"]>> {
    const before = this.#submitBarrier;
    let release = () => {};
    let held = false;
    try {
      await raceAbort(before, signal);
      for (
        let delay = TOO_MANY_PROMPTS_BACKOFF.firstMs;
        ;
        delay = Math.min(delay * 2, TOO_MANY_PROMPTS_BACKOFF.maxMs)
      ) {
        try {
          const response = await this.submitRequest(request, { signal, uninterruptible: true });
          if (signal?.aborted) {
            await this.#cancelStarted(request, response);
            throw asAbortError(signal.reason, "submit");
          }
          return response;
        } catch (error) {
          if (!(error instanceof TooManyPromptsError) || !this.#queueOnTooManyPrompts || signal?.aborted)
            throw error;
          if (!held) {
            held = true;
            this.#submitBarrier = new Promise<void>((resolve) => {
              release = resolve;
            });
          }
          this.logger.info(`concurrency limit reached; resending the submit in ${delay} ms`);
          await this.clock.sleep(delay, signal).catch((e: unknown) => {
            throw asAbortError(signal?.reason ?? e, "submit");
          });
        }
      }
    } finally {
      release();
    }
  }

  /** A session: every job submitted through it is completed or cancelled by `close()` / `await using`. */
  session(): AIHordeAPISession {
    return new AIHordeAPISession(this);
  }

  /** Submit an image request; returns its job (`wait()`, `progress()`, `cancel()`, `await using`). */
  submitImage(
    requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
    options: SubmitImageOptions = {},
  ): Promise<ImageJob> {
    return submitImage(this, requestOrPayload, options);
  }

  /**
   * Submit an image request, wait for it, fetch and download the results. On abort, timeout or error the job
   * is cancelled on the server before the promise rejects.
   */
  generateImage(
    requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
    options: GenerateImageOptions = {},
  ): Promise<GenerateImageResult> {
    return generateImage(this, requestOrPayload, options);
  }

  /** Submit a text request; returns its job (`wait()`, `progress()`, `cancel()`, `await using`). */
  submitText(
    requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
    options: { signal?: AbortSignal } = {},
  ): Promise<TextJob> {
    return submitText(this, requestOrPayload, options);
  }

  /** Submit a text request and wait for its texts; cancelled on the server on any early exit. */
  generateText(
    requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
    options: GenerateTextOptions = {},
  ): Promise<GenerateTextResult> {
    return generateText(this, requestOrPayload, options);
  }

  /** Submit an alchemy (interrogation / post-processing) request; returns its job. */
  submitAlchemy(
    requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
    options: { signal?: AbortSignal; download?: boolean } = {},
  ): Promise<AlchemyJob> {
    return submitAlchemy(this, requestOrPayload, options);
  }

  /** Run alchemy forms on an image and wait for every form; cancelled on the server on any early exit. */
  runAlchemy(
    requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
    options: RunAlchemyOptions = {},
  ): Promise<RunAlchemyResult> {
    return runAlchemy(this, requestOrPayload, options);
  }

  /**
   * The kudos an image request would cost, from the server's dry run. Identical payloads share one answer
   * (cached for the client's lifetime, like the server's own 2-day dry-run cache); nothing is queued.
   */
  estimateImageKudos(payload: ImageGenerateAsyncPayload, options: SubmitOptions = {}): Promise<number> {
    const { dry_run: _ignored, ...rest } = payload;
    const request = new ImageGenerateAsyncRequest({ ...rest, dry_run: true });
    const key = stableStringify(rest);
    let estimate = this.#estimates.get(key);
    if (!estimate) {
      estimate = this.submitRequest(request, options).then((r) => {
        if (!(r instanceof ImageGenerateAsyncDryRunResponse)) {
          throw new HordeValidationError("ImageGenerateAsyncDryRunResponse", [
            { path: "", message: "the server queued a job instead of answering the dry run" },
          ]);
        }
        return r.kudos;
      });
      this.#estimates.set(key, estimate);
      estimate.catch(() => this.#estimates.delete(key));
    }
    return estimate;
  }

  /** Cancel what a just-submitted request started (used when the caller aborted while it was in flight). */
  async #cancelStarted(request: HordeRequest, response: HordeResponse): Promise<void> {
    if (!request.getRequiresFollowUp()) return;
    for (const cleanup of response.cleanupRequests()) {
      await this.submitRequest(cleanup).catch((e: unknown) =>
        this.logger.error(`could not cancel a job submitted during an abort: ${(e as Error).message}`),
      );
    }
  }
}

/** The read endpoints of `models/api-methods.ts`, as methods: `client.getWorkers()`, `client.findUser()`, … */
type ReadMethodName = {
  [K in keyof typeof readMethods]: (typeof readMethods)[K] extends (
    client: readMethods.RequestSubmitter,
    ...args: never[]
  ) => unknown
    ? K
    : never;
}[keyof typeof readMethods];
type ReadMethods = {
  [K in ReadMethodName]: (typeof readMethods)[K] extends (
    client: readMethods.RequestSubmitter,
    ...args: infer A
  ) => infer R
    ? (...args: A) => R
    : never;
};

export interface AIHordeAPIClient extends ReadMethods {}
for (const [name, fn] of Object.entries(readMethods)) {
  if (typeof fn !== "function") continue;
  Object.defineProperty(AIHordeAPIClient.prototype, name, {
    value(this: AIHordeAPIClient, ...args: unknown[]) {
      return (fn as (client: AIHordeAPIClient, ...rest: unknown[]) => unknown)(this, ...args);
    },
    writable: true,
    configurable: true,
  });
}

/** Wait for `promise`, or reject as soon as `signal` aborts. */
function raceAbort(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(asAbortError(signal.reason, "submit"));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(asAbortError(signal.reason, "submit"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
