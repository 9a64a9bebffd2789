/** What a pop declares about its worker, with the parser's runtime defaults (§5.1, §6.1, §6.2). */
import { describe, expect, test } from "vitest";
import { DECLARATION_DEFAULTS } from "../../../src/horde/store/workers.js";
import { declarationFrom } from "../../../src/horde/workers/declaration.js";

describe("declarationFrom", () => {
  test("a bare pop gets the parser's defaults, not the swagger's", () => {
    const image = declarationFrom("image", { name: "w" });
    expect(image).toEqual({ ...DECLARATION_DEFAULTS, type: "image", name: "w" });
    expect(image).toMatchObject({
      maxPixels: 262144,
      allowImg2img: true,
      allowLora: false,
      threads: 1,
      amount: 1,
    });
    // The swagger says 16; the parser 80.
    expect(declarationFrom("interrogation", { name: "a" }).maxTiles).toBe(80);
    expect(declarationFrom("text", { name: "t" })).toMatchObject({ maxLength: 512, maxContextLength: 2048 });
  });

  test("each type reads its own fields and only those", () => {
    const body = { name: "w", max_pixels: 1048576, max_length: 100, forms: ["caption"], models: ["m"] };
    expect(declarationFrom("image", body)).toMatchObject({
      maxPixels: 1048576,
      maxLength: 512,
      forms: [],
      models: ["m"],
    });
    expect(declarationFrom("text", body)).toMatchObject({ maxPixels: 262144, maxLength: 100, forms: [] });
    expect(declarationFrom("interrogation", body)).toMatchObject({ maxPixels: 262144, forms: ["caption"] });
  });

  test("a field of the wrong type keeps its default", () => {
    const decl = declarationFrom("image", {
      name: "w",
      nsfw: "yes",
      threads: "2",
      models: "stable_diffusion",
      bridge_agent: 7,
      allow_lora: 1,
    });
    expect(decl).toMatchObject({
      nsfw: true,
      threads: 1,
      models: [],
      bridgeAgent: "unknown:0:unknown",
      allowLora: false,
    });
  });
});
