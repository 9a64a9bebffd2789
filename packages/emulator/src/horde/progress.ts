/**
 * The progress counters of docs/server/progress.md#progress, derived from the request's
 * `remaining`/`jobCount` and its job rows every
 * time they are read, and the two verdicts built on them: done, and possible. Nothing here is stored.
 * (`queue.ts` adds the queue position and the wait time.)
 */
import { imageWorkerServes } from "./matching/image.js";
import { textEligibility } from "./matching/text.js";
import { jobState } from "./store/jobs.js";
import type { GenRequest } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";

export interface Counters {
  finished: number;
  processing: number;
  restarted: number;
  waiting: number;
}

export function counters(store: HordeStore, req: GenRequest): Counters {
  let finished = 0;
  let processing = 0;
  let restarted = 0;
  for (const job of store.jobsOf(req)) {
    const s = jobState(job);
    if (s === "finished") finished++;
    else if (s === "faulted") restarted++;
    else processing++;
  }
  let waiting = Math.max(req.remaining, 0);
  // The cap reconciles races between `n` and the job rows (docs/server/progress.md#counters).
  if (req.jobCount > 0) waiting = Math.min(waiting, Math.max(req.jobCount - processing - finished, 0));
  return { finished, processing, restarted, waiting };
}

/** `is_completed` (docs/server/progress.md#counters): faulted, or nothing left to pop and every job finished or faulted. */
export function isDone(req: GenRequest, c: Counters): boolean {
  if (req.faulted) return true;
  if (req.remaining > 0) return false;
  return c.finished + c.restarted - c.processing >= req.jobCount;
}

/** How long the server remembers whether a request has a worker (docs/server/progress.md#counters). */
export const VERDICT_MEMORY_MS = 60_000;

/**
 * `is_possible` (docs/server/progress.md#counters): true while a job is in flight; else whether an active
 * worker could take it, a verdict the server remembers for a minute (so a worker that appears later shows
 * only once it has expired).
 */
export function isPossible(store: HordeStore, req: GenRequest, c: Counters): boolean {
  if (c.processing > 0) return true;
  const now = store.now();
  const remembered = store.rememberedVerdict(req.id, now);
  if (remembered !== undefined) return remembered;
  const possible = store.workers
    .active(now, req.kind)
    .some((w) =>
      req.kind === "image" ? imageWorkerServes(store, w, req) : textEligibility(store, w, req) === null,
    );
  store.rememberVerdict(req.id, possible, now + VERDICT_MEMORY_MS);
  return possible;
}

/** Jobs of the kind waiting or in progress over unfaulted requests (`queued_requests` of docs/server/directory.md#directory, the upfront rules). */
export function queuedJobs(store: HordeStore, kind: GenRequest["kind"]): number {
  let total = 0;
  for (const r of store.requestsOf(kind)) {
    if (r.faulted) continue;
    const c = counters(store, r);
    total += c.waiting + c.processing;
  }
  return total;
}
