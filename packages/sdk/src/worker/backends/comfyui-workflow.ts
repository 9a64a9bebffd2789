// ComfyUI workflows (the API format: node id → `{class_type, inputs}`) as templates with placeholders, the
// default ones for txt2img, txt2img with hires fix, img2img and inpainting, and how a template is filled.
// Only ComfyUI's built-in nodes are used, so the defaults run on a fresh install.
import { HordeValidationError, type ValidationIssue } from "../../core/errors.js";

/** A workflow in ComfyUI's API format (as "Save (API Format)" writes it). */
export type ComfyWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** The workflows a ComfyUI backend runs, per kind of job. `txt2img` is required; a missing kind is not served. */
export interface ComfyWorkflows {
  txt2img: ComfyWorkflow;
  /** txt2img with hires fix; without it hires-fix jobs render at full size in one pass. */
  hires?: ComfyWorkflow;
  img2img?: ComfyWorkflow;
  inpainting?: ComfyWorkflow;
}

/**
 * The placeholders a template may use, as a whole string value (`"{{seed}}"` becomes the number) or inside
 * text (`"masterpiece, {{prompt}}"`).
 */
export const PLACEHOLDERS = {
  model: "the checkpoint file",
  prompt: "the prompt (before `###`)",
  negative_prompt: "the negative prompt (after `###`)",
  seed: "the seed",
  steps: "sampling steps",
  cfg: "CFG scale",
  sampler: "ComfyUI sampler name",
  scheduler: "ComfyUI scheduler (karras or normal)",
  width: "width of the result",
  height: "height of the result",
  batch_size: "images to make",
  denoise: "img2img/inpainting denoising strength (1 for txt2img)",
  clip_skip: "CLIPSetLastLayer's stop_at_clip_layer (-1 = no skip)",
  hires_width: "hires fix: width of the first pass",
  hires_height: "hires fix: height of the first pass",
  hires_denoise: "hires fix: denoising strength of the second pass",
  source_image: "the uploaded source image (img2img, inpainting)",
  source_mask: "the uploaded mask, white where to paint (inpainting)",
} as const;

/** The name of one placeholder a workflow template may use (`{{prompt}}`, `{{seed}}`, …). */
export type Placeholder = keyof typeof PLACEHOLDERS;
export type PlaceholderValues = Partial<Record<Placeholder, string | number>>;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

const checkpoint = { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "{{model}}" } };
const clip = {
  class_type: "CLIPSetLastLayer",
  inputs: { clip: ["1", 1], stop_at_clip_layer: "{{clip_skip}}" },
};
const positive = { class_type: "CLIPTextEncode", inputs: { text: "{{prompt}}", clip: ["2", 0] } };
const negative = { class_type: "CLIPTextEncode", inputs: { text: "{{negative_prompt}}", clip: ["2", 0] } };
/** The checkpoint, CLIP skip and both prompts: nodes 1–4 of every default. */
const prompts = { "1": checkpoint, "2": clip, "3": positive, "4": negative };
const sampler = (latent: string, denoise: string | number) => ({
  class_type: "KSampler",
  inputs: {
    model: ["1", 0],
    seed: "{{seed}}",
    steps: "{{steps}}",
    cfg: "{{cfg}}",
    sampler_name: "{{sampler}}",
    scheduler: "{{scheduler}}",
    positive: ["3", 0],
    negative: ["4", 0],
    latent_image: [latent, 0],
    denoise,
  },
});
/** Results go to ComfyUI's temp folder (PreviewImage), not its output folder: they are the requesters'. */
const decodeAndKeep = (samples: string) => ({
  "8": { class_type: "VAEDecode", inputs: { samples: [samples, 0], vae: ["1", 2] } },
  "9": { class_type: "PreviewImage", inputs: { images: ["8", 0] } },
});
/** The source image, scaled to the asked size (the web UI and the reference worker do the same). */
const source = {
  "10": { class_type: "LoadImage", inputs: { image: "{{source_image}}" } },
  "11": {
    class_type: "ImageScale",
    inputs: {
      image: ["10", 0],
      upscale_method: "lanczos",
      width: "{{width}}",
      height: "{{height}}",
      crop: "disabled",
    },
  },
  "12": { class_type: "VAEEncode", inputs: { pixels: ["11", 0], vae: ["1", 2] } },
};

/** The default workflows. */
export const DEFAULT_COMFY_WORKFLOWS: Readonly<Required<ComfyWorkflows>> = Object.freeze({
  txt2img: {
    ...prompts,
    "5": {
      class_type: "EmptyLatentImage",
      inputs: { width: "{{width}}", height: "{{height}}", batch_size: "{{batch_size}}" },
    },
    "6": sampler("5", 1),
    ...decodeAndKeep("6"),
  },
  hires: {
    ...prompts,
    "5": {
      class_type: "EmptyLatentImage",
      inputs: { width: "{{hires_width}}", height: "{{hires_height}}", batch_size: "{{batch_size}}" },
    },
    "6": sampler("5", 1),
    "13": {
      class_type: "LatentUpscale",
      inputs: {
        samples: ["6", 0],
        upscale_method: "nearest-exact",
        width: "{{width}}",
        height: "{{height}}",
        crop: "disabled",
      },
    },
    "14": sampler("13", "{{hires_denoise}}"),
    ...decodeAndKeep("14"),
  },
  img2img: {
    ...prompts,
    ...source,
    "5": { class_type: "RepeatLatentBatch", inputs: { samples: ["12", 0], amount: "{{batch_size}}" } },
    "6": sampler("5", "{{denoise}}"),
    ...decodeAndKeep("6"),
  },
  inpainting: {
    ...prompts,
    ...source,
    "15": { class_type: "LoadImageMask", inputs: { image: "{{source_mask}}", channel: "red" } },
    "16": { class_type: "SetLatentNoiseMask", inputs: { samples: ["12", 0], mask: ["15", 0] } },
    "5": { class_type: "RepeatLatentBatch", inputs: { samples: ["16", 0], amount: "{{batch_size}}" } },
    "6": sampler("5", "{{denoise}}"),
    ...decodeAndKeep("6"),
  },
} satisfies Required<ComfyWorkflows>);

/** What each kind must use, so a template cannot silently ignore the source or the mask. */
const REQUIRED: Record<keyof ComfyWorkflows, Placeholder[]> = {
  txt2img: [],
  hires: [],
  img2img: ["source_image"],
  inpainting: ["source_image", "source_mask"],
};

/**
 * Check workflows given by the user: the API format, known placeholders, the source (and mask) where the
 * kind needs them. Accepts one workflow (used for txt2img) or `{txt2img, hires?, img2img?, inpainting?}`.
 */
export function checkWorkflows(value: unknown, where = "workflow"): ComfyWorkflows {
  const issues: ValidationIssue[] = [];
  const object = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!object(value)) throw new HordeValidationError(where, [{ path: "", message: "must be a JSON object" }]);
  const single = Object.values(value).some((node) => object(node) && "class_type" in node);
  const map: Record<string, unknown> = single ? { txt2img: value } : value;
  for (const key of Object.keys(map)) {
    if (!(key in REQUIRED))
      issues.push({ path: key, message: "is not txt2img, hires, img2img or inpainting" });
  }
  if (!("txt2img" in map)) issues.push({ path: "txt2img", message: "is required" });
  for (const [kind, workflow] of Object.entries(map)) {
    if (!(kind in REQUIRED)) continue;
    if (!object(workflow) || Object.keys(workflow).length === 0) {
      issues.push({ path: kind, message: "must be a workflow in ComfyUI's API format (Save (API Format))" });
      continue;
    }
    for (const [id, node] of Object.entries(workflow)) {
      if (!object(node) || typeof node.class_type !== "string" || !object(node.inputs)) {
        issues.push({
          path: `${kind}.${id}`,
          message: "must be a node {class_type, inputs} (the API format)",
        });
      }
    }
    const used = placeholdersOf(workflow);
    for (const name of used) {
      if (!(name in PLACEHOLDERS)) {
        issues.push({
          path: kind,
          message: `uses {{${name}}}, which is not one of ${Object.keys(PLACEHOLDERS).join(", ")}`,
        });
      }
    }
    for (const name of REQUIRED[kind as keyof ComfyWorkflows]) {
      if (!used.has(name)) issues.push({ path: kind, message: `must use {{${name}}}` });
    }
  }
  if (issues.length > 0) throw new HordeValidationError(where, issues);
  return map as unknown as ComfyWorkflows;
}

/** The placeholders used anywhere in a workflow. */
export function placeholdersOf(workflow: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") for (const m of v.matchAll(PLACEHOLDER)) found.add(m[1] as string);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  walk(workflow);
  return found;
}

/** A copy of `workflow` with its placeholders filled in; a whole-value placeholder keeps the value's type. */
export function fillWorkflow(workflow: ComfyWorkflow, values: PlaceholderValues): ComfyWorkflow {
  const fill = (v: unknown): unknown => {
    if (typeof v === "string") {
      const whole = /^\{\{\s*([a-z_]+)\s*\}\}$/.exec(v);
      if (whole) return placeholder(whole[1] as string);
      return v.replace(PLACEHOLDER, (_, name: string) => String(placeholder(name)));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    }
    return v;
  };
  const placeholder = (name: string): string | number => {
    const value = values[name as Placeholder];
    // A template reads only what its kind provides (checkWorkflows makes sure of the source and mask).
    return value ?? "";
  };
  return fill(workflow) as ComfyWorkflow;
}
