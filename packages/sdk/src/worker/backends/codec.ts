// The image conversions an image backend needs and fetch cannot do: the horde wants WebP results, while
// AUTOMATIC1111 and ComfyUI answer PNG; inpainting without a mask paints where the source is transparent,
// which AUTOMATIC1111 needs as a separate mask. horde-sdk/worker has no image library (it runs in browsers);
// `sharpCodec(sharp)` builds one from sharp, passed in by the caller.

/** Image conversions for image backends. */
export interface ImageCodec {
  /** The image (PNG, JPEG, WebP, …) as WebP; WebP is returned as is. */
  toWebp(image: Uint8Array): Promise<Uint8Array>;
  /**
   * The transparent part of `image` as a black-and-white PNG mask (white where it is transparent, that is
   * where to paint); null when the image has no alpha channel.
   */
  alphaMask(image: Uint8Array): Promise<Uint8Array | null>;
}

/** The part of sharp's API the codec uses (so the SDK needs no dependency on it). */
export type SharpLike = (input: Uint8Array) => SharpImage;

interface SharpImage {
  metadata(): Promise<{ hasAlpha?: boolean }>;
  webp(options?: { quality?: number }): SharpImage;
  png(): SharpImage;
  ensureAlpha(): SharpImage;
  extractChannel(channel: 3): SharpImage;
  negate(): SharpImage;
  toBuffer(): Promise<Uint8Array>;
}

/** Quality of the WebP results (what the reference worker uploads is lossy too). */
const WEBP_QUALITY = 95;

/** An ImageCodec on sharp: `sharpCodec((await import("sharp")).default)`. */
export function sharpCodec(sharp: SharpLike): ImageCodec {
  return {
    async toWebp(image) {
      if (isWebp(image)) return image;
      return new Uint8Array(await sharp(image).webp({ quality: WEBP_QUALITY }).toBuffer());
    },
    async alphaMask(image) {
      const { hasAlpha } = await sharp(image).metadata();
      if (!hasAlpha) return null;
      // alpha 0 (transparent) → 255 (white: paint here)
      return new Uint8Array(await sharp(image).ensureAlpha().extractChannel(3).negate().png().toBuffer());
    },
  };
}

/** `RIFF····WEBP`. */
export function isWebp(bytes: Uint8Array): boolean {
  const tag = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  return bytes.length >= 12 && tag(0) === "RIFF" && tag(8) === "WEBP";
}
