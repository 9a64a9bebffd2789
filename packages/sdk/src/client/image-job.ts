import { AIHordeRequestError, HordeJobError, HordeValidationError } from "../generic/errors.js";
import {
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
} from "../models/generate/async.js";
import { ImageGenerateCheckRequest, type ImageGenerateCheckResponse } from "../models/generate/check.js";
import { ImageGenerateStatusRequest, type ImageGenerateStatusResponse } from "../models/generate/status.js";
import type { AIHordeAPIClient } from "./client.js";
import { type DownloadedImage, downloadGeneration } from "./download.js";
import { asAbortError, linkSignals } from "./signals.js";

/** Reported after every poll. */
export interface ImageProgressEvent {
  id: string;
  check: ImageGenerateCheckResponse;
}

export interface GenerateImageOptions {
  signal?: AbortSignal;
  /** Give up (and cancel the job) after this long; default 20 minutes, the server's own request lifetime. */
  timeoutMs?: number;
  onProgress?: (event: ImageProgressEvent) => void;
  /** Called once the server accepted the request, before polling starts. */
  onSubmitted?: (response: ImageGenerateAsyncResponse) => void;
  /** Download R2 URLs / decode base64 into bytes (default true). */
  download?: boolean;
}

export interface GenerateImageResult {
  id: string;
  status: ImageGenerateStatusResponse;
  images: DownloadedImage[];
}

const DEFAULT_JOB_TIMEOUT_MS = 20 * 60 * 1000;

/** submit → poll /check (≥ 1 s apart) → one /status → download; the session cancels on any early exit. */
export async function runImageJob(
  client: AIHordeAPIClient,
  requestOrPayload: ImageGenerateAsyncRequest | ImageGenerateAsyncPayload,
  options: GenerateImageOptions,
): Promise<GenerateImageResult> {
  // Validation happens here, before anything is sent.
  const request =
    requestOrPayload instanceof ImageGenerateAsyncRequest
      ? requestOrPayload
      : new ImageGenerateAsyncRequest(requestOrPayload);
  if (request.dry_run) {
    throw new HordeValidationError("ImageGenerateAsyncRequest", [
      { path: "dry_run", message: "generateImage queues a job; use submitRequest for a dry run" },
    ]);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
  const linked = linkSignals(options.signal, timeoutMs, "generateImage", client.clock);
  const signal = linked.signal;
  const session = client.session();
  try {
    const submitted = await session.submitRequest(request, { signal });
    if (!(submitted instanceof ImageGenerateAsyncResponse)) {
      throw new HordeValidationError("ImageGenerateAsyncResponse", [
        { path: "", message: "the server answered the submit as if it were a dry run" },
      ]);
    }
    const id = submitted.id;
    options.onSubmitted?.(submitted);
    const check = await pollUntilDone(client, session, id, options, signal);
    const status = await session.submitRequest(new ImageGenerateStatusRequest({ id }), { signal });
    session.markComplete(id);
    if (status.faulted || check.faulted) {
      const error = new HordeJobError(`image request ${id} faulted on the server`, id, "faulted");
      throw Object.assign(error, { status });
    }
    const images =
      options.download === false
        ? status.generations.map((generation) => ({ generation, bytes: null }))
        : await Promise.all(status.generations.map((g) => downloadGeneration(client.transport, g, signal)));
    for (const image of images) {
      if ("error" in image && image.error)
        client.logger.warn(`image ${image.generation.id}: ${image.error.message}`);
    }
    return { id, status, images };
  } catch (error) {
    if (signal.aborted) throw asAbortError(signal.reason, "generateImage");
    throw error;
  } finally {
    linked.dispose();
    // Cancels (DELETE) the job if it was submitted and is not complete: abort, timeout and errors alike.
    await session.close();
  }
}

async function pollUntilDone(
  client: AIHordeAPIClient,
  session: ReturnType<AIHordeAPIClient["session"]>,
  id: string,
  options: GenerateImageOptions,
  signal: AbortSignal,
): Promise<ImageGenerateCheckResponse> {
  for (;;) {
    await client.clock.sleep(client.pollIntervalMs, signal);
    let check: ImageGenerateCheckResponse;
    try {
      check = await session.submitRequest(new ImageGenerateCheckRequest({ id }), { signal });
    } catch (error) {
      if (error instanceof AIHordeRequestError && error.status === 404) {
        throw new HordeJobError(`image request ${id} expired or was deleted on the server`, id, "expired");
      }
      throw error;
    }
    options.onProgress?.({ id, check });
    // `done` also covers faulted requests; the caller sees the fault through the final status.
    if (check.done) return check;
  }
}
