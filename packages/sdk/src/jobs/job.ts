import { asyncDispose } from "../core/dispose.js";
import {
  AIHordeRequestError,
  HordeAbortError,
  HordeConnectionError,
  HordeJobError,
  HordeJobFaultedError,
  HordeTimeoutError,
  withPartial,
} from "../core/errors.js";
import type { HordeRequest, HordeResponse, ResponseWithProgress } from "../core/messages.js";
import { type Backoff, backoffDelay } from "../http/retry.js";
import { asAbortError, linkSignals } from "../http/signals.js";
import { type JobTracker, progressSummary } from "./ledger.js";
import type { JobHost, JobType, JobWaitOptions } from "./options.js";
import { nextPollDelay, type PaceInput } from "./polling.js";

/** What a job kind (image, text, alchemy) tells the generic job about its endpoints and states. */
export interface JobKind<P extends HordeResponse & PaceInput, S extends HordeResponse, R> {
  readonly name: JobType;
  /** The cheap request polled for progress (image: /check; text and alchemy: their /status). */
  progressRequest(id: string): HordeRequest<P>;
  /** The request that fetches results once done; null when the last progress snapshot already has them. */
  finalRequest(id: string): HordeRequest<S> | null;
  /** The request that cancels the job; it answers with the status snapshot from before the cancel. */
  cancelRequest(id: string): HordeRequest<S>;
  /** True when the snapshot says every result is ready. */
  isDone(progress: P): boolean;
  /** True when the server gave up on the request (`faulted`): the job fails instead of waiting on. */
  isFaulted(progress: P): boolean;
  /** False when no worker can serve the request (`is_possible`); see `failWhenImpossible`. */
  isPossible(progress: P): boolean;
  /** Turn the final status into the job's result (e.g. download the images). */
  finish(status: S, job: HordeJob<P, S, R>, signal: AbortSignal): Promise<R>;
}

/** A status response that is both a job's progress and its result (text and alchemy have no /check). */
type SelfContainedStatus = HordeResponse & PaceInput & ResponseWithProgress & { readonly faulted: boolean };

/**
 * The kind of a job whose /status is polled for progress and carries the results (text, alchemy): done
 * when the status says `isJobComplete(expected)`; nothing is fetched at the end.
 */
export function statusPolledKind<S extends SelfContainedStatus, R>(
  name: JobType,
  requests: { status(id: string): HordeRequest<S>; cancel(id: string): HordeRequest<S> },
  expected: number,
  finish: JobKind<S, S, R>["finish"],
): JobKind<S, S, R> {
  return {
    name,
    progressRequest: requests.status,
    finalRequest: () => null,
    cancelRequest: requests.cancel,
    isDone: (status) => status.isJobComplete(expected),
    isFaulted: (status) => status.faulted,
    isPossible: (status) => status.isJobPossible(),
    finish,
  };
}

/** Where a job is: `running` until it completes (`done`), is cancelled, or fails; the last three are final. */
export type JobState = "running" | "done" | "cancelled" | "failed";

const DEFAULT_JOB_TIMEOUT_MS = 20 * 60 * 1000;

/** How long a cancel keeps asking after transient failures, and its pace between rounds. */
const CANCEL_PERSISTENCE_MS = 2 * 60 * 1000;
const CANCEL_BACKOFF: Backoff = { firstMs: 2_000, maxMs: 20_000 };

/** A failure that says nothing about the job: the server could not take the request just now. */
function isTransient(error: unknown): boolean {
  if (error instanceof HordeConnectionError || error instanceof HordeTimeoutError) return true;
  return error instanceof AIHordeRequestError && (error.status === 429 || error.status >= 500);
}

/** How a job starts out (submitJob and resumeJobs pass these). */
export interface HordeJobInit<P> {
  /** Its entry in the client's ledger and job store: told of progress, removed when the job is over. */
  tracker?: JobTracker | undefined;
  /** The newest snapshot already seen (a resumed job's first poll). */
  last?: P | undefined;
}

/**
 * A job running on the horde. It is completed (`wait()`) or cancelled (`cancel()`, abort, timeout, error,
 * `await using`) — never left running. A DELETE is never sent for a job that is already done.
 */
export class HordeJob<P extends HordeResponse & PaceInput, S extends HordeResponse, R> {
  readonly #host: JobHost;
  readonly #kind: JobKind<P, S, R>;
  #state: JobState = "running";
  #last: P | undefined;
  #cancelling: Promise<S | undefined> | undefined;
  readonly #tracker: JobTracker | undefined;

  constructor(
    host: JobHost,
    kind: JobKind<P, S, R>,
    /** The request id the server assigned. */
    readonly id: string,
    /**
     * The submit's response (e.g. ImageGenerateAsyncResponse with the one-image `kudos` and any `warnings`);
     * for a job found after a lost answer, or resumed, one with the id alone.
     */
    readonly submitted: HordeResponse,
    init: HordeJobInit<P> = {},
  ) {
    this.#host = host;
    this.#kind = kind;
    this.#tracker = init.tracker;
    this.#last = init.last;
  }

  /** Where the job is now; once not `running`, it never changes again. */
  get state(): JobState {
    return this.#state;
  }

  /** The newest progress snapshot seen, if any. */
  get lastProgress(): P | undefined {
    return this.#last;
  }

  /** The client that runs this job. */
  get host(): JobHost {
    return this.#host;
  }

  /** Poll until done, yielding every snapshot; the pace adapts to the server's `wait_time`. */
  async *progress(options: { signal?: AbortSignal } = {}): AsyncGenerator<P, void> {
    const host = this.#host;
    while (this.#state === "running") {
      await host.clock.sleep(nextPollDelay(this.#last, host.pollPacing), options.signal);
      let snapshot: P;
      try {
        snapshot = await host.submitRequest(this.#kind.progressRequest(this.id), options);
      } catch (error) {
        if (error instanceof AIHordeRequestError && error.status === 404) {
          this.#state = "failed";
          await this.#tracker?.ended();
          throw new HordeJobError(
            `${this.#kind.name} request ${this.id} expired or was deleted on the server`,
            this.id,
            "expired",
          );
        }
        throw error;
      }
      this.#last = snapshot;
      const kind = this.#kind;
      await this.#tracker?.progressed(
        progressSummary(snapshot, kind.isDone(snapshot), kind.isFaulted(snapshot)),
      );
      yield snapshot;
      if (this.#kind.isDone(snapshot)) return;
    }
  }

  /** Wait for completion and produce the result. On abort, timeout or error the job is cancelled first. */
  async wait(options: JobWaitOptions<P> = {}): Promise<R> {
    const host = this.#host;
    const linked = linkSignals(
      options.signal,
      options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
      `${this.#kind.name} job ${this.id}`,
      host.clock,
    );
    const signal = linked.signal;
    try {
      let last: P | undefined = this.#last;
      if (!last || !this.#kind.isDone(last)) {
        for await (const snapshot of this.progress({ signal })) {
          last = snapshot;
          options.onProgress?.({ id: this.id, kind: this.#kind.name, progress: snapshot });
          if (
            options.failWhenImpossible &&
            !this.#kind.isPossible(snapshot) &&
            !this.#kind.isDone(snapshot)
          ) {
            throw new HordeJobError(
              `no worker can serve ${this.#kind.name} request ${this.id}`,
              this.id,
              "impossible",
            );
          }
        }
      }
      const finalRequest = this.#kind.finalRequest(this.id);
      const status = finalRequest
        ? await host.submitRequest(finalRequest, { signal })
        : (last as unknown as S);
      this.#state = "done";
      if (last && this.#kind.isFaulted(last)) {
        await this.#tracker?.ended();
        throw new HordeJobFaultedError(
          `${this.#kind.name} request ${this.id} faulted on the server`,
          this.id,
          status,
        );
      }
      const result = await this.#kind.finish(status, this, signal);
      // Only now, with the results in the caller's hands, may the store forget the job.
      await this.#tracker?.ended();
      return result;
    } catch (error) {
      const reason = signal.aborted
        ? asAbortError(signal.reason, `${this.#kind.name} job ${this.id}`)
        : error;
      if (this.#state !== "running") throw reason;
      const partial = await this.cancel().catch((e: unknown) => {
        host.logger.error(`could not cancel ${this.#kind.name} job ${this.id}: ${(e as Error).message}`);
        return undefined;
      });
      // What was delivered before giving up travels on the error (a new one: errors are immutable).
      throw reason instanceof HordeAbortError || reason instanceof HordeTimeoutError
        ? withPartial(reason, partial)
        : reason;
    } finally {
      linked.dispose();
    }
  }

  /**
   * Cancel on the server (DELETE) unless the job is already done; resolves to the status snapshot the server
   * returned (what was delivered so far), or undefined when nothing was sent. Safe to call more than once.
   */
  cancel(): Promise<S | undefined> {
    if (this.#state === "done" || this.#state === "failed") return Promise.resolve(undefined);
    this.#cancelling ??= (async () => {
      try {
        const snapshot = await this.#cancelPersistently();
        this.#state = "cancelled";
        await this.#tracker?.ended();
        return snapshot;
      } catch (error) {
        if (error instanceof AIHordeRequestError && error.status === 404) {
          this.#state = "failed"; // expired: nothing left running
          await this.#tracker?.ended();
          return undefined;
        }
        this.#cancelling = undefined; // let a later call try again
        throw error;
      }
    })();
    return this.#cancelling;
  }

  /**
   * The DELETE, asked again while the server cannot take it (a 429 storm, 5xx, no answer) for up to
   * CANCEL_PERSISTENCE_MS after the pipeline's own retries ran out: a job left running costs the caller kudos.
   */
  async #cancelPersistently(): Promise<S> {
    const { clock } = this.#host;
    const giveUpAt = clock.now() + CANCEL_PERSISTENCE_MS;
    for (let round = 1; ; round++) {
      try {
        return await this.#host.submitRequest(this.#kind.cancelRequest(this.id));
      } catch (error) {
        if (!isTransient(error) || clock.now() >= giveUpAt) throw error;
        this.#host.logger.warn(
          `cancel of ${this.#kind.name} job ${this.id} failed (${(error as Error).message}); asking again`,
        );
        await clock.sleep(backoffDelay(CANCEL_BACKOFF, round, () => 0));
      }
    }
  }

  /** `await using job = …`: cancels when the scope ends before the job is done. */
  async [asyncDispose](): Promise<void> {
    if (this.#state === "running") await this.cancel();
  }
}
