import { asyncDispose } from "../core/dispose.js";
import { AIHordeRequestError, HordeError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { HordeRequest, HordeResponse, SubmitOptions } from "../core/messages.js";
import { ReadShortcuts } from "../models/generated/shortcuts.js";

/** What a session needs of its client: the request pipeline and the log. */
export interface SessionHost {
  readonly logger: Logger;
  submitRequest<Q extends HordeRequest>(
    request: Q,
    options?: SubmitOptions,
  ): Promise<NonNullable<Q["~response"]>>;
}

/** A job the session started and is answerable for until it completes or is cancelled. */
export interface TrackedJob {
  readonly id: string;
  /** The response that started it (e.g. ImageGenerateAsyncResponse). */
  readonly response: HordeResponse;
  /** The requests that cancel it. */
  readonly cleanup: readonly HordeRequest[];
}

/** What `close()` did. */
export interface SessionCloseReport {
  cancelled: string[];
  failed: { id: string; error: unknown }[];
}

/**
 * Requests submitted through a session are tracked: every job it starts is either seen to completion or
 * cancelled (DELETE) by `close()` — on success, error or abort alike. Use with `await using` or try/finally.
 */
export class AIHordeAPISession extends ReadShortcuts {
  readonly #client: SessionHost;
  readonly #open = new Map<string, TrackedJob>();
  #closed = false;

  constructor(client: SessionHost) {
    super();
    this.#client = client;
  }

  /** Jobs started here that are neither complete nor cancelled. */
  get pendingJobs(): TrackedJob[] {
    return [...this.#open.values()];
  }

  /** True once `close()` has run; a closed session refuses new submits. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Send a request through the client; a job it starts is tracked until it completes or is cancelled. */
  override async submitRequest<Q extends HordeRequest>(
    request: Q,
    options: SubmitOptions = {},
  ): Promise<NonNullable<Q["~response"]>> {
    if (this.#closed) throw new HordeError("This session is closed; open a new one with client.session()");
    const jobId = jobIdOf(request);
    let response: HordeResponse;
    try {
      response = await this.#client.submitRequest(request, options);
    } catch (error) {
      // An expired or unknown job is no longer ours to cancel.
      if (jobId && error instanceof AIHordeRequestError && error.status === 404) this.#open.delete(jobId);
      throw error;
    }
    this.#observe(request, response, jobId);
    return response as NonNullable<Q["~response"]>;
  }

  /** Forget a job without cancelling it (the caller takes over responsibility). */
  release(id: string): boolean {
    return this.#open.delete(id);
  }

  /** Mark a tracked job complete, e.g. after its results were fetched by other means. */
  markComplete(id: string): void {
    this.#open.delete(id);
  }

  /** Cancel every job this session started that is not complete. Idempotent. */
  async close(): Promise<SessionCloseReport> {
    this.#closed = true;
    const jobs = [...this.#open.values()];
    const report: SessionCloseReport = { cancelled: [], failed: [] };
    await Promise.all(
      jobs.map(async (job) => {
        try {
          for (const cleanup of job.cleanup) await this.#client.submitRequest(cleanup);
          report.cancelled.push(job.id);
          this.#open.delete(job.id);
        } catch (error) {
          if (error instanceof AIHordeRequestError && error.status === 404) {
            this.#open.delete(job.id); // already gone (expired): nothing left running
            return;
          }
          report.failed.push({ id: job.id, error });
          this.#client.logger.error(`could not cancel job ${job.id}: ${(error as Error).message}`);
        }
      }),
    );
    return report;
  }

  /** `await using session = client.session()` calls this on leaving the block: the same as `close()`. */
  async [asyncDispose](): Promise<void> {
    await this.close();
  }

  #observe(request: HordeRequest, response: HordeResponse, jobId: string | undefined): void {
    if (request.getRequiresFollowUp() && response.requiresFollowUp()) {
      const base = { client_agent: request.client_agent };
      for (const [i, params] of response.getFollowUpReturnedParams().entries()) {
        const id = String(params.id);
        this.#open.set(id, { id, response, cleanup: [response.cleanupRequests(base)[i]].filter(isDefined) });
      }
      return;
    }
    const tracked = jobId ? this.#open.get(jobId) : undefined;
    if (!jobId || !tracked) return;
    // The obligation ends when the job reports done, or when a request of its cleanup kind went through:
    // the DELETE of a client job, or the submit (ok or faulted) of a popped worker job.
    const cleanupKind = tracked.cleanup.some((c) => c.constructor === request.constructor);
    const done = (response as { done?: unknown }).done === true;
    if (cleanupKind || done) this.#open.delete(jobId);
  }
}

function jobIdOf(request: HordeRequest): string | undefined {
  const id = (request as { id?: unknown }).id;
  return typeof id === "string" ? id : undefined;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
