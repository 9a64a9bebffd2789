// Submit and run, the same for every kind of job: validate, write the job's entry (before anything is sent),
// submit safely, start the job; then wait for it and cancel it on any early exit. A kind (image.ts, text.ts,
// alchemy.ts) says only what is its own.
import { asyncDispose } from "../core/dispose.js";
import { HordeLostSubmitError, HordeValidationError } from "../core/errors.js";
import type { HordeRequest, HordeResponse } from "../core/messages.js";
import { asAbortError } from "../http/signals.js";
import { HordeJob, type JobKind } from "./job.js";
import type { JobRecord } from "./ledger.js";
import { LOOKUP_CACHE_MS, lookForRequest, lostSubmitError } from "./lost.js";
import {
  type JobHost,
  type JobType,
  type JobWaitOptions,
  type SubmitJobOptions,
  waitOptionsFrom,
} from "./options.js";
import type { PaceInput } from "./polling.js";

/** What one kind of job brings to submit and run. */
export interface JobRecipe<
  Q extends HordeRequest,
  In,
  A extends HordeResponse & { readonly id: string },
  P extends HordeResponse & PaceInput,
  S extends HordeResponse,
  R,
> {
  /** The submit request's class (the payload is validated by its constructor, before anything is sent). */
  readonly request: new (
    payload: In,
  ) => Q;
  /** The response of an accepted submit (a dry run's answer is another class). */
  readonly accepted: (abstract new (...args: never[]) => A) & { parse(json: unknown): A };
  /** The job's endpoints and states, for a request of `expected` results (resumed jobs rebuild it from the store). */
  kind(expected: number, options: SubmitJobOptions): JobKind<P, S, R>;
}

/** Submit a job and return it (the caller must `wait()`, `cancel()` or dispose it). */
export async function submitJob<
  Q extends HordeRequest,
  In,
  A extends HordeResponse & { readonly id: string },
  P extends HordeResponse & PaceInput,
  S extends HordeResponse,
  R,
>(
  host: JobHost,
  recipe: JobRecipe<Q, In, A, P, S, R>,
  requestOrPayload: Q | In,
  options: SubmitJobOptions & { onSubmitted?: ((response: A) => void) | undefined } = {},
): Promise<HordeJob<P, S, R>> {
  const request =
    requestOrPayload instanceof recipe.request
      ? requestOrPayload
      : new recipe.request(requestOrPayload as In);
  const name = recipe.request.name;
  // Jobs queue work: a dry run (which queues nothing) is refused before sending.
  if ((request as { dry_run?: unknown }).dry_run === true) {
    throw new HordeValidationError(name, [
      {
        path: "dry_run",
        message: "a dry run queues nothing; use submitRequest (or client.estimateImageKudos)",
      },
    ]);
  }
  const expected = request.getNumberOfResultsExpected();
  const kind = recipe.kind(expected, options);
  const record = await host.jobLedger.begin(kind.name, {
    expected,
    download: options.download ?? true,
    meta: options.meta,
  });
  const response = await sendOrFind(host, recipe, request, record, kind.name, options.signal);
  if (!(response instanceof recipe.accepted)) {
    await record.ended();
    // A dry-run answer to a real submit would be mistaken for a job: report it instead.
    throw new HordeValidationError(recipe.accepted.name, [
      { path: "", message: "the server answered the submit as if it were a dry run" },
    ]);
  }
  await record.identified(response.id);
  const job = new HordeJob(host, kind, response.id, response, { tracker: record });
  // The caller hears of every request the server accepted for it, even one its abort is about to cancel.
  options.onSubmitted?.(response);
  if (options.signal?.aborted) {
    // The caller gave up while the submit was on the wire: the job exists, so it is cancelled (a cancel that
    // fails leaves it in the job store, for a later resume to cancel).
    await job.cancel().catch((e: unknown) => {
      host.logger.error(
        `could not cancel ${kind.name} job ${job.id} after an abort: ${(e as Error).message}`,
      );
    });
    throw asAbortError(options.signal.reason, "submit");
  }
  return job;
}

/**
 * Sends the submit; when its answer was lost, looks for the request among the account's and answers with its
 * id alone. Nothing queued: the entry goes and the error is thrown. Cannot tell: HordeLostSubmitError.
 */
async function sendOrFind<Q extends HordeRequest, A extends HordeResponse & { readonly id: string }>(
  host: JobHost,
  recipe: { accepted: { parse(json: unknown): A } },
  request: Q,
  record: JobRecord,
  kind: JobType,
  signal: AbortSignal | undefined,
): Promise<NonNullable<Q["~response"]> | A> {
  let lost: HordeLostSubmitError;
  try {
    return await host.submitJobRequest(request, signal);
  } catch (error) {
    if (!(error instanceof HordeLostSubmitError)) {
      await record.ended(); // the server said no, or it was never sent: nothing was queued
      throw error;
    }
    lost = error;
  } finally {
    record.settled();
  }
  const ledger = host.jobLedger;
  const result = await lookForRequest(ledger, kind, ledger.context.clock.now() + LOOKUP_CACHE_MS);
  if (typeof result.found === "string") {
    host.logger.warn(
      `the answer to the ${kind} submit was lost (${(lost.cause as Error)?.message}); found its request ${result.found} among the account's`,
    );
    return recipe.accepted.parse({ id: result.found });
  }
  if (result.found === null) {
    await record.ended();
    // Nothing was queued: a caller who gave up meanwhile hears of its abort, as at any other moment.
    throw signal?.aborted ? asAbortError(signal.reason, "submit") : lost.cause;
  }
  await record.unidentified();
  throw lostSubmitError(kind, ledger.store ? record.key : null, result, lost.cause);
}

/**
 * Wait for a job being submitted (`submitJob(…)`) and produce its result: the rest of a whole run
 * (`generateImage`, `generateText`, `runAlchemy`). Cancelled on the server on any early exit.
 */
export async function runJob<P extends HordeResponse & PaceInput, S extends HordeResponse, R>(
  submitting: Promise<HordeJob<P, S, R>>,
  options: JobWaitOptions<P> = {},
): Promise<R> {
  const job = await submitting;
  try {
    return await job.wait(waitOptionsFrom(options));
  } finally {
    await job[asyncDispose]();
  }
}
