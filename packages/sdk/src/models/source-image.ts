import { encodeBase64 } from "../core/base64.js";

/** What an img2img / inpainting / remix source may be given as. */
export type SourceImageInput = Uint8Array | ArrayBuffer | Blob | string;

/**
 * Turn image bytes, a Blob (browsers, `fetch().blob()`), base64 or an http(s) URL into the string the API
 * takes in `source_image`, `source_mask` and `extra_source_images[].image`: base64, or the URL as is (the
 * server downloads URLs itself).
 */
export async function toSourceImage(input: SourceImageInput): Promise<string> {
  if (typeof input === "string") {
    const trimmed = input.trim();
    if (/^https?:\/\//i.test(trimmed)) return trimmed;
    const dataUrl = /^data:[^;,]+;base64,(.*)$/s.exec(trimmed);
    return dataUrl ? (dataUrl[1] as string) : trimmed;
  }
  if (input instanceof Uint8Array) return encodeBase64(input);
  if (input instanceof ArrayBuffer) return encodeBase64(new Uint8Array(input));
  return encodeBase64(new Uint8Array(await input.arrayBuffer()));
}
