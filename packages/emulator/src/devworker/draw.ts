/**
 * The dev worker's "model": a deterministic test picture of THIS request, encoded as a real WebP of exactly
 * the requested size. It says what it is: the palette comes from the prompt's words (each word its own hue,
 * shown as swatches along the top and as one shape each), the composition from the whole input, and a label
 * reads `TEST PICTURE`, the seed and the size (a built-in 5×7 bitmap font; lines that do not fit a small
 * picture are shortened or left out). The same input always gives the same bytes.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from "./font.js";

/** What the test picture is drawn from: the same input always gives the same picture. */
export interface DrawInput {
  prompt: string;
  seed: number | string;
  width: number;
  height: number;
}

const sha = (text: string) => createHash("sha256").update(text).digest();

/** A small deterministic PRNG (mulberry32) seeded from the input's hash. */
function rngFrom(input: DrawInput): () => number {
  const digest = sha(`${input.prompt}\u0000${input.seed}\u0000${input.width}x${input.height}`);
  let a = digest.readUInt32LE(0) ^ digest.readUInt32LE(4) ^ digest.readUInt32LE(8);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The prompt's words (the positive part, before `###`), lower-cased, each once, at most 8. */
export function promptWords(prompt: string): string[] {
  const positive = prompt.split("###")[0] ?? "";
  const words = positive.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 8);
}

/** One colour per word of the prompt (a hue from the word's hash): the picture's palette and its swatches. */
export function paletteOf(prompt: string): Rgb[] {
  return promptWords(prompt).map((word) => {
    const d = sha(word);
    return hsl(
      (d.readUInt16LE(0) / 65536) % 1,
      0.55 + 0.35 * (d.readUInt8(2) / 255),
      0.4 + 0.25 * (d.readUInt8(3) / 255),
    );
  });
}

/** Raw RGB pixels, with the helpers that paint into them. */
class Canvas {
  readonly px: Buffer;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = Buffer.alloc(w * h * 3);
  }
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = (y * this.w + x) * 3;
    this.px[i] = c[0];
    this.px[i + 1] = c[1];
    this.px[i + 2] = c[2];
  }
  rect(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.h, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(this.w, x1); x++) this.set(x, y, c);
  }
}

/** The label's lines: each a list of spellings, longest first; the first that fits is drawn. */
export function labelLines(input: DrawInput): string[][] {
  return [
    ["TEST PICTURE", "TEST"],
    [`SEED ${input.seed}`, `${input.seed}`],
    [`${input.width}x${input.height}`],
  ];
}

/** Where the label goes: its lines as drawn, the scale, and the panel behind them (bottom-left). */
export function labelLayout(input: DrawInput): {
  lines: { text: string; x: number; y: number }[];
  scale: number;
  panel: { x0: number; y0: number; x1: number; y1: number };
} {
  const { width: w, height: h } = input;
  const scale = Math.max(1, Math.min(6, Math.floor(Math.min(w, h) / 100)));
  const margin = 2 * scale;
  const chosen = labelLines(input)
    .map((options) => options.find((t) => margin * 2 + t.length * ADVANCE * scale <= w))
    .filter((t): t is string => t !== undefined);
  const lineHeight = (GLYPH_HEIGHT + 3) * scale;
  // Lines that would not fit the picture's height are left out from the top (the size line goes last).
  while (chosen.length > 0 && chosen.length * lineHeight + margin * 2 > h) chosen.shift();
  const panelHeight = chosen.length * lineHeight + margin;
  const panelWidth = Math.max(0, ...chosen.map((t) => t.length * ADVANCE * scale)) + margin * 2;
  const y0 = h - panelHeight - margin;
  return {
    scale,
    panel: { x0: 0, y0: chosen.length ? y0 : h, x1: chosen.length ? panelWidth : 0, y1: h },
    lines: chosen.map((text, i) => ({ text, x: margin, y: y0 + margin + i * lineHeight })),
  };
}

export const LABEL_INK: Rgb = [255, 255, 255];
export const LABEL_PANEL: Rgb = [16, 16, 16];

/** The picture as raw RGB pixels (what `drawPicture` encodes). */
export function paint(input: DrawInput): Uint8Array {
  const { width: w, height: h } = input;
  const rnd = rngFrom(input);
  const canvas = new Canvas(w, h);
  const palette = paletteOf(input.prompt);
  // A prompt without words still gets colours, from the input's hash.
  const colour = (i: number): Rgb =>
    palette.length ? (palette[i % palette.length] as Rgb) : hsl(rnd(), 0.6 + 0.3 * rnd(), 0.35 + 0.3 * rnd());
  const dim = (c: Rgb, f: number): Rgb => [c[0] * f, c[1] * f, c[2] * f].map(Math.round) as Rgb;
  const top = dim(colour(0), 0.45);
  const bottom = colour(1);
  const tilt = rnd() - 0.5;

  // Background: a tilted gradient from the first word's colour (dimmed) to the second's.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = Math.min(1, Math.max(0, y / h + tilt * (x / w - 0.5)));
      canvas.set(x, y, [
        Math.round(top[0] + (bottom[0] - top[0]) * t),
        Math.round(top[1] + (bottom[1] - top[1]) * t),
        Math.round(top[2] + (bottom[2] - top[2]) * t),
      ]);
    }
  }

  // Shapes: one disc, ring or bar per word, in that word's colour; placed by the input's hash.
  const shapes = Math.max(3, palette.length);
  const unit = Math.min(w, h);
  for (let s = 0; s < shapes; s++) {
    const c = colour(s);
    const kind = Math.floor(rnd() * 3);
    const cx = rnd() * w;
    const cy = rnd() * h;
    const r = unit * (0.06 + 0.2 * rnd());
    const thickness = r * (0.15 + 0.25 * rnd());
    const bw = unit * (0.1 + 0.5 * rnd());
    const bh = unit * (0.04 + 0.12 * rnd());
    const x0 = Math.floor(kind === 2 ? cx - bw / 2 : cx - r);
    const x1 = Math.ceil(kind === 2 ? cx + bw / 2 : cx + r);
    const y0 = Math.floor(kind === 2 ? cy - bh / 2 : cy - r);
    const y1 = Math.ceil(kind === 2 ? cy + bh / 2 : cy + r);
    for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(w, x1); x++) {
        const d = Math.hypot(x - cx, y - cy);
        if (kind === 0 ? d <= r : kind === 1 ? d <= r && d >= r - thickness : true) canvas.set(x, y, c);
      }
    }
  }

  // Swatches along the top: the palette, one block per word, in the prompt's order.
  const sw = Math.max(2, Math.floor(unit / 16));
  for (const [i, c] of palette.entries()) canvas.rect(i * sw * 2, 0, i * sw * 2 + sw * 2 - 1, sw, c);

  // The label: TEST PICTURE, the seed, the size, white on a dark panel.
  const layout = labelLayout(input);
  const { x0, y0, x1, y1 } = layout.panel;
  canvas.rect(x0, y0, x1, y1, LABEL_PANEL);
  const k = layout.scale;
  for (const line of layout.lines) {
    [...line.text].forEach((ch, n) => {
      for (let row = 0; row < GLYPH_HEIGHT; row++)
        for (let col = 0; col < GLYPH_WIDTH; col++)
          if (glyphPixel(ch, col, row))
            canvas.rect(
              line.x + (n * ADVANCE + col) * k,
              line.y + row * k,
              line.x + (n * ADVANCE + col + 1) * k,
              line.y + (row + 1) * k,
              LABEL_INK,
            );
    });
  }
  return canvas.px;
}

const encode = (raw: Uint8Array, width: number, height: number): Promise<Uint8Array<ArrayBuffer>> =>
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
