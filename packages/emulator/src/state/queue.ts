/**
 * Queue order, `queue_position` and `wait_time` (§2.2, §9.4). The server refreshes these from a cache
 * every second; the emulator computes them on each read.
 */
import { accurateSteps } from "../rules/kudos.js";
import type { HordeState } from "./horde.js";
import { jobState } from "./jobs.js";
import { extraPriority, type ImageRequest } from "./requests.js";
import { workerSpeed } from "./workers.js";

export interface QueueEntry {
  /** 1-based. */
  position: number;
  /** Megapixel-steps queued ahead of and including this request. */
  thingsThrough: number;
  /** Images queued ahead of and including this request. */
  imagesThrough: number;
}

export interface QueueSnapshot {
  order: ImageRequest[];
  entries: Map<string, QueueEntry>;
}

/** Megapixel-steps of one image of this request (§2.2 "things"). */
export function thingsPerImage(req: ImageRequest): number {
  const p = req.params;
  return (p.width * p.height * accurateSteps(p.steps, p.sampler_name)) / 1e6;
}

/** The queue: requests with images left to pop, not faulted, by `extra_priority` desc then age (§9.4). */
export function queuedRequests(state: HordeState): ImageRequest[] {
  const now = state.now();
  return [...state.requests.values()]
    .filter((r) => r.remaining > 0 && !r.faulted)
    .map((r) => ({ r, priority: extraPriority(r, now) }))
    .sort((a, b) => b.priority - a.priority || a.r.createdAt - b.r.createdAt)
    .map(({ r }) => r);
}

export function queueSnapshot(state: HordeState): QueueSnapshot {
  const order = queuedRequests(state);
  const entries = new Map<string, QueueEntry>();
  let things = 0;
  let images = 0;
  order.forEach((r, i) => {
    things += thingsPerImage(r) * r.remaining;
    images += r.remaining;
    entries.set(r.id, { position: i + 1, thingsThrough: things, imagesThrough: images });
  });
  return { order, entries };
}

/** Average recorded speed over all workers, in megapixel-steps per second per thread (0 when unknown). */
function speedPerThread(state: HordeState): number {
  const speeds = state.workers
    .all()
    .map(workerSpeed)
    .filter((s): s is number => s !== null);
  return speeds.length === 0 ? 0 : speeds.reduce((a, b) => a + b, 0) / speeds.length / 1e6;
}

/** `wait_time` (§2.2): the queue ahead over the horde's throughput, plus the slowest job still in flight. */
export function waitTimeSeconds(state: HordeState, req: ImageRequest, snapshot: QueueSnapshot): number {
  const now = state.now();
  let wait = 0;
  const entry = snapshot.entries.get(req.id);
  if (entry) {
    const activeThreads = state.workers.active(now).reduce((sum, w) => sum + w.threads, 0);
    const threads = Math.min(activeThreads, entry.imagesThrough);
    const denominator = speedPerThread(state) * threads || 1;
    wait = entry.thingsThrough / denominator;
  }
  let inFlight = 0;
  for (const job of state.jobsOf(req)) {
    if (jobState(job) !== "processing") continue;
    const worker = state.workers.findById(job.workerId);
    const speed = worker ? workerSpeed(worker) : null;
    if (!speed) continue;
    const expected = (thingsPerImage(req) * 1e6) / speed;
    inFlight = Math.max(inFlight, expected - (now - job.startedAt) / 1000);
  }
  return Math.round(wait + Math.max(0, inFlight));
}
