import type { Clock } from "horde-sdk";
import { R2Store } from "../r2/store.js";
import type { AlchemyForm, Interrogation } from "./alchemy.js";
import { History } from "./history.js";
import type { Job } from "./jobs.js";
import type { GenKind, GenRequest } from "./requests.js";
import { Users } from "./users.js";
import { Workers } from "./workers.js";

export type RequestKind = GenKind | "alchemy";

/** What is left of a request after expiry deleted it: enough for the admin stats. */
export interface ExpiredRequest {
  id: string;
  kind: RequestKind;
  userId: number;
  createdAt: number;
  expiredAt: number;
  /** Whether it had reached `done` (or been cancelled) before it expired. */
  completed: boolean;
  cancelled: boolean;
  faulted: boolean;
}

/** The horde-wide switches of `/v2/status/modes` (§7). */
export interface HordeModes {
  maintenance: boolean;
  inviteOnly: boolean;
  raid: boolean;
}

/** The emulator's whole in-memory database. Everything time-related reads `now()` (the emulator clock). */
export class HordeState {
  readonly users: Users;
  readonly workers = new Workers();
  /** Image and text requests; each route looks up its own kind only (§1.5). */
  readonly requests = new Map<string, GenRequest>();
  readonly jobs = new Map<string, Job>();
  private readonly jobsByRequest = new Map<string, Job[]>();
  readonly interrogations = new Map<string, Interrogation>();
  readonly forms = new Map<string, AlchemyForm>();
  readonly expired = new Map<string, ExpiredRequest>();
  /** Dry-run estimates by a hash of the priced fields, shared by all users for 2 days (§1.1.2 step 3). */
  readonly dryRunCache = new Map<string, { kudos: number; expiresAt: number }>();
  readonly r2 = new R2Store();
  readonly history = new History();
  readonly modes: HordeModes = { maintenance: false, inviteOnly: false, raid: false };

  constructor(
    readonly clock: Clock,
    anonymousConcurrency: number,
  ) {
    this.users = new Users(anonymousConcurrency, () => this.clock.now());
  }

  now(): number {
    return this.clock.now();
  }

  reset(): void {
    this.users.reset();
    this.workers.reset();
    this.requests.clear();
    this.jobs.clear();
    this.jobsByRequest.clear();
    this.interrogations.clear();
    this.forms.clear();
    this.expired.clear();
    this.dryRunCache.clear();
    this.r2.reset();
    this.history.reset();
    Object.assign(this.modes, { maintenance: false, inviteOnly: false, raid: false });
  }

  /** The live request of that kind, or undefined (unknown, expired, or of the other kind). */
  findRequest<K extends GenKind>(kind: K, id: string): Extract<GenRequest, { kind: K }> | undefined {
    const req = this.requests.get(id);
    return req?.kind === kind ? (req as Extract<GenRequest, { kind: K }>) : undefined;
  }

  requestsOf<K extends GenKind>(kind: K): Extract<GenRequest, { kind: K }>[] {
    return [...this.requests.values()].filter((r): r is Extract<GenRequest, { kind: K }> => r.kind === kind);
  }

  addRequest(req: GenRequest): void {
    this.requests.set(req.id, req);
    this.jobsByRequest.set(req.id, []);
  }

  addJob(job: Job): void {
    this.jobs.set(job.id, job);
    this.jobsByRequest.get(job.requestId)?.push(job);
  }

  /** The request's jobs in creation order (the server's database order, §1.3). */
  jobsOf(req: GenRequest): readonly Job[] {
    return this.jobsByRequest.get(req.id) ?? [];
  }

  /** Deletes a request and its jobs, as the cleaner does at expiry; results in R2 stay until pruned. */
  deleteRequest(req: GenRequest, record: Omit<ExpiredRequest, "kind">): void {
    for (const job of this.jobsOf(req)) this.jobs.delete(job.id);
    this.jobsByRequest.delete(req.id);
    this.requests.delete(req.id);
    this.expired.set(req.id, { ...record, kind: req.kind });
  }

  addInterrogation(i: Interrogation): void {
    this.interrogations.set(i.id, i);
    for (const form of i.forms) this.forms.set(form.id, form);
  }

  deleteInterrogation(i: Interrogation, now: number): void {
    for (const form of i.forms) this.forms.delete(form.id);
    this.interrogations.delete(i.id);
    const states = i.forms.map((f) => f.state);
    this.expired.set(i.id, {
      id: i.id,
      kind: "alchemy",
      userId: i.userId,
      createdAt: i.createdAt,
      expiredAt: now,
      completed: states.every((s) => s !== "waiting" && s !== "processing"),
      cancelled: i.cancelledAt !== null,
      faulted: states.length > 0 && states.every((s) => s === "faulted"),
    });
  }
}
