/**
 * The admin's views (`emulator.admin`, `/_emulator/`): users with their books, request outcomes, job
 * counters, the requests and jobs themselves, and the orphans a client left behind (never completed nor
 * cancelled).
 */
import { counters, isDone } from "../progress.js";
import { type Interrogation, isInterrogationFinished } from "../store/interrogations.js";
import { jobState } from "../store/jobs.js";
import type { GenRequest } from "../store/requests.js";
import { expiredOutcome, type HordeStore, type RequestKind } from "../store/store.js";
import type { User } from "../store/users.js";

/** A user as the admin API shows it: balance, roles and counts (the key only where asked for). */
export interface AdminUserView {
  id: number;
  username: string;
  kudos: number;
  concurrency: number;
  trusted: boolean;
  moderator: boolean;
  flagged: boolean;
  deleted: boolean;
  workerInvited: number;
  anonymous: boolean;
  workerCount: number;
  /** Kudos spent on requests, and earned by the user's workers. */
  kudosConsumed: number;
  kudosEarned: number;
}

export function adminUserView(store: HordeStore, u: User): AdminUserView {
  return {
    id: u.id,
    username: u.username,
    kudos: Math.round(u.kudos * 100) / 100,
    concurrency: u.concurrency,
    trusted: u.trusted,
    moderator: u.moderator,
    flagged: u.flagged,
    deleted: u.deleted,
    workerInvited: u.workerInvited,
    anonymous: u.anonymous,
    workerCount: store.workers.ownedBy(u.id).length,
    kudosConsumed: Math.round(u.kudosConsumed * 100) / 100,
    kudosEarned: Math.round(u.kudosEarned * 100) / 100,
  };
}

/** Where a request ended up; each request is in exactly one of these. */
export type RequestOutcome = "active" | "done" | "cancelled" | "faulted" | "expired";

/** How many requests ended up in each outcome, and their total. */
export type OutcomeCounts = Record<RequestOutcome, number> & { total: number };

/** The horde's state in numbers (`admin.stats()`): above all, the requests never completed nor cancelled. */
export interface EmulatorStats {
  /**
   * Every request ever accepted, all kinds together (dry runs are not requests). `active`: not done,
   * cancelled, faulted nor expired; `done`: completed without a cancel; `cancelled`: with DELETE
   * (whether or not in-flight jobs finished afterwards); `expired`: deleted by expiry before completing
   * or being cancelled.
   */
  requests: OutcomeCounts;
  byKind: Record<RequestKind, OutcomeCounts>;
  /** Image and text jobs, summed over live requests (expired ones are gone, as on the server). */
  jobs: { waiting: number; processing: number; finished: number; restarted: number };
  /** Alchemy forms of live requests by state. */
  forms: { waiting: number; processing: number; done: number; cancelled: number; faulted: number };
  /**
   * Ids of requests never completed nor cancelled: still active, or expired unfinished within the last
   * hour (older expired requests are only counted, see EXPIRED_RECORD_RETENTION_MS).
   */
  orphaned: string[];
  /** How many requests were never completed nor cancelled: `orphaned`, plus older expired ones. */
  unfinished: number;
  workers: { total: number; active: number };
  users: number;
  r2Objects: number;
  /** How many records each of the horde's tables holds (what memory grows with). */
  tables: Record<string, number>;
}

/** One request as `admin.listRequests()` shows it. */
export interface RequestSummary {
  id: string;
  kind: RequestKind;
  userId: number;
  outcome: RequestOutcome;
  createdAt: number;
  expiresAt: number;
  /** Image and text: the progress counters; alchemy: forms by state. */
  progress: Record<string, number>;
}

/** One job (or alchemy form) as `admin.listJobs()` shows it. */
export interface JobSummary {
  id: string;
  kind: RequestKind;
  requestId: string;
  /** Image/text: processing, finished or faulted; alchemy forms: their state. */
  state: string;
  workerId: string | null;
  workerName: string | null;
  /** The model (image/text) or the form name (alchemy). */
  model: string;
  startedAt: number | null;
}

const zero = (): OutcomeCounts => ({ total: 0, active: 0, done: 0, cancelled: 0, faulted: 0, expired: 0 });

function genOutcome(store: HordeStore, req: GenRequest): RequestOutcome {
  if (req.faulted) return "faulted";
  if (req.cancelledAt !== null) return "cancelled";
  return isDone(req, counters(store, req)) ? "done" : "active";
}

function alchemyOutcome(i: Interrogation): RequestOutcome {
  if (i.cancelledAt !== null) return "cancelled";
  if (i.forms.length > 0 && i.forms.every((f) => f.state === "faulted")) return "faulted";
  return isInterrogationFinished(i) ? "done" : "active";
}

export function listRequests(store: HordeStore): RequestSummary[] {
  const out: RequestSummary[] = [];
  for (const req of store.requestsOf()) {
    out.push({
      id: req.id,
      kind: req.kind,
      userId: req.userId,
      outcome: genOutcome(store, req),
      createdAt: req.createdAt,
      expiresAt: req.expiresAt,
      progress: { ...counters(store, req) },
    });
  }
  for (const i of store.allInterrogations()) {
    const progress: Record<string, number> = { waiting: 0, processing: 0, done: 0, cancelled: 0, faulted: 0 };
    for (const f of i.forms) progress[f.state] = (progress[f.state] ?? 0) + 1;
    out.push({
      id: i.id,
      kind: "alchemy",
      userId: i.userId,
      outcome: alchemyOutcome(i),
      createdAt: i.createdAt,
      expiresAt: i.expiresAt,
      progress,
    });
  }
  for (const gone of store.expiredRequests()) {
    out.push({
      id: gone.id,
      kind: gone.kind,
      userId: gone.userId,
      outcome: expiredOutcome(gone),
      createdAt: gone.createdAt,
      expiresAt: gone.expiredAt,
      progress: {},
    });
  }
  return out.sort((a, b) => a.createdAt - b.createdAt);
}

export function listJobs(store: HordeStore): JobSummary[] {
  const out: JobSummary[] = [];
  for (const job of store.allJobs()) {
    out.push({
      id: job.id,
      kind: job.kind,
      requestId: job.requestId,
      state: jobState(job),
      workerId: job.workerId,
      workerName: job.workerName,
      model: job.model,
      startedAt: job.startedAt,
    });
  }
  for (const form of store.allForms()) {
    const worker = form.workerId ? store.workers.findById(form.workerId) : undefined;
    out.push({
      id: form.id,
      kind: "alchemy",
      requestId: form.interrogationId,
      state: form.state,
      workerId: form.workerId,
      workerName: worker?.name ?? null,
      model: form.name,
      startedAt: form.poppedAt,
    });
  }
  return out;
}

export function collectStats(store: HordeStore): EmulatorStats {
  const now = store.now();
  const requests = zero();
  const byKind: Record<RequestKind, OutcomeCounts> = { image: zero(), text: zero(), alchemy: zero() };
  const jobs = { waiting: 0, processing: 0, finished: 0, restarted: 0 };
  const forms = { waiting: 0, processing: 0, done: 0, cancelled: 0, faulted: 0 };
  const orphaned: string[] = [];

  for (const req of store.requestsOf()) {
    const c = counters(store, req);
    jobs.waiting += c.waiting;
    jobs.processing += c.processing;
    jobs.finished += c.finished;
    jobs.restarted += c.restarted;
  }
  for (const i of store.allInterrogations()) for (const f of i.forms) forms[f.state]++;
  for (const r of listRequests(store)) {
    requests[r.outcome]++;
    requests.total++;
    byKind[r.kind][r.outcome]++;
    byKind[r.kind].total++;
    if (r.outcome === "active" || r.outcome === "expired") orphaned.push(r.id);
  }
  let forgottenUnfinished = 0;
  for (const { kind, outcome, count } of store.forgottenRequests()) {
    requests[outcome] += count;
    requests.total += count;
    byKind[kind][outcome] += count;
    byKind[kind].total += count;
    if (outcome === "expired") forgottenUnfinished += count;
  }

  return {
    requests,
    byKind,
    jobs,
    forms,
    orphaned,
    unfinished: orphaned.length + forgottenUnfinished,
    workers: { total: store.workers.all().length, active: store.workers.active(now).length },
    users: store.users.all().length,
    r2Objects: store.r2.size,
    tables: store.sizes(),
  };
}
