/**
 * Time-driven changes, applied lazily: every route calls `sweep()` before it reads or writes, so the
 * state is exactly what the server's cleaner (§1.5, §2.3, §6.2) would have made of it by `now`.
 *
 * DEVIATION(§1.5): the real cleaner runs every 60 s, so on the server a job is aborted up to a minute
 * after its ttl and a request is deleted up to a minute after its expiry; here both happen at the exact
 * instant.
 */
import { sweepAlchemy } from "./alchemy.js";
import type { HordeState } from "./horde.js";
import { isStale, type Job, jobState } from "./jobs.js";
import { counters, isDone } from "./progress.js";
import { faultRequest, type GenRequest, setRemaining } from "./requests.js";

/** A request with more than this many faulted jobs is faulted as a whole (§2.3). */
export const MAX_RESTARTS = 2;

export function sweep(state: HordeState): void {
  const now = state.now();
  for (const req of [...state.requests.values()]) {
    for (const job of state.jobsOf(req)) {
      if (isStale(job, now)) abortJob(state, req, job, job.startedAt + job.ttl * 1000, "stale");
    }
    faultIfTooManyRestarts(state, req, now);
    if (now >= req.expiresAt) expire(state, req, now);
  }
  sweepAlchemy(state, now);
  for (const [key, entry] of state.dryRunCache) if (entry.expiresAt <= now) state.dryRunCache.delete(key);
}

/**
 * Marks a processing job faulted (it then counts in `restarted`) and gives its slot back to the queue.
 * A stale job always re-queues; a worker-reported fault re-queues text unconditionally and images only
 * while fewer are finished than the request's job count (§2.3).
 */
export function abortJob(
  state: HordeState,
  req: GenRequest,
  job: Job,
  at: number,
  why: "stale" | "worker",
): void {
  if (jobState(job) !== "processing") return;
  job.faultedAt = at;
  if (why === "stale") state.workers.findById(job.workerId)?.abortedAt.push(at);
  const finished = state.jobsOf(req).filter((j) => jobState(j) === "finished").length;
  // DEVIATION(§1.4, §2.3): a cancelled request is never re-queued, so a cancel stays a cancel. The doc's
  // stale rule (`n += 1`) read literally would let a late abort resurrect a cancelled request.
  const requeue =
    req.cancelledAt === null && (why === "stale" || req.kind === "text" || finished < req.jobCount);
  if (requeue) setRemaining(req, req.remaining + 1, at);
  faultIfTooManyRestarts(state, req, at);
}

function faultIfTooManyRestarts(state: HordeState, req: GenRequest, now: number): void {
  if (req.faulted) return;
  const faultedJobs = state.jobsOf(req).filter((j) => jobState(j) === "faulted").length;
  if (faultedJobs > MAX_RESTARTS) faultRequest(req, now);
}

/**
 * DELETE (§1.4): nothing left to pop; jobs already popped are not aborted — their workers still submit,
 * get paid, and the requester is charged. No refund; the request expires normally. For images the job
 * count drops to what is finished; QUIRK(§6.1): for text it is not reset, so a text request cancelled
 * before all its jobs finished never reports `done`.
 */
export function cancelRequest(state: HordeState, req: GenRequest): void {
  const now = state.now();
  const { finished } = counters(state, req);
  setRemaining(req, 0, now);
  if (req.kind === "image") req.jobCount = finished;
  if (req.cancelledAt === null) req.cancelledAt = now;
}

function expire(state: HordeState, req: GenRequest, now: number): void {
  state.deleteRequest(req, {
    id: req.id,
    userId: req.userId,
    createdAt: req.createdAt,
    expiredAt: now,
    completed: isDone(req, counters(state, req)),
    cancelled: req.cancelledAt !== null,
    faulted: req.faulted,
  });
}
