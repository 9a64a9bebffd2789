/**
 * The dev worker's "model": a deterministic abstract picture per (prompt, seed, width, height), encoded
 * as a real WebP of exactly that size. The same input always gives the same bytes; another prompt or
 * seed gives visibly different colours and shapes (all derived from a SHA-256 of the input).
 */
import { createHash } from "node:crypto";
import sharp from "sharp";

export interface DrawInput {
  prompt: string;
  seed: number | string;
  width: number;
  height: number;
}

/** A small deterministic PRNG (mulberry32) seeded from the input's hash. */
function rngFrom(input: DrawInput): () => number {
  const digest = createHash("sha256")
    .update(`${input.prompt}\u0000${input.seed}\u0000${input.width}x${input.height}`)
    .digest();
  let a = digest.readUInt32LE(0) ^ digest.readUInt32LE(4) ^ digest.readUInt32LE(8);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** Raw RGB pixels of the picture. */
function paint(input: DrawInput): Buffer {
  const { width: w, height: h } = input;
  const rnd = rngFrom(input);
  const px = Buffer.alloc(w * h * 3);
  const hue = rnd();
  const top = hsl(hue, 0.55 + 0.3 * rnd(), 0.25 + 0.2 * rnd());
  const bottom = hsl((hue + 0.35 + 0.3 * rnd()) % 1, 0.5 + 0.4 * rnd(), 0.55 + 0.25 * rnd());
  const tilt = rnd() - 0.5;

  // Background: a tilted two-colour gradient.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = Math.min(1, Math.max(0, y / h + tilt * (x / w - 0.5)));
      const i = (y * w + x) * 3;
      px[i] = top[0] + (bottom[0] - top[0]) * t;
      px[i + 1] = top[1] + (bottom[1] - top[1]) * t;
      px[i + 2] = top[2] + (bottom[2] - top[2]) * t;
    }
  }

  // Shapes: discs, rings and bars in colours around the palette's hue.
  const shapes = 4 + Math.floor(rnd() * 6);
  const unit = Math.min(w, h);
  for (let s = 0; s < shapes; s++) {
    const colour = hsl((hue + 0.1 + rnd() * 0.8) % 1, 0.6 + 0.4 * rnd(), 0.35 + 0.4 * rnd());
    const kind = Math.floor(rnd() * 3);
    const cx = rnd() * w;
    const cy = rnd() * h;
    const r = unit * (0.06 + 0.22 * rnd());
    const thickness = r * (0.15 + 0.25 * rnd());
    const bw = unit * (0.1 + 0.5 * rnd());
    const bh = unit * (0.04 + 0.12 * rnd());
    const x0 = Math.max(0, Math.floor(kind === 2 ? cx - bw / 2 : cx - r));
    const x1 = Math.min(w, Math.ceil(kind === 2 ? cx + bw / 2 : cx + r));
    const y0 = Math.max(0, Math.floor(kind === 2 ? cy - bh / 2 : cy - r));
    const y1 = Math.min(h, Math.ceil(kind === 2 ? cy + bh / 2 : cy + r));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const d = Math.hypot(x - cx, y - cy);
        const inside = kind === 0 ? d <= r : kind === 1 ? d <= r && d >= r - thickness : true;
        if (!inside) continue;
        const i = (y * w + x) * 3;
        px[i] = colour[0];
        px[i + 1] = colour[1];
        px[i + 2] = colour[2];
      }
    }
  }
  return px;
}

const encode = (raw: Buffer, width: number, height: number): Promise<Uint8Array<ArrayBuffer>> =>
  sharp(raw, { raw: { width, height, channels: 3 } })
    .webp({ quality: 80, effort: 2 })
    .toBuffer()
    .then((b) => new Uint8Array(b));

/** The picture for this input, as WebP bytes of exactly `width` × `height`. */
export function drawPicture(input: DrawInput): Promise<Uint8Array<ArrayBuffer>> {
  return encode(paint(input), input.width, input.height);
}

/** What a censored generation looks like: a flat dark grey with a lighter diagonal band. */
export function drawCensored(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const px = Buffer.alloc(width * height * 3, 48);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (Math.abs(x / width - y / height) < 0.08) px.fill(96, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return encode(px, width, height);
}
