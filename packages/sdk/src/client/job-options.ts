import { HordeValidationError } from "../generic/errors.js";
import type { HordeRequest } from "../generic/request.js";
import type { HordeResponse } from "../generic/response.js";
import type { JobWaitOptions } from "./job.js";

/** Copy only the wait options that were given (exactOptionalPropertyTypes-friendly). */
export function waitOptionsFrom<P>(
  options: {
    [K in keyof JobWaitOptions<P>]?: JobWaitOptions<P>[K] | undefined;
  },
): JobWaitOptions<P> {
  const out: JobWaitOptions<P> = {};
  if (options.signal) out.signal = options.signal;
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.onProgress) out.onProgress = options.onProgress;
  if (options.failWhenImpossible !== undefined) out.failWhenImpossible = options.failWhenImpossible;
  return out;
}

/**
 * Job helpers queue work: a dry run (which queues nothing) is refused before sending, and a response of the
 * wrong class (a dry-run answer to a real submit) is reported instead of being mistaken for a job.
 */
export function expectQueued<R extends HordeResponse>(
  model: string,
  request: HordeRequest,
  response?: HordeResponse,
  expected?: abstract new (...args: never[]) => R,
): R {
  if ((request as { dry_run?: unknown }).dry_run === true) {
    throw new HordeValidationError(model, [
      {
        path: "dry_run",
        message: "a dry run queues nothing; use submitRequest (or client.estimateImageKudos)",
      },
    ]);
  }
  if (response && expected && !(response instanceof expected)) {
    throw new HordeValidationError(model, [
      { path: "", message: "the server answered the submit as if it were a dry run" },
    ]);
  }
  return response as R;
}
