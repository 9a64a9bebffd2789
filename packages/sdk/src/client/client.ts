import { type Clock, systemClock } from "../core/clock.js";
import { ANONYMOUS_API_KEY, DEFAULT_BASE_URL, DEFAULT_CLIENT_AGENT } from "../core/constants.js";
import { HordeValidationError } from "../core/errors.js";
import { consoleLogger, type Logger } from "../core/logger.js";
import type { HordeRequest, HordeResponse, SubmitOptions } from "../core/messages.js";
import { stableStringify } from "../core/model.js";
import { type Call, type FetchUrlOptions, Pipeline } from "../http/pipeline.js";
import { RateLimiter, type RateLimitOptions } from "../http/rate-limiter.js";
import { errorFromResponse, type RawResponse } from "../http/response.js";
import { type RetryOptions, resolveRetry } from "../http/retry.js";
import { asAbortError, raceAbort } from "../http/signals.js";
import { type FetchLike, Transport } from "../http/transport.js";
import {
  type AlchemyJob,
  alchemyRecipe,
  type RunAlchemyOptions,
  type RunAlchemyResult,
} from "../jobs/alchemy.js";
import {
  type GenerateImageOptions,
  type GenerateImageResult,
  type ImageJob,
  imageRecipe,
  type SubmitImageOptions,
} from "../jobs/image.js";
import type { JobHost, SubmitJobOptions } from "../jobs/options.js";
import type { PollPacing } from "../jobs/polling.js";
import { runJob, submitJob } from "../jobs/run.js";
import { type GenerateTextOptions, type GenerateTextResult, type TextJob, textRecipe } from "../jobs/text.js";
import type { AlchemyAsyncPayload, AlchemyAsyncRequest } from "../models/alchemy/async.js";
import {
  ImageGenerateAsyncDryRunResponse,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
} from "../models/generate/async.js";
import { ReadShortcuts } from "../models/generated/shortcuts.js";
import type { TextGenerateAsyncPayload, TextGenerateAsyncRequest } from "../models/text/async.js";
import { AIHordeAPISession } from "./session.js";

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

/** Options of `submitRequest` and `submitRequestRaw`. */
export interface SendOptions extends SubmitOptions {
  /**
   * Once the request is on the wire, the caller's abort waits for the answer instead of dropping it (waiting
   * to send still aborts at once). For requests that start something: an answer never read is a job that
   * cannot be cancelled, or a worker's job that cannot be released.
   */
  uninterruptible?: boolean;
}

/**
 * The AI Horde client: executes request objects safely (validation, retries where safe, throttling, key
 * hygiene) and runs whole job lifecycles (`generateImage`, `submitImage`, …). The read shortcuts
 * (`getWorkers()`, `findUser()`, …) are generated from the contract (see ReadShortcuts).
 */
export class AIHordeAPIClient extends ReadShortcuts implements JobHost {
  readonly baseUrl: string;
  readonly clientAgent: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pollPacing: PollPacing;
  readonly #pipeline: Pipeline;
  readonly #queueOnTooManyPrompts: boolean;
  /** While a submit waits out TooManyPrompts, later submits wait behind it (order is kept). */
  #submitBarrier: Promise<void> = Promise.resolve();
  readonly #estimates = new Map<string, Promise<number>>();

  constructor(options: AIHordeClientOptions = {}) {
    super();
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
    // The horde asks every client to identify itself as name:version:contact
    // (docs/server/auth-and-headers.md#auth-and-headers).
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
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#pipeline = new Pipeline({
      transport: new Transport({
        baseUrl: this.baseUrl,
        apiKey: options.apiKey ?? ANONYMOUS_API_KEY,
        clientAgent: this.clientAgent,
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs ?? 30_000,
        logger: this.logger,
        clock: this.clock,
      }),
      limiter: new RateLimiter(this.clock, options.rateLimit),
      retry: resolveRetry(options.retry),
      clock: this.clock,
      logger: this.logger,
    });
  }

  /**
   * Send one request. Resolves to the response class that the request's `getSuccessStatusResponsePairs()`
   * names for the HTTP status received; any other status rejects with AIHordeRequestError (or a subclass
   * chosen by its rc). A request that is not idempotent (a submit) is never repeated once it may have
   * reached the server.
   */
  override async submitRequest<Q extends HordeRequest>(
    request: Q,
    options: SendOptions = {},
  ): Promise<NonNullable<Q["~response"]>> {
    return this.#parse(request, await this.#send(request, options));
  }

  /**
   * `submitRequest` without the model: the same pipeline (throttling, retries, key hygiene), the same
   * AIHordeRequestError for an error status, but the raw answer of a success, for callers that read the
   * body themselves (the worker reads a pop leniently, so a malformed job can still be released by its id).
   * The body is known to be JSON.
   */
  async submitRequestRaw(request: HordeRequest, options: SendOptions = {}): Promise<RawResponse> {
    const raw = await this.#send(request, options);
    this.#responseClass(request, raw);
    this.#json(raw, (request.constructor as typeof HordeRequest).name);
    return raw;
  }

  /**
   * GET (or PUT) a URL outside the API — a result image on R2, a presigned upload — through the same
   * pipeline: retried after transient failures, and never with the API key or the Client-Agent (those go
   * only to URLs under `baseUrl`). Resolves to the answer whatever its status.
   */
  fetchUrl(url: string, options: FetchUrlOptions = {}): Promise<RawResponse> {
    return this.#pipeline.send({ ...options, method: options.method ?? "GET", url, authenticate: false });
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
    let release: (() => void) | undefined;
    try {
      await raceAbort(before, signal, "submit");
      const raw = await this.#send(
        request,
        signal ? { signal, uninterruptible: true } : { uninterruptible: true },
        {
          waitOutTooManyPrompts: this.#queueOnTooManyPrompts,
          onRetry: (_decision, outcome) => {
            if (release || outcome.kind !== "answer" || outcome.rc !== "TooManyPrompts") return;
            this.#submitBarrier = new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        },
      );
      const response = this.#parse(request, raw);
      if (signal?.aborted) {
        await this.#cancelStarted(request, response);
        throw asAbortError(signal.reason, "submit");
      }
      return response;
    } finally {
      release?.();
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
    return submitJob(this, imageRecipe, requestOrPayload, options);
  }

  /**
   * Submit an image request, wait for it, fetch and download the results. On abort, timeout or error the job
   * is cancelled on the server before the promise rejects.
   */
  generateImage(
    requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
    options: GenerateImageOptions = {},
  ): Promise<GenerateImageResult> {
    return runJob(submitJob(this, imageRecipe, requestOrPayload, options), options);
  }

  /** Submit a text request; returns its job (`wait()`, `progress()`, `cancel()`, `await using`). */
  submitText(
    requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
    options: SubmitJobOptions = {},
  ): Promise<TextJob> {
    return submitJob(this, textRecipe, requestOrPayload, options);
  }

  /** Submit a text request and wait for its texts; cancelled on the server on any early exit. */
  generateText(
    requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
    options: GenerateTextOptions = {},
  ): Promise<GenerateTextResult> {
    return runJob(submitJob(this, textRecipe, requestOrPayload, options), options);
  }

  /** Submit an alchemy (interrogation / post-processing) request; returns its job. */
  submitAlchemy(
    requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
    options: SubmitJobOptions = {},
  ): Promise<AlchemyJob> {
    return submitJob(this, alchemyRecipe, requestOrPayload, options);
  }

  /** Run alchemy forms on an image and wait for every form; cancelled on the server on any early exit. */
  runAlchemy(
    requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
    options: RunAlchemyOptions = {},
  ): Promise<RunAlchemyResult> {
    return runJob(submitJob(this, alchemyRecipe, requestOrPayload, options), options);
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

  /** One request through the pipeline, as its class describes it. */
  #send(request: HordeRequest, options: SendOptions, extra?: Partial<Call>): Promise<RawResponse> {
    const ctor = request.constructor as typeof HordeRequest;
    const spec = request.toHttp(this.baseUrl);
    const pairs = ctor.getSuccessStatusResponsePairs();
    return this.#pipeline.send({
      method: spec.method,
      url: spec.url,
      headers: spec.headers,
      body: spec.body,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      uninterruptible: options.uninterruptible,
      authenticate: ctor.getHeaderFields().includes("apikey"),
      idempotent: ctor.isIdempotent(),
      expectsJson: (status) => pairs[status] !== undefined,
      ...extra,
    });
  }

  /** The response class for the answer's status; an error status becomes the AIHordeRequestError it is. */
  #responseClass(request: HordeRequest, raw: RawResponse) {
    const responseClass = (request.constructor as typeof HordeRequest).getSuccessStatusResponsePairs()[
      raw.status
    ];
    if (!responseClass) throw errorFromResponse(raw, this.clock.now());
    return responseClass;
  }

  #parse<Q extends HordeRequest>(request: Q, raw: RawResponse): NonNullable<Q["~response"]> {
    const responseClass = this.#responseClass(request, raw);
    return responseClass.parse(this.#json(raw, responseClass.name)) as NonNullable<Q["~response"]>;
  }

  /** The body as JSON; a success that is not JSON (and was not, or could not be, asked again) is reported. */
  #json(raw: RawResponse, model: string): unknown {
    try {
      return raw.json();
    } catch {
      throw new HordeValidationError(model, [
        { path: "", message: `the server answered ${raw.status} with a body that is not JSON` },
      ]);
    }
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
