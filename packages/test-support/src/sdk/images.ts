// Test pictures: a PNG of one colour, the source image, mask or generated picture most tests need.
import sharp from "sharp";

/** A `width`×`height` PNG of one colour (`"#c00"`, or `{ r, g, b }`), without alpha. */
export function solidPng(
  width: number,
  height: number,
  background: string | { r: number; g: number; b: number },
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}
