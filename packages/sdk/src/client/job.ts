import {
  AIHordeRequestError,
  HordeAbortError,
  HordeJobError,
  HordeTimeoutError,
  JobFaultedError,
} from "../generic/errors.js";
import type { HordeRequest } from "../generic/request.js";
import type { HordeResponse } from "../generic/response.js";
import type { AIHordeAPIClient } from "./client.js";
import { nextPollDelay, type PaceInput } from "./polling.js";
import { asAbortError, linkSignals } from "./signals.js";

/** What a job kind (image, text, alchemy) tells the generic job about its endpoints and states. */
export interface JobKind<P extends HordeResponse & PaceInput, S extends HordeResponse, R> {
  readonly name: string;
  /** The cheap request polled for progress (image: /check; text and alchemy: their /status). */
  progressRequest(id: string): HordeRequest<P>;
  /** The request that fetches results once done; null when the last progress snapshot already has them. */
  finalRequest(id: string): HordeRequest<S> | null;
  /** The request that cancels the job; it answers with the status snapshot from before the cancel. */
  cancelRequest(id: string): HordeRequest<S>;
  isDone(progress: P): boolean;
  isFaulted(progress: P): boolean;
  isPossible(progress: P): boolean;
  /** Turn the final status into the job's result (e.g. download the images). */
  finish(status: S, job: HordeJob<P, S, R>, signal: AbortSignal): Promise<R>;
}

export type JobState = "running" | "done" | "cancelled" | "failed";

export interface JobWaitOptions<P> {
  signal?: AbortSignal;
  /** Give up after this long (on the client's clock) and cancel the job; default 20 min, the server's own request lifetime. */
  timeoutMs?: number;
  onProgress?: (progress: P) => void;
  /** Cancel and fail with reason "impossible" as soon as the server says no worker can serve the job (default: keep waiting). */
  failWhenImpossible?: boolean;
}

const DEFAULT_JOB_TIMEOUT_MS = 20 * 60 * 1000;

const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

/**
 * A job running on the horde. It is completed (`wait()`) or cancelled (`cancel()`, abort, timeout, error,
 * `await using`) — never left running. A DELETE is never sent for a job that is already done.
 */
export class HordeJob<P extends HordeResponse & PaceInput, S extends HordeResponse, R> {
  readonly #client: AIHordeAPIClient;
  readonly #kind: JobKind<P, S, R>;
  #state: JobState = "running";
  #last: P | undefined;
  #cancelling: Promise<S | undefined> | undefined;

  constructor(
    client: AIHordeAPIClient,
    kind: JobKind<P, S, R>,
    /** The request id the server assigned. */
    readonly id: string,
    /** The submit's response (e.g. ImageGenerateAsyncResponse with the one-image `kudos` and any `warnings`). */
    readonly submitted: HordeResponse,
  ) {
    this.#client = client;
    this.#kind = kind;
  }

  get state(): JobState {
    return this.#state;
  }

  /** The newest progress snapshot seen, if any. */
  get lastProgress(): P | undefined {
    return this.#last;
  }

  get client(): AIHordeAPIClient {
    return this.#client;
  }

  /** Poll until done, yielding every snapshot; the pace adapts to the server's `wait_time`. */
  async *progress(options: { signal?: AbortSignal } = {}): AsyncGenerator<P, void> {
    const client = this.#client;
    while (this.#state === "running") {
      await client.clock.sleep(nextPollDelay(this.#last, client.pollPacing), options.signal);
      let snapshot: P;
      try {
        snapshot = await client.submitRequest(this.#kind.progressRequest(this.id), options);
      } catch (error) {
        if (error instanceof AIHordeRequestError && error.status === 404) {
          this.#state = "failed";
          throw new HordeJobError(
            `${this.#kind.name} request ${this.id} expired or was deleted on the server`,
            this.id,
            "expired",
          );
        }
        throw error;
      }
      this.#last = snapshot;
      yield snapshot;
      if (this.#kind.isDone(snapshot)) return;
    }
  }

  /** Wait for completion and produce the result. On abort, timeout or error the job is cancelled first. */
  async wait(options: JobWaitOptions<P> = {}): Promise<R> {
    const client = this.#client;
    const linked = linkSignals(
      options.signal,
      options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
      `${this.#kind.name} job ${this.id}`,
      client.clock,
    );
    const signal = linked.signal;
    try {
      let last: P | undefined = this.#last;
      if (!last || !this.#kind.isDone(last)) {
        for await (const snapshot of this.progress({ signal })) {
          last = snapshot;
          options.onProgress?.(snapshot);
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
        ? await client.submitRequest(finalRequest, { signal })
        : (last as unknown as S);
      this.#state = "done";
      if (last && this.#kind.isFaulted(last)) {
        throw new JobFaultedError(
          `${this.#kind.name} request ${this.id} faulted on the server`,
          this.id,
          status,
        );
      }
      return await this.#kind.finish(status, this, signal);
    } catch (error) {
      const reason = signal.aborted
        ? asAbortError(signal.reason, `${this.#kind.name} job ${this.id}`)
        : error;
      if (this.#state === "running") {
        const partial = await this.cancel().catch((e: unknown) => {
          client.logger.error(`could not cancel ${this.#kind.name} job ${this.id}: ${(e as Error).message}`);
          return undefined;
        });
        if (reason instanceof HordeAbortError || reason instanceof HordeTimeoutError)
          reason.partial = partial;
      }
      throw reason;
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
        const snapshot = await this.#client.submitRequest(this.#kind.cancelRequest(this.id));
        this.#state = "cancelled";
        return snapshot;
      } catch (error) {
        if (error instanceof AIHordeRequestError && error.status === 404) {
          this.#state = "failed"; // expired: nothing left running
          return undefined;
        }
        this.#cancelling = undefined; // let a later call try again
        throw error;
      }
    })();
    return this.#cancelling;
  }

  /** `await using job = …`: cancels when the scope ends before the job is done. */
  async [asyncDispose](): Promise<void> {
    if (this.#state === "running") await this.cancel();
  }
}
