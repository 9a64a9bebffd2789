/**
 * The dev worker's test picture, read back pixel by pixel: the label (TEST PICTURE, the seed, the size) is
 * legible in the WebP, the swatches are the prompt's palette, and no size, however small, breaks the drawing.
 */
import { drawPicture } from "horde-emulator";
import sharp from "sharp";
import { describe, expect, test } from "vitest";
import {
  type DrawInput,
  LABEL_INK,
  LABEL_PANEL,
  labelLayout,
  labelLines,
  paint,
  paletteOf,
  promptWords,
} from "../../../src/devworker/draw.js";
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from "../../../src/devworker/font.js";

type Rgb = readonly [number, number, number];
interface Pixels {
  data: Uint8Array;
  width: number;
  channels: number;
}

const at = (p: Pixels, x: number, y: number): Rgb => {
  const i = (y * p.width + x) * p.channels;
  return [p.data[i] ?? 0, p.data[i + 1] ?? 0, p.data[i + 2] ?? 0];
};
const brightness = ([r, g, b]: Rgb) => (r + g + b) / 3;

/** The WebP as raw RGB. */
async function decode(bytes: Uint8Array): Promise<Pixels> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, channels: info.channels };
}

const CHARACTERS = [..."0123456789CDEIKOPRSTUVWx- "];
const bitmapOf = (ch: string) =>
  Array.from({ length: GLYPH_HEIGHT * GLYPH_WIDTH }, (_, i) =>
    glyphPixel(ch, i % GLYPH_WIDTH, Math.floor(i / GLYPH_WIDTH)) ? "#" : ".",
  ).join("");
const GLYPH_BY_BITMAP = new Map(CHARACTERS.map((ch) => [bitmapOf(ch), ch]));

/**
 * Reads the label's lines out of the pixels, as a person would: each character cell sampled at the centre of
 * its scaled-up font pixels (bright = ink), matched against the font; `?` where no glyph matches.
 */
function readLabel(p: Pixels, input: DrawInput): string[] {
  const { lines, scale } = labelLayout(input);
  return lines.map((line) =>
    Array.from({ length: line.text.length }, (_, n) => {
      let bitmap = "";
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          const x = line.x + (n * ADVANCE + col) * scale + Math.floor(scale / 2);
          const y = line.y + row * scale + Math.floor(scale / 2);
          bitmap += brightness(at(p, x, y)) > 128 ? "#" : ".";
        }
      }
      return GLYPH_BY_BITMAP.get(bitmap) ?? "?";
    }).join(""),
  );
}

const rawPixels = (input: DrawInput): Pixels => ({ data: paint(input), width: input.width, channels: 3 });

describe("the test picture's label", () => {
  const input = { prompt: "a lighthouse at dusk", seed: 3141592, width: 512, height: 512 };

  test("reads TEST PICTURE, the seed and the size, in the WebP a client downloads", async () => {
    const picture = await decode(await drawPicture(input));
    expect(readLabel(picture, input)).toEqual(["TEST PICTURE", "SEED 3141592", "512x512"]);
  });

  test("is white ink on a dark panel in the bottom-left corner", () => {
    const raw = rawPixels(input);
    const { panel, lines } = labelLayout(input);
    expect(panel.x0).toBe(0);
    expect(panel.y1).toBe(input.height);
    expect(lines.length).toBe(3);
    // The panel's corner is never ink; the first lit pixel of the T of TEST is.
    expect(at(raw, panel.x0, panel.y1 - 1)).toEqual(LABEL_PANEL);
    const first = lines[0];
    if (!first) throw new Error("no label line");
    expect(at(raw, first.x, first.y)).toEqual(LABEL_INK);
  });

  test("shows another seed and size when the request has them", async () => {
    const other = { ...input, seed: "777", width: 640, height: 384 };
    const picture = await decode(await drawPicture(other));
    expect(readLabel(picture, other)).toEqual(["TEST PICTURE", "SEED 777", "640x384"]);
  });

  test("is shortened, then left out line by line, on small pictures; what is drawn fits", () => {
    for (const [width, height] of [
      [64, 64],
      [40, 30],
      [30, 12],
      [8, 8],
      [1, 1],
    ] as const) {
      const small = { ...input, width, height };
      const { lines, scale } = labelLayout(small);
      const spellings = labelLines(small);
      for (const line of lines) {
        expect(
          spellings.some((options) => options.includes(line.text)),
          line.text,
        ).toBe(true);
        expect(line.x + line.text.length * ADVANCE * scale).toBeLessThanOrEqual(width);
        expect(line.y).toBeGreaterThanOrEqual(0);
        expect(line.y + GLYPH_HEIGHT * scale).toBeLessThanOrEqual(height);
      }
      // Whatever is drawn is legible in the raw pixels.
      expect(readLabel(rawPixels(small), small)).toEqual(lines.map((l) => l.text));
    }
    expect(labelLayout({ ...input, width: 64, height: 64 }).lines.map((l) => l.text)).toEqual([
      "TEST",
      "3141592",
      "64x64",
    ]);
    expect(labelLayout({ ...input, width: 1, height: 1 }).lines).toEqual([]);
  });
});

describe("the test picture's palette", () => {
  test("one colour per word of the positive prompt, each word its own hue whatever the prompt", () => {
    expect(promptWords("A red fox, a RED sky ### blurry")).toEqual(["a", "red", "fox", "sky"]);
    const [, red, fox] = paletteOf("a red fox");
    expect(paletteOf("fox red")).toEqual([fox, red]);
    expect(paletteOf("castle")).not.toEqual(paletteOf("ocean"));
    expect(paletteOf("one two three four five six seven eight nine ten")).toHaveLength(8);
    expect(paletteOf("### only a negative prompt")).toEqual([]);
  });

  test("different prompts give different swatches along the top of the picture", async () => {
    const swatches = async (prompt: string) => {
      const input = { prompt, seed: 1, width: 256, height: 256 };
      const picture = await decode(await drawPicture(input));
      const sw = Math.floor(256 / 16);
      return paletteOf(prompt).map((colour, i) => ({
        colour,
        drawn: at(picture, i * sw * 2 + sw, Math.floor(sw / 2)),
      }));
    };
    for (const prompt of ["castle on a hill", "deep blue ocean"]) {
      const shown = await swatches(prompt);
      expect(shown).toHaveLength(promptWords(prompt).length);
      // Lossy WebP shifts colours a little, never to another hue.
      for (const { colour, drawn } of shown) {
        for (let c = 0; c < 3; c++)
          expect(Math.abs((drawn[c] ?? 0) - (colour[c] ?? 0)), `${prompt}`).toBeLessThan(24);
      }
    }
    const castle = await swatches("castle");
    const ocean = await swatches("ocean");
    const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(distance(castle[0]?.drawn ?? [0, 0, 0], ocean[0]?.drawn ?? [0, 0, 0])).toBeGreaterThan(30);
  });
});

describe("the test picture's sizes", () => {
  test("tiny and thin pictures are drawn at exactly their size, deterministically", async () => {
    for (const [width, height] of [
      [1, 1],
      [1, 64],
      [64, 1],
      [7, 5],
      [3, 200],
      [200, 3],
    ] as const) {
      const input = { prompt: "tiny", seed: 9, width, height };
      const bytes = await drawPicture(input);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", width, height]);
      expect(Buffer.from(paint(input)).equals(Buffer.from(paint({ ...input })))).toBe(true);
    }
  });

  test("a prompt without words still gets a picture, with colours from the seed", () => {
    const a = paint({ prompt: "!!! ###", seed: 1, width: 32, height: 32 });
    const b = paint({ prompt: "!!! ###", seed: 2, width: 32, height: 32 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});
