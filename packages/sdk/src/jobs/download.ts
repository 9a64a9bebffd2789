import { decodeBase64 } from "../core/base64.js";
import { HordeError } from "../core/errors.js";
import type { ImageGeneration } from "../models/generate/status.js";
import type { JobHost } from "./options.js";

/** One image of a finished request: its metadata, and its bytes when they could be had. */
export interface DownloadedImage {
  generation: ImageGeneration;
  /** WebP bytes; null when the image could not be downloaded or decoded (see `error`). */
  bytes: Uint8Array<ArrayBuffer> | null;
  error?: Error;
}

/**
 * GET a result URL (an R2 image, a post-processed alchemy image). Image hosts get a plain GET: no API key,
 * no Client-Agent (the client adds those only for URLs under the API base URL). A failure is returned, not
 * thrown, so one bad image never loses the others; only the caller's abort is thrown.
 */
export async function downloadUrl(
  host: JobHost,
  url: string,
  what: string,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array<ArrayBuffer> | null; error?: Error }> {
  try {
    const response = await host.fetchUrl(url, signal ? { signal } : {});
    if (response.status === 200) return { bytes: response.bytes };
    return { bytes: null, error: new HordeError(`download of ${what} answered HTTP ${response.status}`) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { bytes: null, error: error as Error };
  }
}

/** Fetch (R2 URL) or decode (base64) a generation's image; failures are returned, not thrown. */
export async function downloadGeneration(
  host: JobHost,
  generation: ImageGeneration,
  signal?: AbortSignal,
): Promise<DownloadedImage> {
  const img = generation.img;
  if (typeof img !== "string" || img === "" || img === "N/A") {
    // QUIRK(docs/server/image-requests.md#status): with r2=false the server sends "N/A" when it could not
    // fetch the image itself.
    return {
      generation,
      bytes: null,
      error: new HordeError(`generation ${generation.id} has no image (${String(img)})`),
    };
  }
  if (generation.isUrl) return { generation, ...(await downloadUrl(host, img, generation.id, signal)) };
  try {
    return { generation, bytes: decodeBase64(img) };
  } catch (error) {
    return { generation, bytes: null, error: error as Error };
  }
}

/** Download every generation, `concurrency` at a time, keeping their order. Failures are per image. */
export async function downloadAll(
  host: JobHost,
  generations: readonly ImageGeneration[],
  signal?: AbortSignal,
  concurrency = 4,
): Promise<DownloadedImage[]> {
  const results: DownloadedImage[] = new Array(generations.length);
  let next = 0;
  const worker = async () => {
    while (next < generations.length) {
      const index = next++;
      results[index] = await downloadGeneration(host, generations[index] as ImageGeneration, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, generations.length) }, worker));
  for (const image of results) {
    if (image.error) host.logger.warn(`image ${image.generation.id}: ${image.error.message}`);
  }
  return results;
}
