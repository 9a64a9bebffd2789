import type { Clock } from "horde-sdk";
import { R2Store } from "../r2/store.js";
import type { Job } from "./jobs.js";
import type { ImageRequest } from "./requests.js";
import { Users } from "./users.js";
import { Workers } from "./workers.js";

/** What is left of a request after expiry deleted it: enough for the admin stats. */
export interface ExpiredRequest {
  id: string;
  userId: number;
  createdAt: number;
  expiredAt: number;
  /** Whether it had reached `done` (or been cancelled) before it expired. */
  completed: boolean;
  cancelled: boolean;
  faulted: boolean;
}

/** The emulator's whole in-memory database. Everything time-related reads `now()` (the emulator clock). */
export class HordeState {
  readonly users: Users;
  readonly workers = new Workers();
  readonly requests = new Map<string, ImageRequest>();
  readonly jobs = new Map<string, Job>();
  private readonly jobsByRequest = new Map<string, Job[]>();
  readonly expired = new Map<string, ExpiredRequest>();
  /** Dry-run estimates by a hash of the priced fields, shared by all users for 2 days (§1.1.2 step 3). */
  readonly dryRunCache = new Map<string, { kudos: number; expiresAt: number }>();
  readonly r2 = new R2Store();

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
    this.expired.clear();
    this.dryRunCache.clear();
    this.r2.reset();
  }

  addRequest(req: ImageRequest): void {
    this.requests.set(req.id, req);
    this.jobsByRequest.set(req.id, []);
  }

  addJob(job: Job): void {
    this.jobs.set(job.id, job);
    this.jobsByRequest.get(job.requestId)?.push(job);
  }

  /** The request's jobs in creation order (the server's database order, §1.3). */
  jobsOf(req: ImageRequest): readonly Job[] {
    return this.jobsByRequest.get(req.id) ?? [];
  }

  /** Deletes a request and its jobs, as the cleaner does at expiry; results in R2 stay until pruned. */
  deleteRequest(req: ImageRequest, record: ExpiredRequest): void {
    for (const job of this.jobsOf(req)) this.jobs.delete(job.id);
    this.jobsByRequest.delete(req.id);
    this.requests.delete(req.id);
    this.expired.set(req.id, record);
  }
}
