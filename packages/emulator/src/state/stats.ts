/** The admin view of what happened: request outcomes, job counters and the orphans a client left behind. */
import type { HordeState } from "./horde.js";
import { counters, isDone } from "./progress.js";

/** Where a request ended up; each request is in exactly one of these. */
export type RequestOutcome = "active" | "done" | "cancelled" | "faulted" | "expired";

export interface EmulatorStats {
  requests: {
    /** Every request ever accepted (dry runs are not requests). */
    total: number;
    /** Not done, not cancelled, not faulted, not yet expired. */
    active: number;
    /** Completed, without a cancel. */
    done: number;
    /** Cancelled with DELETE (whether or not in-flight jobs finished afterwards). */
    cancelled: number;
    faulted: number;
    /** Deleted by expiry before completing or being cancelled. */
    expired: number;
  };
  /** Summed over live requests (expired ones are gone, as on the server). */
  jobs: { waiting: number; processing: number; finished: number; restarted: number };
  /** Ids of requests never completed nor cancelled: still active, or expired unfinished. */
  orphaned: string[];
  workers: { total: number; active: number };
  users: number;
  r2Objects: number;
}

export function collectStats(state: HordeState): EmulatorStats {
  const now = state.now();
  const requests = { total: 0, active: 0, done: 0, cancelled: 0, faulted: 0, expired: 0 };
  const jobs = { waiting: 0, processing: 0, finished: 0, restarted: 0 };
  const orphaned: string[] = [];

  for (const req of state.requests.values()) {
    const c = counters(state, req);
    jobs.waiting += c.waiting;
    jobs.processing += c.processing;
    jobs.finished += c.finished;
    jobs.restarted += c.restarted;
    const outcome: RequestOutcome = req.faulted
      ? "faulted"
      : req.cancelledAt !== null
        ? "cancelled"
        : isDone(req, c)
          ? "done"
          : "active";
    requests[outcome]++;
    if (outcome === "active") orphaned.push(req.id);
  }
  for (const gone of state.expired.values()) {
    const outcome: RequestOutcome = gone.faulted
      ? "faulted"
      : gone.cancelled
        ? "cancelled"
        : gone.completed
          ? "done"
          : "expired";
    requests[outcome]++;
    if (outcome === "expired") orphaned.push(gone.id);
  }
  requests.total = state.requests.size + state.expired.size;

  return {
    requests,
    jobs,
    orphaned,
    workers: { total: state.workers.all().length, active: state.workers.active(now).length },
    users: state.users.all().length,
    r2Objects: state.r2.size,
  };
}
