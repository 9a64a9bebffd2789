/**
 * An image request (§1.1): the common waiting-prompt fields plus the image params, and the parser's
 * runtime defaults (§0.1) and the server-side params defaults (§1.1.1).
 */
import { DEFAULT_IMAGE_MODEL } from "../rules/models.js";
import type { IngestedImage } from "../rules/source-image.js";
import type { GenRequestBase } from "./requests.js";

/** `params` after the server filled its defaults at creation (§1.1.1); `n` is taken out. */
export interface ImageParams {
  width: number;
  height: number;
  steps: number;
  sampler_name: string;
  cfg_scale: number;
  karras: boolean;
  seed?: string;
  seed_variation?: number;
  control_type?: string;
  hires_fix?: boolean;
  post_processing?: string[];
  loras?: { name: string; is_version?: boolean }[];
  tis?: unknown[];
  workflow?: string;
  transparent?: boolean;
  denoising_strength?: number;
  extra_texts?: { text?: string; reference?: string }[];
  [key: string]: unknown;
}

/** One image request (a "waiting prompt"). Progress fields are never stored: see `progress.ts`. */
export interface ImageRequest extends GenRequestBase {
  kind: "image";
  params: ImageParams;
  nsfw: boolean;
  censorNsfw: boolean;
  r2: boolean;
  shared: boolean;
  /** The stored source image and mask (§1.1.2 step 9), see `rules/source-image.ts`. */
  source?: IngestedImage;
  sourceProcessing: string;
  mask?: IngestedImage;
  extraSourceImages: { image: string; strength?: number }[];
  /** Whether aesthetic ratings were accepted (§1.7). */
  rated?: boolean;
  /** Warnings of the 202 (§1.1.3). */
  warnings: { code: string; message: string }[];
}

/** The parser's runtime defaults of an image request (§0.1, §1.1), applied to a schema-valid body. */
export interface ImageRequestInput {
  prompt: string;
  params: Record<string, unknown>;
  n: number;
  models: string[];
  nsfw: boolean;
  censorNsfw: boolean;
  trustedWorkers: boolean;
  slowWorkers: boolean;
  extraSlowWorkers: boolean;
  workers: string[];
  workerBlacklist: boolean;
  r2: boolean;
  shared: boolean;
  replacementFilter: boolean;
  dryRun: boolean;
  proxiedAccount?: string;
  disableBatching: boolean;
  allowDowngrade: boolean;
  webhook?: string;
  style?: string;
  sourceImage?: string;
  sourceProcessing: string;
  sourceMask?: string;
  extraSourceImages: { image: string; strength?: number }[];
}

const bool = (v: unknown, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function withRuntimeDefaults(body: Record<string, unknown>): ImageRequestInput {
  const params = { ...((body.params as Record<string, unknown> | undefined) ?? {}) };
  const n = typeof params.n === "number" ? params.n : 1;
  delete params.n;
  return {
    prompt: String(body.prompt),
    params,
    n,
    // QUIRK(§0.1): the parser's defaults, not the swagger's: nsfw and censor_nsfw true, models set.
    models: Array.isArray(body.models) ? (body.models as string[]) : [DEFAULT_IMAGE_MODEL],
    nsfw: bool(body.nsfw, true),
    censorNsfw: bool(body.censor_nsfw, true),
    trustedWorkers: bool(body.trusted_workers, false),
    slowWorkers: bool(body.slow_workers, true),
    extraSlowWorkers: bool(body.extra_slow_workers, false),
    // Only the first 5 workers are kept (§1.1).
    workers: Array.isArray(body.workers) ? (body.workers as string[]).slice(0, 5) : [],
    workerBlacklist: bool(body.worker_blacklist, false),
    r2: bool(body.r2, true),
    // QUIRK(§1.1): `shared` is forced to false except for the SDXL_beta comparison model.
    shared: false,
    replacementFilter: bool(body.replacement_filter, true),
    dryRun: bool(body.dry_run, false),
    proxiedAccount: str(body.proxied_account),
    disableBatching: bool(body.disable_batching, false),
    allowDowngrade: bool(body.allow_downgrade, false),
    webhook: str(body.webhook),
    style: str(body.style),
    sourceImage: str(body.source_image),
    sourceProcessing: str(body.source_processing) ?? "img2img",
    sourceMask: str(body.source_mask),
    extraSourceImages: Array.isArray(body.extra_source_images)
      ? (body.extra_source_images as { image: string; strength?: number }[])
      : [],
  };
}

/** Fills the server-side params defaults of §1.1.1 (512², 30 steps or 20 with ControlNet, k_euler_a, cfg 5, karras). */
export function fillParams(params: Record<string, unknown>): ImageParams {
  const controlType = typeof params.control_type === "string" ? params.control_type : undefined;
  let steps = typeof params.steps === "number" ? params.steps : controlType ? 20 : 30;
  // With a control type, steps are silently capped at 40.
  if (controlType) steps = Math.min(steps, 40);
  return {
    ...params,
    width: typeof params.width === "number" ? params.width : 512,
    height: typeof params.height === "number" ? params.height : 512,
    steps,
    sampler_name: typeof params.sampler_name === "string" ? params.sampler_name : "k_euler_a",
    // QUIRK(§0.1): cfg_scale 5.0 and karras true, where the swagger says 7.5 and false.
    cfg_scale: typeof params.cfg_scale === "number" ? params.cfg_scale : 5.0,
    karras: typeof params.karras === "boolean" ? params.karras : true,
  };
}
