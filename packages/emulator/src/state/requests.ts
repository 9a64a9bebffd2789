/**
 * What image and text requests (the server's "waiting prompts") have in common: the job counters, the
 * queue bookkeeping behind `extra_priority`, expiry and faulting. Progress fields are never stored: see
 * `progress.ts`. The kind-specific parts live in `image-request.ts` and `text-request.ts`.
 */
import type { ImageRequest } from "./image-request.js";
import type { TextRequest } from "./text-request.js";

export type { ImageParams, ImageRequest, ImageRequestInput } from "./image-request.js";
export { fillParams, withRuntimeDefaults } from "./image-request.js";
export type { TextParams, TextRequest } from "./text-request.js";

export type GenKind = "image" | "text";

export interface GenRequestBase {
  kind: GenKind;
  id: string;
  userId: number;
  clientAgent: string;
  createdAt: number;
  /** 20 min after the last activity (§1.5). */
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
  /** The server's `jobs`: the job count, reset to the finished count by an image cancel (§1.4). */
  jobCount: number;
  /** Kudos of one job before the model multiplier (image `K` of §9.1; 0 for text, §6.1). */
  kudosPerImage: number;
  /** Tax plus every charge so far (§2.1 `kudos`). */
  consumedKudos: number;
  /** The upfront hold (§9.3): kudos set aside while the request is alive, 0 when none. */
  upfrontHold: number;

  /** The requester's balance at activation (§9.4). */
  basePriority: number;
  /** Time spent queued (`remaining > 0`) before `queuedSince`. */
  queuedMs: number;
  queuedSince: number | null;

  faulted: boolean;
  cancelledAt: number | null;
}

export type GenRequest = ImageRequest | TextRequest;

/** The only way `remaining` changes: keeps the queued-time bookkeeping that drives priority (§9.4). */
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

/** Marks the request faulted (§2.3): it stops being queued and is never popped again. */
export function faultRequest(req: GenRequestBase, now: number): void {
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
export function extraPriority(req: GenRequestBase, now: number): number {
  const queued = req.queuedMs + (req.queuedSince !== null ? now - req.queuedSince : 0);
  return req.basePriority + 50 * Math.floor(queued / 10_000);
}

export const REQUEST_LIFETIME_MS = 20 * 60_000;
