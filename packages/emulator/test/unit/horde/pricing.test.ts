/** Kudos (§9, §6.1, §6.2): the figures worked out by hand from the doc's tables and formulas. */
import { describe, expect, test } from "vitest";
import { formCharge, formKudos } from "../../../src/horde/pricing/alchemy.js";
import {
  activationTax,
  baseKudos,
  burn,
  type ChargeFlags,
  dryRunKudos,
  requiresUpfrontKudos,
  upfrontMaxResolution,
  workerReward,
} from "../../../src/horde/pricing/image.js";
import {
  textCharge,
  textHold,
  textMaxTokens,
  textReward,
  tokensOf,
} from "../../../src/horde/pricing/text.js";

const txt2img = { sourceImage: false, sourceMask: false, sourceProcessing: "img2img" };
const plain: ChargeFlags = { ...txt2img, slowWorkers: true, workerBlacklist: false, postProcessing: [] };
const params = (width: number, height: number, steps: number, extra: object = {}) => ({
  width,
  height,
  steps,
  sampler_name: "k_euler_a",
  ...extra,
});

describe("image kudos (§9)", () => {
  test("K is the §9.1 table at its points; LoRAs add 3 each, textual inversions 1 in all", () => {
    expect(baseKudos(params(512, 512, 30), txt2img)).toBe(7.61);
    expect(baseKudos(params(512, 512, 20), txt2img)).toBe(5.76);
    expect(baseKudos(params(1024, 1024, 30), txt2img)).toBe(20.99);
    expect(baseKudos(params(512, 512, 30, { loras: [{}, {}], tis: [{}, {}] }), txt2img)).toBe(7.61 + 6 + 1);
  });

  test("a second-order sampler costs 1.7× at 512²", () => {
    // 7.61 × 1.7 = 12.937 → 12.94
    expect(baseKudos(params(512, 512, 30, { sampler_name: "k_dpm_2" }), txt2img)).toBe(12.94);
  });

  test("burn: +1, ×1.3 for a source image, ×1.05 per upscaler, ×1.2 without slow workers (§9.2)", () => {
    expect(burn(10, plain)).toBe(11);
    expect(burn(10, { ...plain, sourceImage: true })).toBe(14);
    expect(burn(10, { ...plain, postProcessing: ["RealESRGAN_x4plus"] })).toBe(11.5);
    expect(burn(10, { ...plain, slowWorkers: false })).toBeCloseTo(13.2, 10);
  });

  test("the worker earns K·B of the model that ran; the dry run is round(burn(K)·n·B + 1)", () => {
    expect(workerReward(7.61, "stable_diffusion", params(512, 512, 30))).toBe(7.61);
    expect(workerReward(7.61, "SDXL 1.0", params(512, 512, 30))).toBe(15.22);
    // round(8.61 · 1 · 1 + 1) = round(9.61)
    expect(dryRunKudos(7.61, 1, ["stable_diffusion"], params(512, 512, 30), plain)).toBe(10);
    // Without models SDXL (B = 2) is assumed: round(8.61 · 2 · 2 + 1) = round(35.44)
    expect(dryRunKudos(7.61, 2, [], params(512, 512, 30), plain)).toBe(35);
  });

  test("the activation tax is 3, plus 5 per extra source image", () => {
    expect(activationTax(0)).toBe(3);
    expect(activationTax(2)).toBe(13);
  });

  test("upfront kudos (§9.3): over max_res², over the steps, LCM over 10, or no slow workers", () => {
    expect(requiresUpfrontKudos(params(1024, 1024, 30), true, 1024)).toBe(false);
    expect(requiresUpfrontKudos(params(1088, 1024, 30), true, 1024)).toBe(true);
    expect(requiresUpfrontKudos(params(512, 512, 50), true, 1024)).toBe(true);
    expect(requiresUpfrontKudos(params(512, 512, 12, { sampler_name: "lcm" }), true, 1024)).toBe(true);
    expect(requiresUpfrontKudos(params(512, 512, 30), false, 1024)).toBe(true);
  });

  test("max_res = 1024 + 10·threads − round(0.9·queued), clamped to [the baseline's minimum, 1024]", () => {
    expect(upfrontMaxResolution(0, 0, 576)).toBe(1024);
    expect(upfrontMaxResolution(10, 0, 576)).toBe(1024);
    expect(upfrontMaxResolution(0, 1000, 576)).toBe(576);
    // 1024 − 450 = 574, below SD2's 768
    expect(upfrontMaxResolution(0, 500, 768)).toBe(768);
  });
});

describe("text kudos (§6.1)", () => {
  const reward = (validatedBackend: boolean) =>
    textReward({
      model: "koboldcpp/LLaMA2-13B-Psyfighter2",
      text: "x".repeat(400),
      prompt: "p",
      maxLength: 200,
      validatedBackend,
      trustedWorker: false,
    });

  test("tokens are characters / 4, at least 20 and at most max_length", () => {
    expect(tokensOf("abc", 100)).toBe(20);
    expect(tokensOf("x".repeat(200), 100)).toBe(50);
    expect(tokensOf("x".repeat(400), 80)).toBe(80);
  });

  test("a 13B model: tokens · (13/125) · the context multiplier; an unvalidated backend earns 30%", () => {
    // 100 tokens × 0.104 × (1.2 + 2.2^log2(20/1024)) = 100 × 0.104 × 1.2114 = 12.598
    expect(reward(true)).toBe(12.6);
    expect(reward(false)).toBe(3.78);
    expect(textCharge(12.6)).toBeCloseTo(13.6, 10);
  });

  test("the hold and the max_tokens of the upfront rule", () => {
    expect(textHold([], 80, 2)).toBe(40);
    expect(textMaxTokens(0, 0)).toBe(512);
    // 512 − 360 = 152, clamped to 256
    expect(textMaxTokens(0, 400)).toBe(256);
    expect(textMaxTokens(100, 0)).toBe(512);
  });
});

describe("alchemy kudos (§6.2)", () => {
  test("a form is worth 1, interrogation 3, a post-processor 3 per tile; the requester pays value + 1 (+1 with slow workers)", () => {
    expect(formKudos("caption", 4)).toBe(1);
    expect(formKudos("interrogation", 4)).toBe(3);
    expect(formKudos("RealESRGAN_x2plus", 4)).toBe(12);
    expect(formCharge(1, false)).toBe(2);
    expect(formCharge(1, true)).toBe(3);
  });
});
