// The job store: what a client remembers of the jobs it started, so that a process that dies (a crash, a
// reload, a SIGKILL) leaves nothing behind that a later one cannot collect or cancel. The client writes an
// entry before a submit is sent, completes it with the server's id, updates it on progress and removes it
// once the job is over (see docs/guides/durable-jobs.md).

/** The three kinds of job the horde runs (the same names as the jobs' `JobType`). */
export type StoredJobKind = "image" | "text" | "alchemy";

/**
 * - `submitting`: written before the submit was sent; no answer yet (or the process died waiting for it).
 * - `unidentified`: the submit's answer was lost and the request could not be told apart among the account's
 *   generations; it may be running.
 * - `running`: the server's id is known.
 */
export type StoredJobState = "submitting" | "unidentified" | "running";

/** The last progress seen of a job (image `/check`, text and alchemy `/status`). */
export interface StoredProgress {
  readonly finished: number;
  readonly processing: number;
  readonly waiting: number;
  readonly done: boolean;
  readonly faulted: boolean;
  readonly queue_position: number | null;
  readonly wait_time: number | null;
}

/** One job as a store holds it: plain JSON, no secret (the API key is only a fingerprint). */
export interface StoredJob {
  /** The client-side key, made before the submit is sent (a UUID). */
  readonly key: string;
  readonly kind: StoredJobKind;
  readonly state: StoredJobState;
  /** The server's request id; null until the submit's answer (or a lookup) told it. */
  readonly id: string | null;
  /** The API base URL the job was submitted to; a client resumes only its own server's jobs. */
  readonly baseUrl: string;
  /** A fingerprint of the API key that submitted it (never the key): lookups need the same account. */
  readonly account: string;
  /** Who follows the job (the store's `holder` of the process or page that wrote it last), if the store says. */
  readonly holder: string | null;
  /** When the submit was sent, and when the entry last changed (epoch ms, the client's clock). */
  readonly submittedAt: number;
  readonly updatedAt: number;
  /** Results asked for: images (`n`), texts (`n`), alchemy forms. */
  readonly expected: number;
  /** Whether result images are downloaded when the job finishes. */
  readonly download: boolean;
  readonly progress: StoredProgress | null;
  /** The application's own notes on the job (`SubmitJobOptions.meta`): JSON, given back on resume. */
  readonly meta: Readonly<Record<string, unknown>> | null;
}

/** What `update` may change. */
export type StoredJobPatch = Partial<Pick<StoredJob, "state" | "id" | "holder" | "updatedAt" | "progress">>;

/**
 * Where a client keeps its jobs (`new AIHordeAPIClient({ jobStore })`). Every method may be called by several
 * clients at once, in one process or several: implementations make each call atomic. Shipped: MemoryJobStore
 * (tests, one process), IndexedDBJobStore (browsers), FileJobStore (Node, `horde-sdk/node`).
 */
export interface JobStore {
  /** Names the writer (a process, a page) so that others can tell whether it still runs (`holderAlive`). */
  readonly holder?: string | undefined;
  /** Every job the store holds. */
  list(): Promise<StoredJob[]>;
  /** Adds a job (or replaces the one with its key). */
  put(job: StoredJob): Promise<void>;
  /** Changes a job that is still there; resolves to false (and adds nothing) when it is gone. */
  update(key: string, patch: StoredJobPatch): Promise<boolean>;
  /** Forgets a job (nothing happens when it is gone already). */
  remove(key: string): Promise<void>;
  /**
   * The ids of jobs removed in the last 30 minutes. The server lists an account's requests until they expire
   * (done ones included), so a lookup for a lost answer must not take one of these for the new request.
   */
  recentlyRemoved?(): Promise<string[]>;
  /** Whether the writer named `holder` still runs (then its jobs are its own to follow). */
  holderAlive?(holder: string): Promise<boolean>;
}

/** How long a removed job's id is remembered: the server keeps a request 20 minutes after its last activity, and its cleaner runs every minute. */
export const REMOVED_MEMORY_MS = 30 * 60 * 1000;

/** A fresh client-side key (a v4 UUID), from `crypto.getRandomValues` (also there on plain-http pages). */
export function newJobKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
