// Alchemy jobs: poll their /status until every form is done, faulted or cancelled; download the images
// of post-processing forms.
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
import { downloadUrl } from "./download.js";
import { type HordeJob, statusPolledKind } from "./job.js";
import type { RunJobOptions } from "./options.js";
import type { JobRecipe } from "./run.js";

/** One post-processed image of an alchemy request (an upscale, a face fix, a stripped background). */
export interface AlchemyImage {
  form: string;
  url: string;
  /** The processed image; null when it could not be downloaded (see `error`). */
  bytes: Uint8Array<ArrayBuffer> | null;
  error?: Error;
}

/** What `client.runAlchemy` and an alchemy job's `wait()` resolve to. */
export interface RunAlchemyResult {
  id: string;
  status: AlchemyStatusResponse;
  /** Every form with its state and result (captions, nsfw verdicts, interrogations, image URLs). */
  forms: readonly AlchemyFormStatus[];
  /** The images of post-processing forms (upscalers, face fixers, strip_background), downloaded. */
  images: AlchemyImage[];
}

/** An alchemy request running on the horde: polled on /interrogate/status, cancelled with DELETE. */
export type AlchemyJob = HordeJob<AlchemyStatusResponse, AlchemyStatusResponse, RunAlchemyResult>;
/** Options of `client.runAlchemy`: signal, timeout, progress callback, downloads. */
export type RunAlchemyOptions = RunJobOptions<AlchemyStatusResponse, AlchemyAsyncResponse>;

export const alchemyRecipe: JobRecipe<
  AlchemyAsyncRequest,
  AlchemyAsyncPayload,
  AlchemyAsyncResponse,
  AlchemyStatusResponse,
  AlchemyStatusResponse,
  RunAlchemyResult
> = {
  request: AlchemyAsyncRequest,
  accepted: AlchemyAsyncResponse,
  kind: (expected, options) =>
    statusPolledKind(
      "alchemy",
      {
        status: (id) => new AlchemyStatusRequest({ id }),
        cancel: (id) => new AlchemyDeleteRequest({ id }),
      },
      expected,
      async (status, job, signal) => {
        const images: AlchemyImage[] = [];
        for (const { form, url } of status.imageUrls) {
          const bytes =
            (options.download ?? true) ? await downloadUrl(job.host, url, form, signal) : { bytes: null };
          images.push({ form, url, ...bytes });
        }
        return { id: job.id, status, forms: status.forms, images };
      },
    ),
};
