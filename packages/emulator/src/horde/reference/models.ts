/**
 * The model reference the emulator knows (the server reads `AI-Horde-image-model-reference` and
 * `AI-Horde-text-model-reference`), generated into `model-data.ts` by `scripts/model-reference.mjs` from the
 * same snapshot the oracle serves: baselines (docs/server/kudos.md#charge-and-reward), the `requirements`
 * behind the warnings of docs/server/image-requests.md#warnings
 * and the `max_steps` of docs/server/kudos.md#upfront-kudos for images, parameter counts
 * (docs/server/text.md#text) for text. Names outside the
 * reference get the server's fallback rules.
 */
import { IMAGE_MODEL_FACTS, TEXT_MODEL_FACTS } from "./model-data.js";
import type { ImageModelFact, ImageRequirements, TextModelFact } from "./model-facts.js";

export type { ImageModelFact, ImageRequirements, TextModelFact } from "./model-facts.js";

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

const BASELINES: readonly string[] = [
  "stable diffusion 1",
  "stable diffusion 2",
  "stable diffusion 2 512",
  "stable_diffusion_xl",
  "stable_cascade",
  "flux_1",
  "z_image_turbo",
  "qwen_image",
];

/** The runtime default model of an image request (docs/server/quirks.md#runtime-defaults). */
export const DEFAULT_IMAGE_MODEL = "stable_diffusion";
/** The text model the emulator's dev text workers serve. */
export const DEFAULT_TEXT_MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";

export interface ImageModelInfo {
  baseline: Baseline;
  nsfw: boolean;
  /** An inpainting model (docs/server/workers.md#pop step 8). */
  inpainting?: boolean;
  /** The reference's `style` (generalist, anime, realistic, …). */
  style?: string;
  requirements?: ImageRequirements;
  /** A ControlNet model, requested through `control_type`, never by name (docs/server/image-requests.md#submit-order). */
  controlnet?: boolean;
  /** Hidden from `/v2/status/models` (special and comparison models, docs/server/directory.md#directory). */
  hidden?: boolean;
}

function fromFact(f: ImageModelFact): ImageModelInfo {
  return {
    // A baseline the emulator has no rules for prices and runs as SD 1.5, as an unknown name would.
    baseline: BASELINES.includes(f.baseline) ? (f.baseline as Baseline) : "stable diffusion 1",
    nsfw: f.nsfw,
    inpainting: f.inpainting,
    style: f.style,
    ...(f.requirements ? { requirements: f.requirements } : {}),
  };
}

const IMAGE_REFERENCE: Record<string, ImageModelInfo> = Object.fromEntries(
  IMAGE_MODEL_FACTS.map((f) => [f.name, fromFact(f)]),
);
// The server's own comparison model is not in the published reference but known to the server
// (docs/server/image-requests.md#submit); it stays out of the model lists.
IMAGE_REFERENCE["SDXL_beta::stability.ai#6901"] = {
  baseline: "stable_diffusion_xl",
  nsfw: false,
  hidden: true,
};
// Models the server names in its own rules (the depth model needs a source image) or that the oracle's
// snapshot predates (Z-Image, Qwen); their values are the published reference's.
IMAGE_REFERENCE["Stable Diffusion 2 Depth"] ??= { baseline: "stable diffusion 2", nsfw: false };
IMAGE_REFERENCE["Z-Image-Turbo"] ??= {
  baseline: "z_image_turbo",
  nsfw: false,
  requirements: { max_steps: 10, cfg_scale: 1, schedulers: ["simple"] },
};
IMAGE_REFERENCE["Qwen-Image"] ??= { baseline: "qwen_image", nsfw: false, requirements: { max_steps: 40 } };

export interface TextModelInfo {
  /** Parameter count in billions (docs/server/text.md#reward). */
  parameters: number;
}

/** Keyed by the full name, as the server's text model reference is (backend prefixes included). */
const TEXT_REFERENCE: Record<string, TextModelInfo> = Object.fromEntries(
  TEXT_MODEL_FACTS.map((f) => [f.name, { parameters: f.parameters / 1e9 }]),
);
// Models current workers serve that the oracle's older text snapshot predates (the published db.json lists
// them); the emulator's dev text workers and tests use them, so their parameter counts stay known.
for (const [name, billions] of [
  ["koboldcpp/LLaMA2-13B-Psyfighter2", 13],
  ["koboldcpp/Llama-3-Lumimaid-8B-v0.1", 8],
  ["koboldcpp/Fimbulvetr-11B-v2", 11],
  ["koboldcpp/Mistral-7B-Instruct-v0.3", 7],
  ["koboldcpp/L3-70B-Euryale-v2.1", 70],
  ["KoboldAI/LLaMA2-13B-Tiefighter", 13],
] as const)
  TEXT_REFERENCE[name] ??= { parameters: billions };

/** A quantisation suffix (`-Q4_K_M`, `.Q8_0`, `-Int8`), which the server ignores when it looks a model up. */
const QUANTISATION = /[.,-][a-zA-Z0-9]+?-?Q(-[Ii]nt)?[2-9]{1,2}([_.-][0-9a-zA-Z]+)*/g;

/** Every image model of the reference, hidden ones excepted, in the reference's order by name. */
export function referenceImageModels(): string[] {
  return IMAGE_MODEL_FACTS.map((f) => f.name);
}

/** The reference's facts about an image model (style, version, size on disk, triggers), or undefined. */
export function imageModelFact(model: string): ImageModelFact | undefined {
  return IMAGE_MODEL_FACTS.find((f) => f.name === model);
}

/** The reference's facts about a text model (by its full name), or undefined. */
export function textModelFact(model: string): TextModelFact | undefined {
  return TEXT_MODEL_FACTS.find((f) => f.name === model);
}

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
