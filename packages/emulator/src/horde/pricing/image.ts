/**
 * Image kudos (docs/server/kudos.md#kudos), first version: the base kudos `K`, what the requester pays, the
 * worker's reward,
 * the activation tax, the dry-run estimate and the upfront rule.
 *
 * Simplified on purpose (a later issue deepens it):
 * - The base kudos `K` interpolates the table of docs/server/kudos.md#base-kudos bilinearly over (pixels,
 * steps) instead of running
 *   the server's MLP; samplers, hires-fix, img2img, inpainting, ControlNet and post-processors apply
 *   rough multipliers fitted on the data points of docs/server/kudos.md#base-kudos.
 * - Holds are counted (docs/server/kudos.md#upfront-kudos) but no queued debits and no escrow for untrusted
 * workers; balance floors are
 *   applied per debit.
 */
import { baselineMultiplier } from "../reference/models.js";
import { HEAVY_POST_PROCESSORS, POST_PROCESSOR_FACTORS } from "../reference/post-processors.js";
import { round2 } from "./round.js";

const SECOND_ORDER_SAMPLERS = new Set(["k_heun", "k_dpm_2", "k_dpm_2_a", "k_dpmpp_2s_a", "k_dpmpp_sde"]);

/** Steps as the queue and the ttl count them (docs/server/progress.md#queue-position-and-wait-time): doubled for second-order samplers, 40 for adaptive. */
export function accurateSteps(steps: number, sampler: string): number {
  if (sampler === "k_dpm_adaptive") return 40;
  return SECOND_ORDER_SAMPLERS.has(sampler) ? steps * 2 : steps;
}

const STEPS = [10, 20, 30, 40, 50, 60, 80, 100, 150, 200] as const;
/** docs/server/kudos.md#base-kudos: K for k_euler_a, cfg 5, karras, txt2img, by pixel count. */
const TABLE: readonly [pixels: number, values: readonly number[]][] = [
  [512 * 512, [4.26, 5.76, 7.61, 9.4, 10.98, 12.53, 16.01, 19.92, 27.18, 34.06]],
  [512 * 768, [4.91, 6.6, 8.44, 10.68, 12.3, 14.04, 18.32, 23.35, 31.5, 38.78]],
  [768 * 768, [6.51, 9.11, 11.75, 14.24, 16.44, 18.71, 24.08, 29.91, 37.31, 46.06]],
  [832 * 1216, [12.28, 15.64, 20.58, 25.91, 29.32, 33.22, 41.15, 48.06, 59.54, 73.47]],
  [1024 * 1024, [12.53, 15.98, 20.99, 26.45, 29.59, 33.39, 41.37, 48.54, 59.95, 74.85]],
  [1216 * 1216, [16.36, 22.15, 30.94, 41.95, 46.52, 51.13, 59.55, 66.8, 83.89, 99.24]],
  [1536 * 1536, [32.51, 43.91, 57.08, 69.75, 79.01, 86.33, 96.08, 104.05, 124.56, 141.11]],
  [2048 * 2048, [86.87, 100.23, 113.58, 125.6, 134.4, 144.01, 160.96, 175.86, 202.95, 220.58]],
];

/** Linear interpolation on sorted xs, extrapolating with the end segments. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  let i = 0;
  while (i < xs.length - 2 && x > (xs[i + 1] as number)) i++;
  const x0 = xs[i] as number;
  const x1 = xs[i + 1] as number;
  const y0 = ys[i] as number;
  const y1 = ys[i + 1] as number;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

function tableKudos(pixels: number, steps: number): number {
  const atSize = (row: readonly number[]) => {
    const v = interpolate(STEPS, row, steps);
    // Below 10 steps the line would reach 0: keep a floor of a fifth of the 10-step price.
    return Math.max(v, (row[0] as number) * 0.2);
  };
  const pxs = TABLE.map(([p]) => p);
  const vals = TABLE.map(([, row]) => atSize(row));
  if (pixels < (pxs[0] as number)) {
    // Smaller than 512²: scale down with the area, never below a quarter of the 512² price.
    return (vals[0] as number) * Math.max(0.25, pixels / (pxs[0] as number));
  }
  return interpolate(pxs, vals, pixels);
}

/** Where a factor measured at 512² and at 1024² sits for this many pixels (clamped). */
function between(pixels: number, at512: number, at1024: number): number {
  const t = Math.min(1, Math.max(0, (pixels - 512 * 512) / (1024 * 1024 - 512 * 512)));
  return at512 + (at1024 - at512) * t;
}

export interface PricedParams {
  width: number;
  height: number;
  steps: number;
  sampler_name: string;
  hires_fix?: boolean;
  control_type?: string;
  denoising_strength?: number;
  post_processing?: string[];
  loras?: unknown[];
  tis?: unknown[];
  workflow?: string;
  transparent?: boolean;
}

export interface SourceFlags {
  sourceImage: boolean;
  sourceMask: boolean;
  sourceProcessing: string;
}

/** `K`: the base kudos of one image (docs/server/kudos.md#base-kudos), rounded to 2 decimals like the server's pricing model. */
export function baseKudos(params: PricedParams, source: SourceFlags): number {
  const pixels = params.width * params.height;
  let k = tableKudos(pixels, params.steps);
  if (params.sampler_name === "k_dpm_adaptive") k = tableKudos(pixels, 40);
  else if (SECOND_ORDER_SAMPLERS.has(params.sampler_name)) k *= between(pixels, 1.7, 1.5);
  else if (["k_euler", "DDIM", "lcm", "dpmsolver"].includes(params.sampler_name)) k *= 7.84 / 7.61;
  if (params.hires_fix) k *= between(pixels, 1.6, 1.17);
  if (params.control_type) k *= 2.34;
  if (source.sourceImage && !params.control_type) {
    if (
      source.sourceMask ||
      source.sourceProcessing === "inpainting" ||
      source.sourceProcessing === "outpainting"
    ) {
      k *= 1.24;
    } else {
      k *= 0.73 + 0.27 * (params.denoising_strength ?? 0.75);
    }
  }
  const area = pixels / (512 * 512);
  for (const pp of params.post_processing ?? []) k += (HEAVY_POST_PROCESSORS.has(pp) ? 14 : 3) * area;
  k = Math.round(k * 100) / 100;
  return k + 3 * (params.loras?.length ?? 0) + ((params.tis?.length ?? 0) > 0 ? 1 : 0);
}

export interface ChargeFlags extends SourceFlags {
  slowWorkers: boolean;
  workerBlacklist: boolean;
  postProcessing: readonly string[];
}

/** `burn(x)`: what the requester pays for an image whose worker reward is `x` (docs/server/kudos.md#charge-and-reward). */
export function burn(x: number, flags: ChargeFlags): number {
  let v = x;
  if (flags.sourceImage) v *= 1.3;
  for (const pp of flags.postProcessing) v *= POST_PROCESSOR_FACTORS[pp] ?? 1;
  v += 1;
  if (!flags.slowWorkers) v *= 1.2;
  if (flags.workerBlacklist) v *= 1.1;
  return v;
}

/** The worker's reward for one image: `K·B` of the model that ran (docs/server/kudos.md#charge-and-reward, docs/server/workers.md#submit). */
export function workerReward(k: number, model: string, params: PricedParams): number {
  return round2(k * baselineMultiplier(model, params));
}

/** Charged once at activation: 1 + 2 + 5 per extra source image (docs/server/kudos.md#charge-and-reward). */
export function activationTax(extraSourceImages: number): number {
  return 3 + 5 * extraSourceImages;
}

/** The dry-run estimate: `burn(K)·n·B_first + 1` (the answer rounds it), SDXL assumed without models (docs/server/kudos.md#charge-and-reward). */
export function dryRunKudos(
  k: number,
  n: number,
  models: readonly string[],
  params: PricedParams,
  flags: ChargeFlags,
): number {
  const b = models.length > 0 ? baselineMultiplier(models[0] as string, params) : 2;
  return burn(k, flags) * n * b + 1;
}
