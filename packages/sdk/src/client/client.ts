import { type Clock, systemClock } from "../core/clock.js";
import { ANONYMOUS_API_KEY, DEFAULT_BASE_URL, DEFAULT_CLIENT_AGENT } from "../core/constants.js";
import {
  HordeAbortError,
  HordeConnectionError,
  HordeLostSubmitError,
  HordeTimeoutError,
  HordeValidationError,
} from "../core/errors.js";
import { consoleLogger, type Logger } from "../core/logger.js";
import type { HordeRequest, ResponseClass, SubmitOptions } from "../core/messages.js";
import { stableStringify } from "../core/model.js";
import { fingerprint } from "../core/redact.js";
import { type Call, type FetchUrlOptions, Pipeline } from "../http/pipeline.js";
import { RateLimiter, type RateLimitOptions } from "../http/rate-limiter.js";
import { errorFromResponse, type RawResponse } from "../http/response.js";
import { neverReachedServer, type RetryOptions, resolveRetry } from "../http/retry.js";
import { raceAbort } from "../http/signals.js";
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
import { JobLedger } from "../jobs/ledger.js";
import type { JobHost, JobType, SubmitJobOptions } from "../jobs/options.js";
import type { PollPacing } from "../jobs/polling.js";
import { type ResumedJob, type ResumeOptions, resumeJobs } from "../jobs/resume.js";
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
import type { JobStore } from "../store/job-store.js";
import { ReadCache, type ReadCacheOptions } from "./read-cache.js";
import { AIHordeAPISession } from "./session.js";

/** How to build an `AIHordeAPIClient`; every option has a default that works against aihorde.net. */
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
  /**
   * Where the client keeps the jobs it starts, so that a process that dies leaves nothing a later one cannot
   * collect or cancel (`client.resumeJobs()`): FileJobStore (`horde-sdk/node`), IndexedDBJobStore (browsers),
   * MemoryJobStore (tests). Default: none.
   */
  jobStore?: JobStore;
  /**
   * Cache answers of read endpoints (GET) for a while: models and workers 60 s, news 10 min, performance
   * 10 s, … (DEFAULT_READ_TTL_MS; `{ ttlMs }` changes them per path template). Identical GETs in flight share
   * one request. A call with `{ cache: false }` always asks the server. Default: off.
   */
  readCache?: boolean | ReadCacheOptions;
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
  readonly #readCache: ReadCache | undefined;
  /**
   * The jobs this client started: ids it knows, submits on the wire, and the job store. Used by the jobs
   * (submitJob, resumeJobs); not a thing to call.
   */
  readonly jobLedger: JobLedger;

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
    const apiKey = options.apiKey ?? ANONYMOUS_API_KEY;
    this.jobLedger = new JobLedger(options.jobStore, {
      baseUrl: this.baseUrl,
      account: fingerprint(apiKey),
      anonymous: apiKey === ANONYMOUS_API_KEY,
      clock: this.clock,
      logger: this.logger,
      activeGenerations: async (kind, signal) => {
        const user = await this.findUser({}, signal ? { signal } : {});
        // The owner's own view lists `active_generations` only when something is active; a shared key gets
        // the public view, which never lists them (docs/server/directory.md#user-details). `vpn` and
        // `special` come with the owner's view only, so they tell the two apart.
        const ownView =
          user.active_generations !== undefined || user.vpn !== undefined || user.special !== undefined;
        if (!ownView) return null;
        return [...(user.active_generations?.[kind] ?? [])];
      },
    });
    this.#readCache = options.readCache
      ? new ReadCache(this.clock, options.readCache === true ? {} : options.readCache)
      : undefined;
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#pipeline = new Pipeline({
      transport: new Transport({
        baseUrl: this.baseUrl,
        apiKey,
        clientAgent: this.clientAgent,
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs ?? 30_000,
        logger: this.logger,
        clock: this.clock,
      }),
      limiter:
        options.rateLimit?.enabled === false ? undefined : new RateLimiter(this.clock, options.rateLimit),
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
    const ctor = request.constructor as typeof HordeRequest;
    if (this.#readCache && options.cache !== false && ctor.getHttpMethod() === "GET") {
      const spec = request.toHttp(this.baseUrl);
      const key = `${spec.url}\n${JSON.stringify(spec.headers)}`;
      // The shared request runs without any one caller's signal; each caller can still stop waiting for it.
      const { signal, ...shared } = options;
      const answer = this.#readCache.get(key, ctor.getApiEndpointSubpath(), async () =>
        this.#parse(request, await this.#send(request, shared)),
      );
      return raceAbort(answer, signal, `GET ${spec.url}`);
    }
    return this.#parse(request, await this.#send(request, options));
  }

  /** Forget every answer of the read cache (`readCache` option), e.g. after changing a worker or a team. */
  clearReadCache(): void {
    this.#readCache?.clear();
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
   * Send a request that starts a job, the safe way: TooManyPrompts is waited out in order (when
   * `queueOnTooManyPrompts` is on), and once the request is on the wire the caller's abort waits for the
   * answer (the job layer then cancels the job, rather than losing it). A submit that may have reached the
   * server without an answer to read — no answer, an unreadable body, a 5xx — rejects with
   * HordeLostSubmitError; the job layer (submitImage, generateImage, …) then looks for the request among the
   * account's. Never sent twice.
   */
  async submitJobRequest<Q extends HordeRequest>(
    request: Q,
    signal?: AbortSignal,
  ): Promise<NonNullable<Q["~response"]>> {
    const before = this.#submitBarrier;
    let release: (() => void) | undefined;
    try {
      await raceAbort(before, signal, "submit");
      const lost = (cause: unknown) =>
        new HordeLostSubmitError(
          `the answer to the submit was lost (${(cause as Error)?.message ?? String(cause)})`,
          jobTypeOf(request),
          null,
          [],
          "not looked for",
          { cause },
        );
      let raw: RawResponse;
      try {
        raw = await this.#send(
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
      } catch (error) {
        throw mayHaveRun(error, signal) ? lost(error) : error;
      }
      // A 5xx may come from a proxy in front of a server that queued the job.
      if (raw.status >= 500) throw lost(errorFromResponse(raw, this.clock.now()));
      try {
        return this.#parse(request, raw);
      } catch (error) {
        throw raw.status < 300 ? lost(error) : error;
      }
    } finally {
      release?.();
    }
  }

  /**
   * Take up the jobs the job store holds for this server (after a crash, a reload, a killed process): per job,
   * a finished one ready to collect (`job.wait()`), a running one re-attached (progress, wait, cancel), an
   * expired one forgotten, a submit whose answer never arrived looked for among the account's requests —
   * or reported `unknown` (it may be running) or `held` (another living process follows it). Without a
   * job store: nothing.
   */
  resumeJobs(options: ResumeOptions = {}): Promise<ResumedJob[]> {
    return resumeJobs(this, options);
  }

  /** The job store this client keeps its jobs in, if any. */
  get jobStore(): JobStore | undefined {
    return this.jobLedger.store;
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
    const spec = request.toHttp(this.baseUrl);
    const wire = wireOf(request);
    return this.#pipeline.send({
      method: spec.method,
      url: spec.url,
      headers: spec.headers,
      body: spec.body,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      uninterruptible: options.uninterruptible,
      authenticate: wire.authenticate,
      idempotent: wire.idempotent,
      expectsJson: wire.expectsJson,
      ...extra,
    });
  }

  /** The response class for the answer's status; an error status becomes the AIHordeRequestError it is. */
  #responseClass(request: HordeRequest, raw: RawResponse) {
    const responseClass = wireOf(request).pairs[raw.status];
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
}

/** What the client needs of a request class on every send; read from its static description once per class. */
interface WireFacts {
  pairs: Record<number, ResponseClass>;
  authenticate: boolean;
  idempotent: boolean;
  expectsJson: (status: number) => boolean;
}

const wireFacts = new WeakMap<typeof HordeRequest, WireFacts>();

function wireOf(request: HordeRequest): WireFacts {
  const ctor = request.constructor as typeof HordeRequest;
  let facts = wireFacts.get(ctor);
  if (!facts) {
    const pairs = ctor.getSuccessStatusResponsePairs();
    facts = {
      pairs,
      authenticate: ctor.getHeaderFields().includes("apikey"),
      idempotent: ctor.isIdempotent(),
      expectsJson: (status) => pairs[status] !== undefined,
    };
    wireFacts.set(ctor, facts);
  }
  return facts;
}

/** Whether a submit's failure may hide a job the server queued: the request was (or may have been) sent. */
function mayHaveRun(error: unknown, signal: AbortSignal | undefined): boolean {
  // The caller's abort before the request went out, or no connection made: nothing reached the server.
  if (error instanceof HordeAbortError || (signal?.aborted && error === signal.reason)) return false;
  if (error instanceof HordeConnectionError) return !neverReachedServer(error);
  return error instanceof HordeTimeoutError;
}

/** The kind of job a submit starts, by its route. */
function jobTypeOf(request: HordeRequest): JobType {
  const path = (request.constructor as typeof HordeRequest).getApiEndpointSubpath();
  if (path.includes("/text/")) return "text";
  if (path.includes("interrogate")) return "alchemy";
  return "image";
}
