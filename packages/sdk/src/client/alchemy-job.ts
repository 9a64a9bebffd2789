import {
  type AlchemyAsyncPayload,
  AlchemyAsyncRequest,
  AlchemyAsyncResponse,
} from "../models/alchemy/async.js";
import {
  AlchemyDeleteRequest,
  type AlchemyFormStatus,
  AlchemyStatusRequest,
  type AlchemyStatusResponse,
} from "../models/alchemy/status.js";
import type { AIHordeAPIClient } from "./client.js";
import { HordeJob, type JobKind, type JobWaitOptions } from "./job.js";
import { expectQueued, waitOptionsFrom } from "./job-options.js";

export interface AlchemyImage {
  form: string;
  url: string;
  /** The processed image; null when it could not be downloaded (see `error`). */
  bytes: Uint8Array<ArrayBuffer> | null;
  error?: Error;
}

export interface RunAlchemyResult {
  id: string;
  status: AlchemyStatusResponse;
  /** Every form with its state and result (captions, nsfw verdicts, interrogations, image URLs). */
  forms: readonly AlchemyFormStatus[];
  /** The images of post-processing forms (upscalers, face fixers, strip_background), downloaded. */
  images: AlchemyImage[];
}

export type AlchemyJob = HordeJob<AlchemyStatusResponse, AlchemyStatusResponse, RunAlchemyResult>;

export interface RunAlchemyOptions extends JobWaitOptions<AlchemyStatusResponse> {
  onSubmitted?: (response: AlchemyAsyncResponse) => void;
  /** Download the images of post-processing forms (default true). */
  download?: boolean;
}

/** Alchemy jobs poll their /status until every form is done, faulted or cancelled. */
function alchemyKind(
  expected: number,
  download: boolean,
): JobKind<AlchemyStatusResponse, AlchemyStatusResponse, RunAlchemyResult> {
  return {
    name: "alchemy",
    progressRequest: (id) => new AlchemyStatusRequest({ id }),
    finalRequest: () => null,
    cancelRequest: (id) => new AlchemyDeleteRequest({ id }),
    isDone: (status) => status.isJobComplete(expected),
    isFaulted: (status) => status.faulted,
    isPossible: () => true,
    async finish(status, job, signal) {
      const images: AlchemyImage[] = [];
      for (const { form, url } of status.imageUrls) {
        if (!download) {
          images.push({ form, url, bytes: null });
          continue;
        }
        try {
          const response = await job.client.transport.send({
            method: "GET",
            url,
            signal,
            authenticate: false,
          });
          images.push(
            response.status === 200
              ? { form, url, bytes: response.bytes }
              : {
                  form,
                  url,
                  bytes: null,
                  error: new Error(`download of ${form} answered HTTP ${response.status}`),
                },
          );
        } catch (error) {
          if (signal.aborted) throw error;
          images.push({ form, url, bytes: null, error: error as Error });
        }
      }
      return { id: job.id, status, forms: status.forms, images };
    },
  };
}

export async function submitAlchemy(
  client: AIHordeAPIClient,
  requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
  options: { signal?: AbortSignal; download?: boolean } = {},
): Promise<AlchemyJob> {
  const request =
    requestOrPayload instanceof AlchemyAsyncRequest
      ? requestOrPayload
      : new AlchemyAsyncRequest(requestOrPayload);
  const response = await client.submitJobRequest(request, options.signal);
  const accepted = expectQueued("AlchemyAsyncResponse", request, response, AlchemyAsyncResponse);
  const kind = alchemyKind(request.getNumberOfResultsExpected(), options.download ?? true);
  return new HordeJob(client, kind, accepted.id, accepted);
}

/** submit → poll /status until every form settles → results (and processed images); cancelled on any early exit. */
export async function runAlchemy(
  client: AIHordeAPIClient,
  requestOrPayload: AlchemyAsyncRequest | AlchemyAsyncPayload,
  options: RunAlchemyOptions = {},
): Promise<RunAlchemyResult> {
  const job = await submitAlchemy(client, requestOrPayload, options);
  try {
    options.onSubmitted?.(job.submitted as AlchemyAsyncResponse);
    return await job.wait(waitOptionsFrom(options));
  } finally {
    await job[Symbol.asyncDispose]();
  }
}
