// Submit and run, the same for every kind of job: validate, submit safely, start the job; then wait for it
// and cancel it on any early exit. A kind (image.ts, text.ts, alchemy.ts) says only what is its own.
import { asyncDispose } from "../core/dispose.js";
import { HordeValidationError } from "../core/errors.js";
import type { HordeRequest, HordeResponse } from "../core/messages.js";
import { HordeJob, type JobKind } from "./job.js";
import { type JobHost, type RunJobOptions, type SubmitJobOptions, waitOptionsFrom } from "./options.js";
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
  readonly accepted: abstract new (
    ...args: never[]
  ) => A;
  /** The job's endpoints and states, for this request. */
  kind(request: Q, options: SubmitJobOptions): JobKind<P, S, R>;
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
  options: SubmitJobOptions = {},
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
  const response = await host.submitJobRequest(request, options.signal);
  if (!(response instanceof recipe.accepted)) {
    // A dry-run answer to a real submit would be mistaken for a job: report it instead.
    throw new HordeValidationError(recipe.accepted.name, [
      { path: "", message: "the server answered the submit as if it were a dry run" },
    ]);
  }
  return new HordeJob(host, recipe.kind(request, options), response.id, response);
}

/**
 * Wait for a job being submitted (`submitJob(…)`) and produce its result: the rest of a whole run
 * (`generateImage`, `generateText`, `runAlchemy`). Cancelled on the server on any early exit.
 */
export async function runJob<P extends HordeResponse & PaceInput, S extends HordeResponse, R, A>(
  submitting: Promise<HordeJob<P, S, R>>,
  options: RunJobOptions<P, A> = {},
): Promise<R> {
  const job = await submitting;
  try {
    options.onSubmitted?.(job.submitted as A);
    return await job.wait(waitOptionsFrom(options));
  } finally {
    await job[asyncDispose]();
  }
}
