/** Reading the images a command sends (img2img sources, masks, alchemy inputs): checked before anything is sent. */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "./errors.js";
import { loadSdk } from "./lazy.js";

/** The largest image file the CLI sends (the horde rejects far smaller ones; this guards against mistakes). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type ImageFormat = "webp" | "png" | "jpeg" | "gif" | "bmp";

/** The format of an image from its first bytes, or null when it is none the horde reads. */
export function sniffImage(bytes: Uint8Array): ImageFormat | null {
  const at = (i: number) => bytes[i] ?? -1;
  const ascii = (from: number, text: string) => [...text].every((c, i) => at(from + i) === c.charCodeAt(0));
  if (at(0) === 0x89 && ascii(1, "PNG")) return "png";
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return "jpeg";
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "webp";
  if (ascii(0, "GIF8")) return "gif";
  if (ascii(0, "BM") && bytes.length > 26) return "bmp";
  return null;
}

/**
 * An image given on the command line, as the API wants it: an http(s) URL is passed as is (the horde
 * downloads it); a file is read, checked to be a PNG, JPEG, WebP, GIF or BMP, and base64-encoded.
 */
export async function readImageArg(value: string, flag: string, cwd: string): Promise<string> {
  const v = value.trim();
  if (/^https?:\/\//i.test(v)) return v;
  if (v === "") throw new UsageError(`${flag}: the file name is empty`);
  const path = resolve(cwd, v);
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${flag}: ${v} is a folder, not an image file`);
    size = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === "ENOENT") throw new UsageError(`${flag}: no such file: ${v}`);
    throw new UsageError(`${flag}: cannot read ${v}: ${(err as Error).message}`);
  }
  if (size === 0) throw new UsageError(`${flag}: ${v} is empty`);
  if (size > MAX_IMAGE_BYTES) {
    throw new UsageError(
      `${flag}: ${v} is too large (${Math.round(size / 1024 / 1024)} MiB; at most 20 MiB)`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${v}: ${(err as Error).message}`);
  }
  if (sniffImage(bytes) === null) {
    throw new UsageError(`${flag}: ${v} is not an image the horde can read (PNG, JPEG, WebP, GIF or BMP)`);
  }
  const { encodeBase64 } = await loadSdk();
  return encodeBase64(bytes);
}
