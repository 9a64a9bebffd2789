/**
 * The progress fields of §2, derived from the request's `remaining`/`jobCount` and its job rows every
 * time they are read. Nothing here is stored.
 */
import type { HordeState } from "./horde.js";
import { jobState } from "./jobs.js";
import { eligibility } from "./matching.js";
import { type QueueSnapshot, queueSnapshot, waitTimeSeconds } from "./queue.js";
import type { GenRequest } from "./requests.js";
import { textEligibility } from "./text-matching.js";

export interface Counters {
  finished: number;
  processing: number;
  restarted: number;
  waiting: number;
}

/** The shape of `RequestStatusCheck`, in the server's field order. */
export interface StatusCheck extends Counters {
  done: boolean;
  faulted: boolean;
  wait_time: number;
  queue_position: number;
  kudos: number;
  is_possible: boolean;
}

export function counters(state: HordeState, req: GenRequest): Counters {
  let finished = 0;
  let processing = 0;
  let restarted = 0;
  for (const job of state.jobsOf(req)) {
    const s = jobState(job);
    if (s === "finished") finished++;
    else if (s === "faulted") restarted++;
    else processing++;
  }
  let waiting = Math.max(req.remaining, 0);
  // The cap reconciles races between `n` and the job rows (§2.1).
  if (req.jobCount > 0) waiting = Math.min(waiting, Math.max(req.jobCount - processing - finished, 0));
  return { finished, processing, restarted, waiting };
}

/** `is_completed` (§2.1): faulted, or nothing left to pop and every job finished or faulted. */
export function isDone(req: GenRequest, c: Counters): boolean {
  if (req.faulted) return true;
  if (req.remaining > 0) return false;
  return c.finished + c.restarted - c.processing >= req.jobCount;
}

/**
 * `is_possible` (§2.1): true while a job is in flight, else whether an active worker could take it.
 * The server caches the worker query for 60 s; this answers from the current state.
 */
export function isPossible(state: HordeState, req: GenRequest, c: Counters): boolean {
  if (c.processing > 0) return true;
  return state.workers
    .active(state.now(), req.kind)
    .some(
      (w) => (req.kind === "image" ? eligibility(state, w, req) : textEligibility(state, w, req)) === null,
    );
}

export function statusCheck(state: HordeState, req: GenRequest, queue?: QueueSnapshot): StatusCheck {
  const c = counters(state, req);
  const snapshot = queue ?? queueSnapshot(state, req.kind);
  const entry = snapshot.entries.get(req.id);
  return {
    ...c,
    done: isDone(req, c),
    faulted: req.faulted,
    wait_time: waitTimeSeconds(state, req, snapshot),
    // A request with nothing left to pop is not in the queue and reports position 0 (§2.2).
    queue_position: entry ? entry.position : 0,
    kudos: Math.round(req.consumedKudos),
    is_possible: isPossible(state, req, c),
  };
}
