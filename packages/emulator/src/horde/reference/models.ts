/**
 * A small built-in model reference (the server reads `AI-Horde-image-model-reference` and
 * `AI-Horde-text-model-reference`): baselines (docs/server/kudos.md#charge-and-reward), the `requirements`
 * behind the warnings of docs/server/image-requests.md#warnings
 * and the `max_steps` of docs/server/kudos.md#upfront-kudos for images, parameter counts
 * (docs/server/text.md#text) for text. Names outside the
 * reference get the server's fallback rules.
 */
/**
 * Baselines as the reference spells them (docs/server/kudos.md#charge-and-reward): the server compares these
 * exact strings, spaces and underscores mixed, so the emulator keeps them verbatim.
 */
export type Baseline =
  | "stable diffusion 1"
  | "stable diffusion 2"
  | "stable diffusion 2 512"
  | "stable_diffusion_xl"
  | "stable_cascade"
  | "flux_1"
  | "z_image_turbo"
  | "qwen_image";

/** The runtime default model of an image request (docs/server/quirks.md#runtime-defaults). */
export const DEFAULT_IMAGE_MODEL = "stable_diffusion";
/** The text model the emulator's dev text workers serve. */
export const DEFAULT_TEXT_MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";

export interface ImageRequirements {
  min_steps?: number;
  max_steps?: number;
  cfg_scale?: number;
  min_cfg_scale?: number;
  max_cfg_scale?: number;
  clip_skip?: number;
  samplers?: string[];
  schedulers?: string[];
}

export interface ImageModelInfo {
  baseline: Baseline;
  nsfw: boolean;
  requirements?: ImageRequirements;
  /** An inpainting model (docs/server/workers.md#pop step 8). */
  inpainting?: boolean;
  /** A ControlNet model, requested through `control_type`, never by name (docs/server/image-requests.md#submit-order). */
  controlnet?: boolean;
  /** Hidden from `/v2/status/models` (special and comparison models, docs/server/directory.md#directory). */
  hidden?: boolean;
}

/**
 * A few models of the public image model reference, with its values; the server reads the whole
 * reference (see docs/server/deviations.md#partial-model-reference).
 */
const IMAGE_REFERENCE: Record<string, ImageModelInfo> = {
  stable_diffusion: { baseline: "stable diffusion 1", nsfw: false },
  Deliberate: { baseline: "stable diffusion 1", nsfw: true },
  Dreamshaper: { baseline: "stable diffusion 1", nsfw: false },
  "Anything Diffusion": { baseline: "stable diffusion 1", nsfw: false },
  stable_diffusion_inpainting: { baseline: "stable diffusion 1", nsfw: false, inpainting: true },
  "Deliberate Inpainting": { baseline: "stable diffusion 1", nsfw: true, inpainting: true },
  "stable_diffusion_2.1": { baseline: "stable diffusion 2", nsfw: false },
  "Stable Diffusion 2 Depth": { baseline: "stable diffusion 2", nsfw: false },
  "SDXL 1.0": { baseline: "stable_diffusion_xl", nsfw: false },
  "AlbedoBase XL (SDXL)": { baseline: "stable_diffusion_xl", nsfw: false },
  "Juggernaut XL": { baseline: "stable_diffusion_xl", nsfw: true },
  "SDXL_beta::stability.ai#6901": { baseline: "stable_diffusion_xl", nsfw: false, hidden: true },
  "Stable Cascade 1.0": {
    baseline: "stable_cascade",
    nsfw: false,
    requirements: { min_steps: 20, max_steps: 30 },
  },
  "Flux.1-Schnell fp8 (Compact)": {
    baseline: "flux_1",
    nsfw: false,
    requirements: {
      min_steps: 3,
      max_steps: 8,
      min_cfg_scale: 1,
      max_cfg_scale: 4,
      clip_skip: 1,
      samplers: ["k_euler"],
      schedulers: ["karras"],
    },
  },
  "Z-Image-Turbo": {
    baseline: "z_image_turbo",
    nsfw: false,
    requirements: { max_steps: 10, cfg_scale: 1, schedulers: ["simple"] },
  },
  "Qwen-Image": { baseline: "qwen_image", nsfw: false, requirements: { max_steps: 40 } },
};

export interface TextModelInfo {
  /** Parameter count in billions (docs/server/text.md#reward). */
  parameters: number;
}

/**
 * Keyed by the full name, as the server's text model reference is (backend prefixes included): a few
 * models current workers serve, and a few of the older reference entries.
 */
const TEXT_REFERENCE: Record<string, TextModelInfo> = {
  "koboldcpp/LLaMA2-13B-Psyfighter2": { parameters: 13 },
  "koboldcpp/Llama-3-Lumimaid-8B-v0.1": { parameters: 8 },
  "koboldcpp/Fimbulvetr-11B-v2": { parameters: 11 },
  "koboldcpp/Mistral-7B-Instruct-v0.3": { parameters: 7 },
  "koboldcpp/L3-70B-Euryale-v2.1": { parameters: 70 },
  "KoboldAI/LLaMA2-13B-Tiefighter": { parameters: 13 },
  "KoboldAI/OPT-13B-Erebus": { parameters: 13 },
  "EleutherAI/gpt-neox-20b": { parameters: 20 },
  "PygmalionAI/pygmalion-6b": { parameters: 6 },
};

/** A quantisation suffix (`-Q4_K_M`, `.Q8_0`, `-Int8`), which the server ignores when it looks a model up. */
const QUANTISATION = /[.,-][a-zA-Z0-9]+?-?Q(-[Ii]nt)?[2-9]{1,2}([_.-][0-9a-zA-Z]+)*/g;

export function imageModelInfo(model: string): ImageModelInfo | undefined {
  return IMAGE_REFERENCE[model];
}

export function isKnownImageModel(model: string): boolean {
  return model in IMAGE_REFERENCE;
}

/**
 * A text model as the server looks it up (docs/server/text.md#reward): by its full name, without a
 * `::alias#id` owner suffix, else without a quantisation suffix; anything else is unknown.
 */
export function textModelInfo(model: string): TextModelInfo | undefined {
  const [name = model] = model.split("::");
  return TEXT_REFERENCE[name] ?? TEXT_REFERENCE[name.replace(QUANTISATION, "")];
}

export function baselineOf(model: string): Baseline {
  const known = IMAGE_REFERENCE[model];
  if (known) return known.baseline;
  // An unknown name counts as SD 1.5 unless it carries one of these tags
  // (docs/server/kudos.md#charge-and-reward).
  if (model.includes("[SDXL]")) return "stable_diffusion_xl";
  if (model.includes("[Flux]")) return "flux_1";
  if (model.includes("[Qwen]")) return "qwen_image";
  if (model.includes("[ZModel]") || model.includes("[ZImage]")) return "z_image_turbo";
  return "stable diffusion 1";
}

/** The baseline multiplier `B` of docs/server/kudos.md#charge-and-reward. */
export function baselineMultiplier(
  model: string,
  params: { workflow?: string; hires_fix?: boolean },
): number {
  switch (baselineOf(model)) {
    case "stable_diffusion_xl":
      // The doc's "2 (×4 for qr_code)" and "4 (×7 with hires_fix)" are read as the values 4 and 7.
      return params.workflow === "qr_code" ? 4 : 2;
    case "stable_cascade":
      return params.hires_fix ? 7 : 4;
    case "flux_1":
    case "z_image_turbo":
      return 8;
    case "qwen_image":
      return 12;
    default:
      return 1;
  }
}

/** Flux, Qwen and Z-Image jobs get a 3× longer ttl (docs/server/progress.md#job-ttl-restarts-and-faulting). */
export function isHeavyBaseline(model: string): boolean {
  const b = baselineOf(model);
  return b === "flux_1" || b === "qwen_image" || b === "z_image_turbo";
}

/** Whether any of the models is an inpainting model (docs/server/workers.md#pop step 8). */
export function hasInpaintingModels(models: readonly string[]): boolean {
  return models.some((m) => IMAGE_REFERENCE[m]?.inpainting === true);
}

/** Whether every one of the models (at least one) is an inpainting model. */
export function hasOnlyInpaintingModels(models: readonly string[]): boolean {
  return models.length > 0 && models.every((m) => IMAGE_REFERENCE[m]?.inpainting === true);
}

export function isControlNetModel(model: string): boolean {
  return IMAGE_REFERENCE[model]?.controlnet === true;
}

/** The `requirements` of a model (empty for an unknown one). */
export function requirementsOf(model: string): ImageRequirements {
  return IMAGE_REFERENCE[model]?.requirements ?? {};
}

/** The smallest `max_steps` requirement among the models, or `fallback` when none has one (docs/server/kudos.md#upfront-kudos). */
export function minMaxSteps(models: readonly string[], fallback: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (const m of models) {
    const max = IMAGE_REFERENCE[m]?.requirements?.max_steps;
    if (max !== undefined) min = Math.min(min, max);
  }
  return Number.isFinite(min) ? min : fallback;
}
