/**
 * Source images of img2img requests and alchemy (docs/server/image-requests.md#submit-order step 9,
 * docs/server/alchemy.md#submit), checked at submit as the server checks them:
 * - a value starting with `http` is downloaded (2 s without progress is a failure, at most 5 MB), and only
 *   its header is read; alchemy keeps the URL, image requests store the image in the local R2;
 * - anything else is base64: decoded, at most 3072×3072, re-encoded as WebP and stored in the local R2.
 * A URL into the emulator's own R2 (a result of an earlier request) is read from there, not downloaded.
 *
 * DEVIATION(docs/server/deviations.md#source-downloads-have-a-deadline): a download also fails after 20 s
 * in all, so a server that trickles bytes cannot hold a request open; the server only limits each read.
 */
import sharp, { type Metadata } from "sharp";
import { err, type HordeError } from "./errors.js";
import { tilesOf } from "./reference/forms.js";
import { R2_PATH_PREFIX } from "./store/bucket.js";
import type { IngestedImage } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";

/** requests' `timeout=2`: connecting and every read. */
export const SOURCE_READ_TIMEOUT_MS = 2_000;
/** The whole download (the emulator's own limit). */
export const SOURCE_DOWNLOAD_DEADLINE_MS = 20_000;
/** More than five 1 MiB chunks is too much; a declared length over 5000 KiB is refused before reading. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;
const MAX_DECLARED_KIB = 5000;
/** Base64 sources may have at most 3072² pixels, image and alchemy alike; a URL has no such limit. */
const MAX_BASE64_SIDE = 3072;

/** The server's `ImageValidationFailed` family: one prefix, the default message, and the rcs of its causes. */
const invalid = (message: string, rc = "ImageValidationFailed"): HordeError =>
  err.badRequest(`Image validation failed. ${message}`, rc);
/** The message when nothing more precise is known (a payload that is no image). */
const UNDECODABLE =
  "Please ensure the source image payload is either a URL containing an image or a valid base64 encoded image.";
const notRetrieved = () => invalid("Something went wrong when retrieving image url.");
const tooBig = () => invalid("Provided image cannot be larger than 5Mb", "SourceImageSizeExceeded");

export interface SourceOptions {
  /** Keep a URL source as the URL instead of copying it into R2 (alchemy). */
  keepUrl?: boolean;
  /** Largest size in 512² tiles (alchemy: 255, docs/server/alchemy.md#submit). */
  maxTiles?: number;
}

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

type ImageSize = Pick<IngestedImage, "width" | "height" | "hasAlpha">;

/** What the image's header says of its size; `undefined` when the bytes are no image. */
async function header(bytes: Uint8Array): Promise<ImageSize | undefined> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    return undefined;
  }
  if (!meta.width || !meta.height) return undefined;
  return { width: meta.width, height: meta.height, hasAlpha: meta.hasAlpha === true };
}

/** Downloads a URL source with the server's limits; its refusals are the server's. */
export async function downloadSource(url: string): Promise<Uint8Array> {
  const controller = new AbortController();
  let idle: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(), SOURCE_READ_TIMEOUT_MS);
  };
  const deadline = setTimeout(() => controller.abort(), SOURCE_DOWNLOAD_DEADLINE_MS);
  try {
    arm();
    const res = await fetch(url, { signal: controller.signal }).catch(() => {
      throw notRetrieved();
    });
    const declared = res.headers.get("content-length");
    if (declared !== null && !/^\s*\d+\s*$/.test(declared)) throw notRetrieved();
    if (declared !== null && Number(declared) / 1024 > MAX_DECLARED_KIB) throw tooBig();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      if (!reader) break;
      arm();
      const { done, value } = await reader.read().catch(() => {
        throw notRetrieved();
      });
      if (done) break;
      size += value.length;
      if (size > MAX_SOURCE_BYTES) throw tooBig();
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(idle);
    clearTimeout(deadline);
    // Whatever is left of the body is dropped, so the connection does not linger.
    controller.abort();
  }
}

/** Checks a source's size in tiles (alchemy). */
function checkTiles(width: number, height: number, options: SourceOptions): void {
  const tiles = tilesOf(width, height);
  if (options.maxTiles !== undefined && tiles > options.maxTiles) {
    throw invalid(
      `Image is too large (${tiles} tiles) and would cause horde alchemists to run out of VRAM trying to process it.`,
      "SourceImageResolutionExceeded",
    );
  }
}

/** Re-encodes the image as WebP and stores it under `key` (a failure to decode is the default refusal). */
async function storeWebp(store: HordeStore, bytes: Uint8Array, key: string): Promise<void> {
  const webp = await sharp(bytes)
    .webp({ quality: 95 })
    .toBuffer()
    .catch(() => {
      throw invalid(UNDECODABLE);
    });
  store.r2.put(key, new Uint8Array(webp), "image/webp", store.now());
}

/** A URL source: read from the local R2 or downloaded; kept as the URL or stored under `key`. */
async function ingestUrl(
  s: HordeStore,
  url: string,
  key: string,
  options: SourceOptions,
): Promise<IngestedImage> {
  const local = localObject(s, url);
  const bytes = local ? local.bytes : await downloadSource(url);
  if (bytes.length === 0) {
    throw invalid("Something went wrong when opening image.", "SourceImageUnreadable");
  }
  const info = await header(bytes);
  if (!info) throw invalid("Url does not contain a valid image.", "SourceImageUrlInvalid");
  checkTiles(info.width, info.height, options);
  if (options.keepUrl) return { url, ...info };
  if (local) return { key: local.key, ...info };
  // QUIRK(docs/server/image-requests.md#submit-order): a failure to store a downloaded image reads as a
  // failure to retrieve it.
  await storeWebp(s, bytes, key).catch(() => {
    throw notRetrieved();
  });
  return { key, ...info };
}

/** Decodes, checks and stores a source; `key` is the R2 key to store it under. */
export async function ingestSourceImage(
  s: HordeStore,
  value: string,
  key: string,
  options: SourceOptions = {},
): Promise<IngestedImage> {
  if (value.startsWith("http")) return ingestUrl(s, value, key, options);
  const bytes = Buffer.from(value, "base64");
  const info = bytes.length > 0 ? await header(bytes) : undefined;
  if (!info) throw invalid(UNDECODABLE);
  if (info.width * info.height > MAX_BASE64_SIDE * MAX_BASE64_SIDE) {
    throw invalid(
      `Image size cannot exceed ${MAX_BASE64_SIDE}*${MAX_BASE64_SIDE} pixels`,
      "SourceImageResolutionExceeded",
    );
  }
  await storeWebp(s, bytes, key);
  checkTiles(info.width, info.height, options);
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
