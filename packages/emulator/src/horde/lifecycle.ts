/**
 * Time-driven changes, applied lazily: every domain operation calls `sweep()` before it reads or writes,
 * so the store is exactly what the server's cleaner (docs/server/image-requests.md#expiry,
 * docs/server/progress.md#job-ttl-restarts-and-faulting, docs/server/alchemy.md#alchemy) would have made of
 * it by `now`.
 * Also the two ways a job ends early: aborted (stale or faulted by its worker) and cancelled.
 *
 * DEVIATION(docs/server/image-requests.md#expiry): the real cleaner runs every 60 s, so on the server a job
 * is aborted up to a minute
 * after its ttl and a request is deleted up to a minute after its expiry; here both happen at the exact
 * instant.
 */
import { counters, isDone } from "./progress.js";
import {
  abortForm,
  FORM_TIMEOUT_MS,
  type Interrogation,
  isInterrogationFinished,
} from "./store/interrogations.js";
import { isStale, type Job, jobState } from "./store/jobs.js";
import { faultRequest, type GenRequest, setRemaining } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";

/** A request with more than this many faulted jobs is faulted as a whole (docs/server/progress.md#job-ttl-restarts-and-faulting). */
export const MAX_RESTARTS = 2;

export function sweep(store: HordeStore): void {
  const now = store.now();
  for (const req of store.requestsOf()) {
    for (const job of store.jobsOf(req)) {
      if (isStale(job, now)) abortJob(store, req, job, job.startedAt + job.ttl * 1000, "stale");
    }
    faultIfTooManyRestarts(store, req, now);
    if (now >= req.expiresAt) expire(store, req, now);
  }
  for (const i of store.allInterrogations()) {
    for (const form of i.forms) {
      if (form.state === "processing" && form.poppedAt !== null && now - form.poppedAt > FORM_TIMEOUT_MS) {
        abortForm(form);
      }
    }
    if (now >= i.expiresAt) expireInterrogation(store, i, now);
  }
  store.prune(now);
}

/**
 * Marks a processing job faulted (it then counts in `restarted`). A stale job gives its slot back to the
 * queue; for a fault its worker reported, `requeueReportedFault` did that already
 * (docs/server/progress.md#job-ttl-restarts-and-faulting).
 */
export function abortJob(
  store: HordeStore,
  req: GenRequest,
  job: Job,
  at: number,
  why: "stale" | "worker",
): void {
  if (jobState(job) !== "processing") return;
  job.faultedAt = at;
  if (why === "stale") {
    store.workers.findById(job.workerId)?.abortedAt.push(at);
    // DEVIATION(docs/server/image-requests.md#cancel, docs/server/progress.md#job-ttl-restarts-and-faulting): a
    // cancelled request is never re-queued, so a cancel stays a cancel. The doc's
    // stale rule (`n += 1`) read literally would let a late abort resurrect a cancelled request.
    if (req.cancelledAt === null) setRemaining(req, req.remaining + 1, at);
  }
  faultIfTooManyRestarts(store, req, at);
}

/**
 * A worker reported a fault: the request gets a job back in the queue — text always, an image (only for a job
 * in flight) while fewer of its jobs have ended, with a result or a fault, than it asked for.
 */
export function requeueReportedFault(store: HordeStore, req: GenRequest, at: number): void {
  if (req.cancelledAt !== null) return;
  // The server counts a job as finished here when it has a result or has faulted (its `count_finished_jobs`).
  const ended = store.jobsOf(req).filter((j) => jobState(j) !== "processing").length;
  if (req.kind === "text" || ended < req.jobCount) setRemaining(req, req.remaining + 1, at);
}

function faultIfTooManyRestarts(store: HordeStore, req: GenRequest, now: number): void {
  if (req.faulted) return;
  const faultedJobs = store.jobsOf(req).filter((j) => jobState(j) === "faulted").length;
  if (faultedJobs > MAX_RESTARTS) faultRequest(req, now);
}

/**
 * DELETE (docs/server/image-requests.md#cancel): nothing left to pop; jobs already popped are not aborted —
 * their workers still submit,
 * get paid, and the requester is charged. No refund; the request expires normally. For images the job
 * count drops to what is finished; QUIRK(docs/server/text.md#text): for text it is not reset, so a text
 * request cancelled
 * before all its jobs finished never reports `done`.
 */
export function cancelRequest(store: HordeStore, req: GenRequest): void {
  const now = store.now();
  const { finished } = counters(store, req);
  setRemaining(req, 0, now);
  if (req.kind === "image") req.jobCount = finished;
  if (req.cancelledAt === null) req.cancelledAt = now;
}

/** Deletes a request as expiry does (also what deleting the shared key that pays for it does). */
export function expire(store: HordeStore, req: GenRequest, now: number): void {
  store.deleteRequest(req, {
    id: req.id,
    userId: req.userId,
    createdAt: req.createdAt,
    expiredAt: now,
    completed: isDone(req, counters(store, req)),
    cancelled: req.cancelledAt !== null,
    faulted: req.faulted,
  });
}

function expireInterrogation(store: HordeStore, i: Interrogation, now: number): void {
  const states = i.forms.map((f) => f.state);
  store.deleteInterrogation(i, {
    id: i.id,
    userId: i.userId,
    createdAt: i.createdAt,
    expiredAt: now,
    completed: isInterrogationFinished(i),
    cancelled: i.cancelledAt !== null,
    faulted: states.length > 0 && states.every((s) => s === "faulted"),
  });
}
