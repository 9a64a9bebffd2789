import type { ImageGeneration } from "../models/generate/status.js";
import { decodeBase64 } from "./base64.js";
import type { AIHordeAPIClient } from "./client.js";
import type { Transport } from "./transport.js";

/** One image of a finished request: its metadata, and its bytes when they could be had. */
export interface DownloadedImage {
  generation: ImageGeneration;
  /** WebP bytes; null when the image could not be downloaded or decoded (see `error`). */
  bytes: Uint8Array<ArrayBuffer> | null;
  error?: Error;
}

/**
 * Fetch (R2 URL) or decode (base64) a generation's image. Image hosts get a plain GET: no API key, no
 * Client-Agent — the transport only adds those for URLs under the API base URL. Failures are returned, not
 * thrown, so one bad image never loses the others.
 */
export async function downloadGeneration(
  transport: Transport,
  generation: ImageGeneration,
  signal?: AbortSignal,
): Promise<DownloadedImage> {
  const img = generation.img;
  if (typeof img !== "string" || img === "" || img === "N/A") {
    // QUIRK(ai-horde-api §1.3): with r2=false the server sends "N/A" when it could not fetch the image itself.
    return {
      generation,
      bytes: null,
      error: new Error(`generation ${generation.id} has no image (${String(img)})`),
    };
  }
  if (!generation.isUrl) {
    try {
      return { generation, bytes: decodeBase64(img) };
    } catch (error) {
      return { generation, bytes: null, error: error as Error };
    }
  }
  try {
    const response = await transport.send({ method: "GET", url: img, signal, authenticate: false });
    if (response.status !== 200) {
      return {
        generation,
        bytes: null,
        error: new Error(`download of ${generation.id} answered HTTP ${response.status}`),
      };
    }
    return { generation, bytes: response.bytes };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { generation, bytes: null, error: error as Error };
  }
}

/** Download every generation, `concurrency` at a time, keeping their order. Failures are per image. */
export async function downloadAll(
  client: AIHordeAPIClient,
  generations: readonly ImageGeneration[],
  signal?: AbortSignal,
  concurrency = 4,
): Promise<DownloadedImage[]> {
  const results: DownloadedImage[] = new Array(generations.length);
  let next = 0;
  const worker = async () => {
    while (next < generations.length) {
      const index = next++;
      results[index] = await downloadGeneration(
        client.transport,
        generations[index] as ImageGeneration,
        signal,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, generations.length) }, worker));
  for (const image of results) {
    if (image.error) client.logger.warn(`image ${image.generation.id}: ${image.error.message}`);
  }
  return results;
}
