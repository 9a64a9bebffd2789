// What a client knows of the jobs it starts: the ids it has learned, the submits it has on the wire, the jobs
// it follows — and, when it has one, the job store that keeps all of it beyond the process's life. A job's
// `JobRecord` is its entry: written before the submit is sent, completed with the server's id, updated on
// progress, removed once the job is over.
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/logger.js";
import {
  type JobStore,
  newJobKey,
  REMOVED_MEMORY_MS,
  type StoredJob,
  type StoredJobKind,
  type StoredJobPatch,
  type StoredProgress,
} from "../store/job-store.js";

/** The jobs' JobType, by its store name (options.ts, where JobType lives, imports this file). */
type JobType = StoredJobKind;

/** Where the client runs its jobs: the server, the account, and how to list the account's requests. */
export interface LedgerContext {
  readonly baseUrl: string;
  /** A fingerprint of the API key. */
  readonly account: string;
  /** The anonymous key is everyone's: its requests cannot be told apart (and the server lists none). */
  readonly anonymous: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The account's request ids of `kind` (`/v2/find_user` `active_generations`); null when the server does
   * not list them for this key (a shared key sees only the owner's public details).
   */
  activeGenerations(kind: JobType, signal?: AbortSignal): Promise<string[] | null>;
}

/** What a job reports to its entry (HordeJob calls it; store errors are logged, never thrown). */
export interface JobTracker {
  /** A progress snapshot came in. */
  progressed(progress: StoredProgress): Promise<void>;
  /** The job is over: done and collected, cancelled, faulted or expired. */
  ended(): Promise<void>;
}

export class JobLedger {
  readonly store: JobStore | undefined;
  readonly context: LedgerContext;
  /** Ids this client learned (submitted, found, resumed), with when: they are not someone else's request. */
  readonly #known = new Map<string, number>();
  /** Submits on the wire, per kind: their requests exist on the server before their ids are known here. */
  readonly #inFlight = new Map<JobType, number>();
  /** Store keys of the jobs this client follows right now. */
  readonly #following = new Set<string>();

  constructor(store: JobStore | undefined, context: LedgerContext) {
    this.store = store;
    this.context = context;
  }

  /** A new job's entry, written to the store before its submit is sent; the submit counts as on the wire. */
  async begin(
    kind: JobType,
    details: { expected: number; download: boolean; meta?: Record<string, unknown> | undefined },
  ): Promise<JobRecord> {
    const now = this.context.clock.now();
    const job: StoredJob = {
      key: newJobKey(),
      kind,
      state: "submitting",
      id: null,
      baseUrl: this.context.baseUrl,
      account: this.context.account,
      holder: this.store?.holder ?? null,
      submittedAt: now,
      updatedAt: now,
      expected: details.expected,
      download: details.download,
      progress: null,
      meta: details.meta ? (JSON.parse(JSON.stringify(details.meta)) as Record<string, unknown>) : null,
    };
    // Before anything is sent: a store that cannot be written fails the submit, which then never happens.
    await this.store?.put(job);
    this.#inFlight.set(kind, (this.#inFlight.get(kind) ?? 0) + 1);
    return new JobRecord(this, job, true);
  }

  /** The entry of a stored job this client takes over (resumeJobs). */
  adopt(job: StoredJob): JobRecord {
    return new JobRecord(this, job, false);
  }

  /** Whether other submits of `kind` are on the wire (their requests may be listed before their ids are known). */
  submitsInFlight(kind: JobType): number {
    return this.#inFlight.get(kind) ?? 0;
  }

  settle(kind: JobType): void {
    this.#inFlight.set(kind, Math.max(0, (this.#inFlight.get(kind) ?? 0) - 1));
  }

  learn(id: string): void {
    const now = this.context.clock.now();
    this.#known.set(id, now);
    for (const [known, at] of this.#known) if (now - at > REMOVED_MEMORY_MS) this.#known.delete(known);
  }

  isKnown(id: string): boolean {
    return this.#known.has(id);
  }

  /** Every id that is not a stranger's: learned here, held by the store, or removed from it lately. */
  async knownIds(): Promise<Set<string>> {
    const ids = new Set(this.#known.keys());
    if (this.store) {
      const [jobs, removed] = await Promise.all([
        this.store.list(),
        this.store.recentlyRemoved?.() ?? Promise.resolve([]),
      ]);
      for (const job of jobs) if (job.id) ids.add(job.id);
      for (const id of removed) ids.add(id);
    }
    return ids;
  }

  isFollowing(key: string): boolean {
    return this.#following.has(key);
  }

  follow(key: string, on: boolean): void {
    if (on) this.#following.add(key);
    else this.#following.delete(key);
  }
}

/** One job's entry in the ledger (and in the store, when there is one). */
export class JobRecord implements JobTracker {
  readonly #ledger: JobLedger;
  #job: StoredJob;
  #inFlight: boolean;

  constructor(ledger: JobLedger, job: StoredJob, inFlight: boolean) {
    this.#ledger = ledger;
    this.#job = job;
    this.#inFlight = inFlight;
    ledger.follow(job.key, true);
    if (job.id) ledger.learn(job.id);
  }

  get key(): string {
    return this.#job.key;
  }

  get stored(): StoredJob {
    return this.#job;
  }

  /** The submit's answer came (or failed): it is no longer on the wire. */
  settled(): void {
    if (!this.#inFlight) return;
    this.#inFlight = false;
    this.#ledger.settle(this.#job.kind);
  }

  /** The server's id is known (from the answer, a lookup, or the store). */
  async identified(id: string): Promise<void> {
    this.#ledger.learn(id);
    await this.#update({ id, state: "running", holder: this.#ledger.store?.holder ?? null });
  }

  /** The answer was lost and the request could not be identified: kept for a later resume, not followed here. */
  async unidentified(): Promise<void> {
    this.#ledger.follow(this.key, false);
    await this.#update({ state: "unidentified" });
  }

  async progressed(progress: StoredProgress): Promise<void> {
    const before = this.#job.progress;
    if (before && Object.entries(progress).every(([k, v]) => before[k as keyof StoredProgress] === v)) return;
    await this.#update({ progress });
  }

  async ended(): Promise<void> {
    this.settled();
    this.#ledger.follow(this.key, false);
    const store = this.#ledger.store;
    if (!store) return;
    await store.remove(this.key).catch((error: unknown) => this.#warn("remove", error));
  }

  async #update(patch: StoredJobPatch): Promise<void> {
    this.#job = { ...this.#job, ...patch, updatedAt: this.#ledger.context.clock.now() };
    const store = this.#ledger.store;
    if (!store) return;
    const { state, id, holder, progress, updatedAt } = this.#job;
    await store
      .update(this.key, { state, id, holder, progress, updatedAt })
      .catch((error: unknown) => this.#warn("update", error));
  }

  #warn(what: string, error: unknown): void {
    // The job itself goes on: a store that fails must not lose a job the process still follows.
    this.#ledger.context.logger.error(
      `job store: could not ${what} job ${this.#job.id ?? this.key}: ${(error as Error)?.message ?? String(error)}`,
    );
  }
}

/**
 * A progress snapshot as the store keeps it: the counters of image `/check` and text `/status`, or for alchemy
 * (whose status counts forms, not jobs) the forms by state.
 */
export function progressSummary(snapshot: object, done: boolean, faulted: boolean): StoredProgress {
  const s = snapshot as Record<string, unknown>;
  const forms = Array.isArray(s.forms) ? (s.forms as { state?: unknown }[]) : null;
  const count = (field: string, ...formStates: string[]): number => {
    const value = s[field];
    if (typeof value === "number") return value;
    return forms ? forms.filter((f) => formStates.includes(String(f.state))).length : 0;
  };
  const orNull = (value: unknown) => (typeof value === "number" ? value : null);
  return {
    finished: count("finished", "done", "faulted", "cancelled"),
    processing: count("processing", "processing"),
    waiting: count("waiting", "waiting"),
    done,
    faulted,
    queue_position: orNull(s.queue_position),
    wait_time: orNull(s.wait_time),
  };
}
