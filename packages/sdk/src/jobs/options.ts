// What jobs need from the client, and the one option shape and progress event of every job kind.
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import type { HordeRequest, SubmitOptions } from "../core/messages.js";
import type { FetchUrlOptions } from "../http/pipeline.js";
import type { RawResponse } from "../http/response.js";
import type { JobLedger } from "./ledger.js";
import type { PollPacing } from "./polling.js";

/** The three kinds of job the horde runs. */
export type JobType = "image" | "text" | "alchemy";

/**
 * What a job needs of the client that runs it (AIHordeAPIClient is one): the request pipeline, the
 * submit that never loses a job, URL downloads, the clock, the log and the polling pace.
 */
export interface JobHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollPacing: PollPacing;
  submitRequest<Q extends HordeRequest>(
    request: Q,
    options?: SubmitOptions,
  ): Promise<NonNullable<Q["~response"]>>;
  submitJobRequest<Q extends HordeRequest>(
    request: Q,
    signal?: AbortSignal,
  ): Promise<NonNullable<Q["~response"]>>;
  fetchUrl(url: string, options?: FetchUrlOptions): Promise<RawResponse>;
  /** The jobs the client started, its job store, and how to list the account's requests. */
  readonly jobLedger: JobLedger;
}

/** Reported after every poll, the same for every kind of job. */
export interface JobProgressEvent<P> {
  /** The request id. */
  readonly id: string;
  readonly kind: JobType;
  /** The snapshot just polled: image `/check`, text and alchemy `/status`. */
  readonly progress: P;
}

/** How to wait for a job (`job.wait(options)`). */
export interface JobWaitOptions<P> {
  signal?: AbortSignal;
  /** Give up after this long (on the client's clock) and cancel the job; default 20 min, the server's own request lifetime. */
  timeoutMs?: number;
  /** Called after every poll with the snapshot just read (queue position, wait time, counts). */
  onProgress?: (event: JobProgressEvent<P>) => void;
  /** Cancel and fail with reason "impossible" as soon as the server says no worker can serve the job (default: keep waiting). */
  failWhenImpossible?: boolean;
}

/** How to submit a job (`client.submitImage`, `submitText`, `submitAlchemy`). */
export interface SubmitJobOptions {
  signal?: AbortSignal;
  /** Download the result images (image R2 URLs or base64, alchemy post-processor URLs) when the job finishes (default true). */
  download?: boolean;
  /**
   * Your own notes on the job (JSON: e.g. where its images go), kept with it in the client's job store and
   * given back by `resumeJobs()`. Ignored without a job store.
   */
  meta?: Record<string, unknown>;
}

/** How to run a job from submit to result (`client.generateImage`, `generateText`, `runAlchemy`). */
export interface RunJobOptions<P, A> extends SubmitJobOptions, JobWaitOptions<P> {
  /**
   * Called once the server accepted the request, before polling starts — also when the caller's abort came
   * while the submit was in flight (the job is then cancelled at once, and the call rejects with the abort).
   */
  onSubmitted?: (response: A) => void;
}

/** Copy only the wait options that were given (exactOptionalPropertyTypes-friendly). */
export function waitOptionsFrom<P>(options: JobWaitOptions<P>): JobWaitOptions<P> {
  const out: JobWaitOptions<P> = {};
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.onProgress) out.onProgress = options.onProgress;
  if (options.failWhenImpossible !== undefined) out.failWhenImpossible = options.failWhenImpossible;
  return out;
}
