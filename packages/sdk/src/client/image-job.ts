import {
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
} from "../models/generate/async.js";
import { ImageGenerateCheckRequest, type ImageGenerateCheckResponse } from "../models/generate/check.js";
import {
  DeleteImageGenerateRequest,
  ImageGenerateStatusRequest,
  type ImageGenerateStatusResponse,
} from "../models/generate/status.js";
import type { AIHordeAPIClient } from "./client.js";
import { type DownloadedImage, downloadAll } from "./download.js";
import { HordeJob, type JobKind, type JobWaitOptions } from "./job.js";
import { expectQueued, waitOptionsFrom } from "./job-options.js";

/** Reported after every poll. */
export interface ImageProgressEvent {
  id: string;
  check: ImageGenerateCheckResponse;
}

export interface SubmitImageOptions {
  signal?: AbortSignal;
  /** Download R2 URLs / decode base64 into bytes when the job finishes (default true). */
  download?: boolean;
}

export interface GenerateImageOptions extends SubmitImageOptions {
  /** Give up (and cancel the job) after this long; default 20 minutes, the server's own request lifetime. */
  timeoutMs?: number;
  onProgress?: (event: ImageProgressEvent) => void;
  /** Called once the server accepted the request, before polling starts. */
  onSubmitted?: (response: ImageGenerateAsyncResponse) => void;
  /** Cancel and fail as soon as the server says no worker can serve the request (default: keep waiting). */
  failWhenImpossible?: boolean;
}

export interface GenerateImageResult {
  id: string;
  status: ImageGenerateStatusResponse;
  /** One entry per delivered image, censored ones included (see `generation.censored` / `gen_metadata`). */
  images: DownloadedImage[];
}

export type ImageJob = HordeJob<ImageGenerateCheckResponse, ImageGenerateStatusResponse, GenerateImageResult>;

/** Image jobs poll the cheap /check, fetch /status once at the end, and download what it lists. */
function imageKind(
  download: boolean,
): JobKind<ImageGenerateCheckResponse, ImageGenerateStatusResponse, GenerateImageResult> {
  return {
    name: "image",
    progressRequest: (id) => new ImageGenerateCheckRequest({ id }),
    finalRequest: (id) => new ImageGenerateStatusRequest({ id }),
    cancelRequest: (id) => new DeleteImageGenerateRequest({ id }),
    isDone: (check) => check.done,
    isFaulted: (check) => check.faulted,
    isPossible: (check) => check.is_possible,
    async finish(status, job, signal) {
      const images = download
        ? await downloadAll(job.client, status.generations, signal)
        : status.generations.map((generation) => ({ generation, bytes: null }));
      return { id: job.id, status, images };
    },
  };
}

function toRequest(
  requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
): ImageGenerateAsyncRequest {
  // Validation happens here, before anything is sent.
  const request =
    requestOrPayload instanceof ImageGenerateAsyncRequest
      ? requestOrPayload
      : new ImageGenerateAsyncRequest(requestOrPayload);
  expectQueued("ImageGenerateAsyncRequest", request);
  return request;
}

/** Submit an image request and return its job (the caller must `wait()`, `cancel()` or dispose it). */
export async function submitImage(
  client: AIHordeAPIClient,
  requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
  options: SubmitImageOptions = {},
): Promise<ImageJob> {
  const request = toRequest(requestOrPayload);
  const response = await client.submitJobRequest(request, options.signal);
  const accepted = expectQueued("ImageGenerateAsyncResponse", request, response, ImageGenerateAsyncResponse);
  return new HordeJob(client, imageKind(options.download ?? true), accepted.id, accepted);
}

/** submit → adaptive polling of /check → one /status → downloads; cancelled on the server on any early exit. */
export async function generateImage(
  client: AIHordeAPIClient,
  requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
  options: GenerateImageOptions = {},
): Promise<GenerateImageResult> {
  const job = await submitImage(client, requestOrPayload, options);
  try {
    options.onSubmitted?.(job.submitted as ImageGenerateAsyncResponse);
    const { onProgress } = options;
    const waitOptions: JobWaitOptions<ImageGenerateCheckResponse> = waitOptionsFrom({
      ...options,
      onProgress: onProgress ? (check) => onProgress({ id: job.id, check }) : undefined,
    });
    return await job.wait(waitOptions);
  } finally {
    await job[Symbol.asyncDispose]();
  }
}
