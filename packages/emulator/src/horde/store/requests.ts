/**
 * Image and text requests (the server's "waiting prompts", docs/server/image-requests.md#submit,
 * docs/server/text.md#text): the fields both kinds share —
 * job counters, the queue bookkeeping behind `extra_priority`, expiry and faulting — and each kind's own.
 * Progress fields are never stored: see `progress.ts`.
 */

export type GenKind = "image" | "text";

export interface GenRequestBase {
  kind: GenKind;
  id: string;
  userId: number;
  clientAgent: string;
  createdAt: number;
  /** 20 min after the last activity (docs/server/image-requests.md#expiry). */
  expiresAt: number;

  prompt: string;
  models: string[];
  trustedWorkers: boolean;
  slowWorkers: boolean;
  extraSlowWorkers: boolean;
  workers: string[];
  workerBlacklist: boolean;
  disableBatching: boolean;
  webhook?: string;

  /** The server's `n`: jobs not yet popped. Change it through `setRemaining` so priority accrues right. */
  remaining: number;
  /** The server's `jobs`: the job count, reset to the finished count by an image cancel (docs/server/image-requests.md#cancel). */
  jobCount: number;
  /** Kudos of one job before the model multiplier (image `K` of docs/server/kudos.md#base-kudos; 0 for text, docs/server/text.md#text). */
  kudosPerImage: number;
  /** Tax plus every charge so far (docs/server/progress.md#counters `kudos`). */
  consumedKudos: number;
  /** The upfront hold (docs/server/kudos.md#upfront-kudos): kudos set aside while the request is alive, 0 when none. */
  upfrontHold: number;

  /** The requester's balance at activation (docs/server/kudos.md#queue-order). */
  basePriority: number;
  /** Time spent queued (`remaining > 0`) before `queuedSince`. */
  queuedMs: number;
  queuedSince: number | null;

  faulted: boolean;
  cancelledAt: number | null;
  /** The shared key that pays for this request (docs/server/directory.md#shared-keys), or null. */
  sharedKeyId: string | null;
}

/** `params` after the server filled its defaults at creation (docs/server/image-requests.md#params); `n` is taken out. */
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

/** A source image or mask as stored at activation (docs/server/image-requests.md#submit-order step 9), see `source-images.ts`. */
export interface IngestedImage {
  /** Local R2 key of the WebP, when the emulator holds the bytes. */
  key?: string;
  /** The URL as the client gave it, when the emulator does not hold the bytes. */
  url?: string;
  width: number;
  height: number;
  hasAlpha: boolean;
}

/** One image request. */
export interface ImageRequest extends GenRequestBase {
  kind: "image";
  params: ImageParams;
  nsfw: boolean;
  censorNsfw: boolean;
  r2: boolean;
  shared: boolean;
  source?: IngestedImage;
  sourceProcessing: string;
  mask?: IngestedImage;
  extraSourceImages: { image: string; strength?: number }[];
  /** Whether aesthetic ratings were accepted (docs/server/image-requests.md#ratings). */
  rated?: boolean;
  /** Warnings of the 202 (docs/server/image-requests.md#warnings). */
  warnings: { code: string; message: string }[];
}

export interface TextParams {
  max_length: number;
  max_context_length: number;
  stop_sequence?: string[];
  sampler_order?: number[];
  [key: string]: unknown;
}

/** One text request: the Kobold params (docs/server/text.md#text). */
export interface TextRequest extends GenRequestBase {
  kind: "text";
  params: TextParams;
  softprompt?: string;
  validatedBackends: boolean;
}

export type GenRequest = ImageRequest | TextRequest;

export const REQUEST_LIFETIME_MS = 20 * 60_000;
/** Extra-slow workers keep the request alive for an hour per pop (docs/server/image-requests.md#expiry). */
export const EXTRA_SLOW_LIFETIME_MS = 60 * 60_000;

/** The only way `remaining` changes: keeps the queued-time bookkeeping that drives priority (docs/server/kudos.md#queue-order). */
export function setRemaining(req: GenRequestBase, remaining: number, now: number): void {
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

/** Marks the request faulted (docs/server/progress.md#job-ttl-restarts-and-faulting): it stops being queued and is never popped again. */
export function faultRequest(req: GenRequestBase, now: number): void {
  if (req.faulted) return;
  if (req.queuedSince !== null) {
    req.queuedMs += now - req.queuedSince;
    req.queuedSince = null;
  }
  req.faulted = true;
}

/**
 * `extra_priority` (docs/server/kudos.md#queue-order): the balance at activation, +50 for every 10 s spent
 * queued. The server adds
 * the 50 on a global 10 s tick; here it is counted per request from the time it was queued.
 */
export function extraPriority(req: GenRequestBase, now: number): number {
  const queued = req.queuedMs + (req.queuedSince !== null ? now - req.queuedSince : 0);
  return req.basePriority + 50 * Math.floor(queued / 10_000);
}
