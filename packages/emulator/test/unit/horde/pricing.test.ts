/** Kudos (§9, §6.1, §6.2): the figures worked out by hand from the doc's tables and formulas. */
import { describe, expect, test } from "vitest";
import { upfrontRule } from "../../../src/horde/image/submit.js";
import { formCharge, formKudos } from "../../../src/horde/pricing/alchemy.js";
import {
  activationTax,
  baseKudos,
  burn,
  type ChargeFlags,
  dryRunKudos,
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
  cfg_scale: 5,
  karras: true,
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
    // 8.61 · 1 · 1 + 1 (the dry run's answer rounds it to 10)
    expect(dryRunKudos(7.61, 1, ["stable_diffusion"], params(512, 512, 30), plain)).toBeCloseTo(9.61, 10);
    // Without models SDXL (B = 2) is assumed: 8.61 · 2 · 2 + 1
    expect(dryRunKudos(7.61, 2, [], params(512, 512, 30), plain)).toBeCloseTo(35.44, 10);
  });

  test("the activation tax is 3, plus 5 per extra source image", () => {
    expect(activationTax(0)).toBe(3);
    expect(activationTax(2)).toBe(13);
  });

  test("upfront kudos: over max_res², over a model's max_steps (40 by default), LCM over 10, or no slow workers", () => {
    const rule = (p: ReturnType<typeof params>, slowWorkers = true, models = ["stable_diffusion"]) =>
      upfrontRule({ params: p, models, slowWorkers }, 0, 0);
    expect(rule(params(1024, 1024, 30)).needed).toBe(false);
    expect(rule(params(1088, 1024, 30)).needed).toBe(true);
    expect(rule(params(512, 512, 50)).needed).toBe(true);
    // A request naming no model has no steps rule.
    expect(rule(params(512, 512, 50), true, []).needed).toBe(false);
    expect(rule(params(512, 512, 12, { sampler_name: "lcm" })).needed).toBe(true);
    expect(rule(params(512, 512, 30), false).needed).toBe(true);
  });

  test("max_res = 1024 + 10·threads − round(0.9·queued), between 576 (1024 for SDXL) and 1024", () => {
    const maxRes = (threads: number, queued: number, models = ["stable_diffusion"], slowWorkers = true) =>
      upfrontRule({ params: params(512, 512, 30), models, slowWorkers }, threads, queued).maxRes;
    expect(maxRes(0, 0)).toBe(1024);
    expect(maxRes(10, 0)).toBe(1024);
    expect(maxRes(0, 1000)).toBe(576);
    // The rule meant to raise SD 2 to 768 never fires (it compares with a spelling the reference never uses).
    expect(maxRes(0, 500, ["stable_diffusion_2.1"])).toBe(576);
    expect(maxRes(0, 500, ["SDXL 1.0"])).toBe(1024);
    // Without slow workers the raw value is reported, unclamped.
    expect(maxRes(10, 0, ["stable_diffusion"], false)).toBe(1124);
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
