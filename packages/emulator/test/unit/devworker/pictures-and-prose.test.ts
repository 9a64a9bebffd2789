/** The dev workers' "models": deterministic pictures (WebP of the exact size) and deterministic prose. */
import { drawPicture, writeText } from "horde-emulator";
import sharp from "sharp";
import { describe, expect, test } from "vitest";

describe("drawPicture", () => {
  test("same input → same bytes; another prompt or seed → other bytes; exact size", async () => {
    const input = { prompt: "a red fox in snow", seed: 42, width: 576, height: 320 };
    const a = await drawPicture(input);
    const b = await drawPicture({ ...input });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const otherPrompt = await drawPicture({ ...input, prompt: "a blue whale" });
    const otherSeed = await drawPicture({ ...input, seed: 43 });
    expect(Buffer.from(otherPrompt).equals(Buffer.from(a))).toBe(false);
    expect(Buffer.from(otherSeed).equals(Buffer.from(a))).toBe(false);
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 576, 320]);
  });

  test("different prompts look different, not just encode differently", async () => {
    const mean = async (prompt: string) => {
      const bytes = await drawPicture({ prompt, seed: 1, width: 64, height: 64 });
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      return data;
    };
    const a = await mean("castle");
    const b = await mean("ocean");
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += Math.abs((a[i] as number) - (b[i] as number));
    expect(diff / a.length).toBeGreaterThan(10);
  });
});

describe("writeText", () => {
  test("writeText is deterministic and about half of max_length tokens", () => {
    const a = writeText({ prompt: "Once upon a time", maxLength: 120 });
    expect(writeText({ prompt: "Once upon a time", maxLength: 120 })).toBe(a);
    expect(writeText({ prompt: "Another prompt", maxLength: 120 })).not.toBe(a);
    expect(a.length).toBeGreaterThanOrEqual(240);
    expect(a.length).toBeLessThanOrEqual(480);
  });
});
