import { DEFAULT_IMAGE_MODEL } from "../rules/models.js";

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
export interface ImageRequest {
  id: string;
  userId: number;
  clientAgent: string;
  createdAt: number;
  /** 20 min after the last activity (§1.5). */
  expiresAt: number;

  prompt: string;
  params: ImageParams;
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
  disableBatching: boolean;
  sourceImage?: string;
  sourceProcessing: string;
  sourceMask?: string;
  extraSourceImages: { image: string; strength?: number }[];
  webhook?: string;

  /** The server's `n`: images not yet popped. Change it through `setRemaining` so priority accrues right. */
  remaining: number;
  /** The server's `jobs`: the job count, reset to the finished count by a cancel (§1.4). */
  jobCount: number;
  /** `K`, the base kudos of one image (§9.1). */
  kudosPerImage: number;
  /** Tax plus every charge so far (§2.1 `kudos`). */
  consumedKudos: number;

  /** The requester's balance at activation (§9.4). */
  basePriority: number;
  /** Time spent queued (`remaining > 0`) before `queuedSince`. */
  queuedMs: number;
  queuedSince: number | null;

  faulted: boolean;
  cancelledAt: number | null;
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

/** The only way `remaining` changes: keeps the queued-time bookkeeping that drives priority (§9.4). */
export function setRemaining(req: ImageRequest, remaining: number, now: number): void {
  const wasQueued = req.remaining > 0 && !req.faulted;
  req.remaining = remaining;
  const isQueued = req.remaining > 0 && !req.faulted;
  if (wasQueued && !isQueued && req.queuedSince !== null) {
    req.queuedMs += now - req.queuedSince;
    req.queuedSince = null;
  } else if (!wasQueued && isQueued) {
    req.queuedSince = now;
  }
}

/** Marks the request faulted (§2.3): it stops being queued and is never popped again. */
export function faultRequest(req: ImageRequest, now: number): void {
  if (req.faulted) return;
  if (req.queuedSince !== null) {
    req.queuedMs += now - req.queuedSince;
    req.queuedSince = null;
  }
  req.faulted = true;
}

/**
 * `extra_priority` (§9.4): the balance at activation, +50 for every 10 s spent queued. The server adds
 * the 50 on a global 10 s tick; here it is counted per request from the time it was queued.
 */
export function extraPriority(req: ImageRequest, now: number): number {
  const queued = req.queuedMs + (req.queuedSince !== null ? now - req.queuedSince : 0);
  return req.basePriority + 50 * Math.floor(queued / 10_000);
}

export const REQUEST_LIFETIME_MS = 20 * 60_000;
