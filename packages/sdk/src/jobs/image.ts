// Image jobs: poll the cheap /check, fetch /status once at the end, and download what it lists.
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
import { type DownloadedImage, downloadAll } from "./download.js";
import type { HordeJob } from "./job.js";
import type { RunJobOptions, SubmitJobOptions } from "./options.js";
import type { JobRecipe } from "./run.js";

/** What `client.generateImage` and an image job's `wait()` resolve to. */
export interface GenerateImageResult {
  id: string;
  status: ImageGenerateStatusResponse;
  /** One entry per delivered image, censored ones included (see `generation.censored` / `gen_metadata`). */
  images: DownloadedImage[];
}

/** An image request running on the horde: polled on the cheap /check, results fetched once from /status. */
export type ImageJob = HordeJob<ImageGenerateCheckResponse, ImageGenerateStatusResponse, GenerateImageResult>;
/** Options of `client.submitImage`, which returns the job without waiting for it. */
export type SubmitImageOptions = SubmitJobOptions;
/** Options of `client.generateImage`: signal, timeout, progress callback, downloads. */
export type GenerateImageOptions = RunJobOptions<ImageGenerateCheckResponse, ImageGenerateAsyncResponse>;

export const imageRecipe: JobRecipe<
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncPayload,
  ImageGenerateAsyncResponse,
  ImageGenerateCheckResponse,
  ImageGenerateStatusResponse,
  GenerateImageResult
> = {
  request: ImageGenerateAsyncRequest,
  accepted: ImageGenerateAsyncResponse,
  kind: (_expected, options) => ({
    name: "image",
    progressRequest: (id) => new ImageGenerateCheckRequest({ id }),
    finalRequest: (id) => new ImageGenerateStatusRequest({ id }),
    cancelRequest: (id) => new DeleteImageGenerateRequest({ id }),
    // QUIRK(docs/server/progress.md#counters): after a restart `done` counts faulted rows as finished, so it
    // can be true while a re-queued image is still processing; its result would be lost, so wait for it.
    isDone: (check) => check.done && (check.processing === 0 || check.faulted),
    isFaulted: (check) => check.faulted,
    isPossible: (check) => check.is_possible,
    async finish(status, job, signal) {
      const images =
        (options.download ?? true)
          ? await downloadAll(job.host, status.generations, signal)
          : status.generations.map((generation) => ({ generation, bytes: null }));
      return { id: job.id, status, images };
    },
  }),
};
