/**
 * Queue order, `queue_position` and `wait_time` (docs/server/progress.md#queue-position-and-wait-time,
 * docs/server/kudos.md#queue-order). The server refreshes these from a cache
 * every second; the emulator computes them on each read. Image and text have separate queues.
 *
 * DEVIATION(docs/server/progress.md#queue-position-and-wait-time): the server sizes text jobs with the image
 * divisor (a bug); here a text job's
 * "things" are its `max_length` tokens and the horde's speed is in tokens per second.
 */
import { accurateSteps } from "./pricing/image.js";
import { jobState } from "./store/jobs.js";
import { extraPriority, type GenKind, type GenRequest } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";
import { workerSpeed } from "./store/workers.js";

export interface QueueEntry {
  /** 1-based. */
  position: number;
  /** Work queued ahead of and including this request (megapixel-steps, or tokens for text). */
  thingsThrough: number;
  /** Jobs queued ahead of and including this request. */
  imagesThrough: number;
}

export interface QueueSnapshot {
  order: GenRequest[];
  entries: Map<string, QueueEntry>;
}

/** Megapixel-steps of one image (docs/server/progress.md#queue-position-and-wait-time "things"), or the tokens of one text job. */
export function thingsPerImage(req: GenRequest): number {
  if (req.kind === "text") return req.params.max_length;
  const p = req.params;
  return (p.width * p.height * accurateSteps(p.steps, p.sampler_name)) / 1e6;
}

/** Queued jobs of one request: `n` images or texts, in megapixel-steps (image) or tokens (text). */
export function queuedThings(req: GenRequest): number {
  return thingsPerImage(req) * Math.max(req.remaining, 0);
}

/** The queue: requests with jobs left to pop, not faulted, by `extra_priority` desc then age (docs/server/kudos.md#queue-order). */
export function queuedRequests<K extends GenKind>(
  store: HordeStore,
  kind: K,
): Extract<GenRequest, { kind: K }>[] {
  const now = store.now();
  return store
    .requestsOf(kind)
    .filter((r) => r.remaining > 0 && !r.faulted)
    .map((r) => ({ r, priority: extraPriority(r, now) }))
    .sort((a, b) => b.priority - a.priority || a.r.createdAt - b.r.createdAt)
    .map(({ r }) => r);
}

export function queueSnapshot(store: HordeStore, kind: GenKind): QueueSnapshot {
  const order = queuedRequests(store, kind);
  const entries = new Map<string, QueueEntry>();
  let things = 0;
  let images = 0;
  order.forEach((r, i) => {
    things += queuedThings(r);
    images += r.remaining;
    entries.set(r.id, { position: i + 1, thingsThrough: things, imagesThrough: images });
  });
  return { order, entries };
}

/**
 * DEVIATION(docs/server/progress.md#queue-position-and-wait-time): the server averages a performance history
 * that is never empty on a live horde; a fresh
 * emulator has none, and dividing by 1 would report a 512² job as minutes away. Until a worker of the kind
 * has delivered, the emulator assumes the dev workers' default pace: 512×512×30 steps in 1.5 s (pixel-steps
 * per second) and 80 tokens in 1.5 s.
 */
const ASSUMED_SPEED: Record<GenKind, number> = { image: (512 * 512 * 30) / 1.5, text: 80 / 1.5 };

/** A worker's recorded speed, or the assumed one before its first delivery. */
function speedOf(worker: Parameters<typeof workerSpeed>[0], kind: GenKind): number {
  return workerSpeed(worker) ?? ASSUMED_SPEED[kind];
}

/** Average recorded speed over the kind's workers, per thread, in things per second. */
function speedPerThread(store: HordeStore, kind: GenKind): number {
  const speeds = store.workers
    .all()
    .filter((w) => w.type === kind)
    .map(workerSpeed)
    .filter((s): s is number => s !== null);
  const avg = speeds.length === 0 ? ASSUMED_SPEED[kind] : speeds.reduce((a, b) => a + b, 0) / speeds.length;
  return kind === "image" ? avg / 1e6 : avg;
}

/** `wait_time` (docs/server/progress.md#queue-position-and-wait-time): the queue ahead over the horde's throughput, plus the slowest job still in flight. */
export function waitTimeSeconds(store: HordeStore, req: GenRequest, snapshot: QueueSnapshot): number {
  const now = store.now();
  let wait = 0;
  const entry = snapshot.entries.get(req.id);
  if (entry) {
    const activeThreads = store.workers.active(now, req.kind).reduce((sum, w) => sum + w.threads, 0);
    const threads = Math.min(activeThreads, entry.imagesThrough);
    const denominator = speedPerThread(store, req.kind) * threads || 1;
    wait = entry.thingsThrough / denominator;
  }
  let inFlight = 0;
  for (const job of store.jobsOf(req)) {
    if (jobState(job) !== "processing") continue;
    const worker = store.workers.findById(job.workerId);
    const speed = worker ? speedOf(worker, req.kind) : null;
    if (!speed) continue;
    const perJob = req.kind === "image" ? thingsPerImage(req) * 1e6 : thingsPerImage(req);
    inFlight = Math.max(inFlight, perJob / speed - (now - job.startedAt) / 1000);
  }
  return Math.round(wait + Math.max(0, inFlight));
}
