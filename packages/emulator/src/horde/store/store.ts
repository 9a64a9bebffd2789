/**
 * The horde's whole in-memory database. Its tables are private: the domain reads and writes them through
 * these methods, so one place keeps the indexes (jobs by request, forms by id) and the expiry records
 * consistent. Everything time-related reads `now()` (the emulator's clock).
 */
import type { Clock } from "horde-sdk";
import type { EmulatorLogger } from "../../logger.js";
import { R2Store } from "./bucket.js";
import { History } from "./history.js";
import type { AlchemyForm, Interrogation } from "./interrogations.js";
import type { Job } from "./jobs.js";
import { WorkerMessages } from "./messages.js";
import type { GenKind, GenRequest } from "./requests.js";
import { SharedKeys } from "./sharedkeys.js";
import { Styles } from "./styles.js";
import { Teams } from "./teams.js";
import { KudosTransfers } from "./transfers.js";
import { Users } from "./users.js";
import { type WebhookOptions, WebhookSender } from "./webhooks.js";
import { Workers } from "./workers.js";

export type RequestKind = GenKind | "alchemy";

/** Where an expired request had got to; "expired" when it never completed, nor was cancelled or faulted. */
export type ExpiredOutcome = "done" | "cancelled" | "faulted" | "expired";

/**
 * How long the admin views keep an expired request one by one. The server keeps nothing of it; the
 * emulator keeps this much for `listRequests()` and the orphan ids, then only counts it, so a long run's
 * memory does not grow with its traffic (DEVIATION(docs/server/deviations.md#records-kept-for-the-admin-views)).
 */
export const EXPIRED_RECORD_RETENTION_MS = 60 * 60_000;

export function expiredOutcome(gone: ExpiredRequest): ExpiredOutcome {
  if (gone.faulted) return "faulted";
  if (gone.cancelled) return "cancelled";
  return gone.completed ? "done" : "expired";
}

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

/** The horde-wide switches of `/v2/status/modes` (docs/server/directory.md#directory). */
export interface HordeModes {
  maintenance: boolean;
  inviteOnly: boolean;
  raid: boolean;
}

const NO_MODES: HordeModes = { maintenance: false, inviteOnly: false, raid: false };

export interface HordeStoreOptions {
  /** Concurrency of the shared anonymous account (docs/server/rate-limits.md#concurrency). */
  anonymousConcurrency: number;
  logger: EmulatorLogger;
  /** How webhooks are delivered (docs/server/image-requests.md#webhooks). */
  webhooks?: WebhookOptions;
}

export class HordeStore {
  readonly users: Users;
  readonly workers = new Workers();
  readonly r2 = new R2Store();
  readonly history = new History();
  readonly sharedKeys = new SharedKeys();
  readonly teams = new Teams();
  readonly styles = new Styles();
  readonly messages = new WorkerMessages();
  readonly transfers = new KudosTransfers();
  readonly logger: EmulatorLogger;
  readonly webhooks: WebhookSender;
  /** Image and text requests; each kind's routes look up their own kind only (docs/server/image-requests.md#expiry). */
  private readonly requests = new Map<string, GenRequest>();
  private readonly jobs = new Map<string, Job>();
  private readonly jobsByRequest = new Map<string, Job[]>();
  private readonly interrogations = new Map<string, Interrogation>();
  private readonly forms = new Map<string, AlchemyForm>();
  private readonly expired = new Map<string, ExpiredRequest>();
  /** Expired requests past their retention, counted by kind and outcome. */
  private forgotten = new Map<string, number>();
  /** Dry-run estimates by a hash of the priced fields, shared by all users for 2 days (docs/server/image-requests.md#submit-order step 3). */
  private readonly dryRuns = new Map<string, { kudos: number; expiresAt: number }>();
  /** IPs whose requests get the whitelisted rate limits, until when (docs/server/rate-limits.md#mechanics). */
  private readonly whitelistedIps = new Map<string, number>();
  /** `is_possible` verdicts by request id, remembered for a minute (docs/server/progress.md#counters). */
  private readonly verdicts = new Map<string, { possible: boolean; until: number }>();
  private currentModes: HordeModes = { ...NO_MODES };

  constructor(
    readonly clock: Clock,
    options: HordeStoreOptions,
  ) {
    this.users = new Users(options.anonymousConcurrency, () => this.clock.now());
    this.logger = options.logger;
    this.webhooks = new WebhookSender(options.webhooks ?? {}, options.logger);
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * Forgets every request, job, worker, R2 object, user (the anonymous one is made anew), shared key,
   * team, style, worker message, kudos transfer and mode.
   */
  reset(): void {
    this.users.reset();
    this.webhooks.clear();
    this.workers.reset();
    this.sharedKeys.reset();
    this.teams.reset();
    this.styles.reset();
    this.messages.reset();
    this.transfers.reset();
    this.requests.clear();
    this.jobs.clear();
    this.jobsByRequest.clear();
    this.interrogations.clear();
    this.forms.clear();
    this.expired.clear();
    this.forgotten.clear();
    this.dryRuns.clear();
    this.verdicts.clear();
    this.whitelistedIps.clear();
    this.r2.reset();
    this.history.reset();
    this.currentModes = { ...NO_MODES };
  }

  get modes(): Readonly<HordeModes> {
    return this.currentModes;
  }

  setModes(modes: Partial<HordeModes>): HordeModes {
    for (const k of ["maintenance", "inviteOnly", "raid"] as const) {
      if (typeof modes[k] === "boolean") this.currentModes[k] = modes[k];
    }
    return { ...this.currentModes };
  }

  // Image and text requests, and their jobs.

  /** The live request of that kind, or undefined (unknown, expired, or of the other kind). */
  findRequest<K extends GenKind>(kind: K, id: string): Extract<GenRequest, { kind: K }> | undefined {
    const req = this.requests.get(id);
    return req?.kind === kind ? (req as Extract<GenRequest, { kind: K }>) : undefined;
  }

  /** Live requests of one kind, or of both, in creation order. */
  requestsOf<K extends GenKind>(kind: K): Extract<GenRequest, { kind: K }>[];
  requestsOf(kind?: GenKind): GenRequest[];
  requestsOf(kind?: GenKind): GenRequest[] {
    const all = [...this.requests.values()];
    return kind === undefined ? all : all.filter((r) => r.kind === kind);
  }

  addRequest(req: GenRequest): void {
    this.requests.set(req.id, req);
    this.jobsByRequest.set(req.id, []);
  }

  /** Deletes a request and its jobs, as the cleaner does at expiry; results in R2 stay until pruned. */
  deleteRequest(req: GenRequest, record: Omit<ExpiredRequest, "kind">): void {
    for (const job of this.jobsOf(req)) this.jobs.delete(job.id);
    this.jobsByRequest.delete(req.id);
    this.requests.delete(req.id);
    this.verdicts.delete(req.id);
    this.expired.set(req.id, { ...record, kind: req.kind });
  }

  findJob(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** The request a job belongs to, while it lives. */
  requestOf(job: Job): GenRequest | undefined {
    return this.requests.get(job.requestId);
  }

  addJob(job: Job): void {
    this.jobs.set(job.id, job);
    this.jobsByRequest.get(job.requestId)?.push(job);
  }

  /** The request's jobs in creation order (the server's database order, docs/server/image-requests.md#status). */
  jobsOf(req: GenRequest): readonly Job[] {
    return this.jobsByRequest.get(req.id) ?? [];
  }

  /** Every job of live requests, in creation order. */
  allJobs(): Job[] {
    return [...this.jobs.values()];
  }

  // Alchemy requests and their forms.

  findInterrogation(id: string): Interrogation | undefined {
    return this.interrogations.get(id);
  }

  /** Live alchemy requests, in creation order. */
  allInterrogations(): Interrogation[] {
    return [...this.interrogations.values()];
  }

  addInterrogation(i: Interrogation): void {
    this.interrogations.set(i.id, i);
    for (const form of i.forms) this.forms.set(form.id, form);
  }

  findForm(id: string): AlchemyForm | undefined {
    return this.forms.get(id);
  }

  /** Every form of live alchemy requests. */
  allForms(): AlchemyForm[] {
    return [...this.forms.values()];
  }

  deleteInterrogation(i: Interrogation, record: Omit<ExpiredRequest, "kind">): void {
    for (const form of i.forms) this.forms.delete(form.id);
    this.interrogations.delete(i.id);
    this.expired.set(i.id, { ...record, kind: "alchemy" });
  }

  /** Requests that expiry deleted within the retention, of every kind. */
  expiredRequests(): ExpiredRequest[] {
    return [...this.expired.values()];
  }

  /** Expired requests past the retention: how many of each kind ended each way. */
  forgottenRequests(): { kind: RequestKind; outcome: ExpiredOutcome; count: number }[] {
    return [...this.forgotten].map(([key, count]) => {
      const [kind, outcome] = key.split(":") as [RequestKind, ExpiredOutcome];
      return { kind, outcome, count };
    });
  }

  /**
   * Drops what time has made useless, on the server's schedule: dry-run estimates after 2 days, R2
   * objects 120 minutes after upload, the record of an expired request after its retention, delivery
   * history into hourly tallies. Every collection is kept in time order, so each stops at its first young entry.
   */
  prune(now: number): void {
    this.pruneDryRuns(now);
    this.r2.prune(now);
    this.history.prune(now);
    for (const [id, gone] of this.expired) {
      if (now - gone.expiredAt < EXPIRED_RECORD_RETENTION_MS) break;
      this.expired.delete(id);
      const key = `${gone.kind}:${expiredOutcome(gone)}`;
      this.forgotten.set(key, (this.forgotten.get(key) ?? 0) + 1);
    }
  }

  /** How many records each table holds: what a long run watches to see memory stay bounded. */
  sizes(): Record<string, number> {
    return {
      requests: this.requests.size,
      jobs: this.jobs.size,
      interrogations: this.interrogations.size,
      forms: this.forms.size,
      expiredRecords: this.expired.size,
      dryRuns: this.dryRuns.size,
      r2Objects: this.r2.size,
      deliveryHistory: this.history.size,
      users: this.users.all().length,
      workers: this.workers.all().length,
    };
  }

  // The dry-run cache (docs/server/image-requests.md#submit-order step 3).

  cachedDryRun(key: string): number | undefined {
    return this.dryRuns.get(key)?.kudos;
  }

  cacheDryRun(key: string, kudos: number, expiresAt: number): void {
    this.dryRuns.set(key, { kudos, expiresAt });
  }

  /** Drops the estimates that expired by `now`. */
  private pruneDryRuns(now: number): void {
    for (const [key, entry] of this.dryRuns) if (entry.expiresAt <= now) this.dryRuns.delete(key);
  }

  // Remembered `is_possible` verdicts (docs/server/progress.md#counters).

  /** The verdict remembered for a request, if it is still fresh at `now`. */
  rememberedVerdict(id: string, now: number): boolean | undefined {
    const v = this.verdicts.get(id);
    return v && v.until > now ? v.possible : undefined;
  }

  rememberVerdict(id: string, possible: boolean, until: number): void {
    this.verdicts.set(id, { possible, until });
  }

  // The limiter's dynamic IP whitelist (docs/server/rate-limits.md#mechanics).

  whitelistIp(ip: string, until: number): void {
    this.whitelistedIps.set(ip, until);
  }

  isIpWhitelisted(ip: string, now: number): boolean {
    const until = this.whitelistedIps.get(ip);
    return until !== undefined && until > now;
  }
}
