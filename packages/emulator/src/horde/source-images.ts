/**
 * Source images of img2img requests and alchemy (docs/server/image-requests.md#submit-order step 9,
 * docs/server/alchemy.md#alchemy): base64 sources are decoded,
 * checked and stored in the local R2 as WebP; a URL pointing into the emulator's own R2 (a result of an
 * earlier request) is read from there.
 *
 * DEVIATION(docs/server/image-requests.md#submit-order step 9): other URLs are not downloaded (the emulator
 * stays offline): they are passed
 * to the worker as given and assumed to be 512×512.
 */
import sharp, { type Metadata } from "sharp";
import { err } from "./errors.js";
import { R2_PATH_PREFIX } from "./store/bucket.js";
import type { IngestedImage } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";

const bad = (rc: string, message: string) => err.badRequest(message, rc);
/** The server's `ImageValidationFailed` without a message of its own. */
const UNDECODABLE =
  "Image validation failed. Please ensure the source image payload is either a URL containing an image or a " +
  "valid base64 encoded image.";

/** A local R2 object named by a URL the emulator minted (any origin), if it exists. */
function localObject(store: HordeStore, value: string): { key: string; bytes: Uint8Array } | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!url.pathname.startsWith(R2_PATH_PREFIX)) return undefined;
  const key = decodeURIComponent(url.pathname.slice(R2_PATH_PREFIX.length));
  const obj = store.r2.get(key, store.now());
  return obj ? { key, bytes: obj.bytes } : undefined;
}

export interface SourceLimits {
  /** Largest w·h as a side length: 3072 for image requests (docs/server/image-requests.md#submit-order step 9). */
  maxSide?: number;
  /** Largest size in 512² tiles: 255 for alchemy (docs/server/alchemy.md#alchemy). */
  maxTiles?: number;
}

async function inspect(bytes: Uint8Array, limits: SourceLimits) {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw bad("ImageValidationFailed", UNDECODABLE);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width === 0 || height === 0) throw bad("ImageValidationFailed", UNDECODABLE);
  const maxSide = limits.maxSide ?? Number.POSITIVE_INFINITY;
  if (width * height > maxSide * maxSide) {
    throw bad(
      "SourceImageResolutionExceeded",
      `Image validation failed. Image size cannot exceed ${maxSide}*${maxSide} pixels`,
    );
  }
  const tiles = Math.ceil((width * height) / (512 * 512));
  if (limits.maxTiles !== undefined && tiles > limits.maxTiles) {
    throw bad(
      "SourceImageResolutionExceeded",
      `Source image too large: ${tiles} tiles of 512x512 (at most ${limits.maxTiles}).`,
    );
  }
  return { width, height, hasAlpha: meta.hasAlpha === true };
}

/** Decodes, checks and stores a source; `key` is the R2 key to store it under. */
export async function ingestSourceImage(
  store: HordeStore,
  value: string,
  key: string,
  limits: SourceLimits = { maxSide: 3072 },
): Promise<IngestedImage> {
  if (/^https?:\/\//i.test(value)) {
    const local = localObject(store, value);
    if (!local) return { url: value, width: 512, height: 512, hasAlpha: false };
    const info = await inspect(local.bytes, limits);
    return { key: local.key, ...info };
  }
  const bytes = Buffer.from(value, "base64");
  if (bytes.length === 0) throw bad("ImageValidationFailed", UNDECODABLE);
  const info = await inspect(bytes, limits);
  const webp = await sharp(bytes).webp({ quality: 95 }).toBuffer();
  store.r2.put(key, new Uint8Array(webp), "image/webp", store.now());
  return { key, ...info };
}

/** How a worker gets a stored source: a presigned GET URL for bridges with `r2_source`, else base64 WebP. */
export function sourceForWorker(
  store: HordeStore,
  image: { key?: string; url?: string },
  origin: string,
  presignable: boolean,
): string | undefined {
  if (image.url) return image.url;
  if (!image.key) return undefined;
  const now = store.now();
  if (presignable) return store.r2.presign(origin, "GET", image.key, now);
  const obj = store.r2.get(image.key, now);
  return obj ? Buffer.from(obj.bytes).toString("base64") : undefined;
}
