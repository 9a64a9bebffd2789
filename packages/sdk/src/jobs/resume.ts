// Resume: what a job store holds, taken up again by a new process (after a crash, a reload, a SIGKILL). Each
// stored job of this server is looked at once: a finished one is handed back ready to collect, a running one
// re-attached (progress, wait, cancel), an expired one forgotten; a submit whose answer never arrived is
// looked for among the account's requests (lost.ts), and reported unknown where it cannot be told.
import { AIHordeRequestError } from "../core/errors.js";
import type { HordeResponse } from "../core/messages.js";
import type { StoredJob } from "../store/job-store.js";
import { type AlchemyJob, alchemyRecipe } from "./alchemy.js";
import { type ImageJob, imageRecipe } from "./image.js";
import { HordeJob, type JobKind } from "./job.js";
import { type JobRecord, progressSummary } from "./ledger.js";
import { LOOKUP_CACHE_MS, lookForRequest } from "./lost.js";
import type { JobHost, JobType } from "./options.js";
import type { PaceInput } from "./polling.js";
import { type TextJob, textRecipe } from "./text.js";

/** Options of `client.resumeJobs()`: which stored jobs to take up again, and whether to take them from another process. */
export interface ResumeOptions {
  /** Only these jobs: job-store keys or server request ids (default: every job of this client's server). */
  only?: readonly string[];
  /** Also take over jobs that another living process or tab still follows (default false: they are "held"). */
  takeOver?: boolean;
  signal?: AbortSignal;
}

interface ResumedBase {
  /** The job-store key. */
  readonly key: string;
  /** The entry as the store held it (its `meta` included). */
  readonly stored: StoredJob;
}

/** A job taken up again: `done` (its results wait on the server: `job.wait()` collects them) or `running`. */
interface Resumed<K extends JobType, J> extends ResumedBase {
  readonly kind: K;
  readonly state: "running" | "done";
  readonly job: J;
}

/**
 * A stored job that was not taken up:
 * - `expired`: the server no longer has it (20 minutes after its last activity), or it was never queued;
 *   removed from the store;
 * - `unknown`: its submit's answer never arrived and the request could not be identified; it may be running
 *   (kept in the store: a later resume looks again);
 * - `held`: another living process or tab follows it (see `takeOver`), or this client does. (Another client
 *   of the same process is not told apart from a dead one: resume at start-up, before new work.)
 * - `error`: the server could not be asked (`error`); kept in the store.
 */
export interface NotResumedJob extends ResumedBase {
  readonly kind: JobType;
  readonly state: "expired" | "unknown" | "held" | "error";
  readonly job: null;
  readonly reason: string;
  readonly error?: unknown;
}

/** What `client.resumeJobs()` gives back for each stored job: taken up again (with its job), or why not. */
export type ResumedJob =
  | Resumed<"image", ImageJob>
  | Resumed<"text", TextJob>
  | Resumed<"alchemy", AlchemyJob>
  | NotResumedJob;

/** A submit whose request could not be identified is forgotten after this long: no request lives so long unattended. */
export const UNIDENTIFIED_LIFETIME_MS = 2 * 60 * 60 * 1000;

const RECIPES = { image: imageRecipe, text: textRecipe, alchemy: alchemyRecipe } as const;

export async function resumeJobs(host: JobHost, options: ResumeOptions = {}): Promise<ResumedJob[]> {
  const ledger = host.jobLedger;
  const store = ledger.store;
  if (!store) return [];
  const only = options.only ? new Set(options.only) : undefined;
  const jobs = (await store.list()).filter(
    (job) =>
      job.baseUrl === ledger.context.baseUrl && (!only || only.has(job.key) || (job.id && only.has(job.id))),
  );
  const out: ResumedJob[] = [];
  // One at a time: lookups of lost submits must see the ids the others have just claimed.
  for (const stored of jobs) out.push(await resumeOne(host, stored, options));
  return out;
}

async function resumeOne(host: JobHost, stored: StoredJob, options: ResumeOptions): Promise<ResumedJob> {
  const ledger = host.jobLedger;
  const store = ledger.store;
  const not = (state: NotResumedJob["state"], reason: string, error?: unknown): NotResumedJob => ({
    key: stored.key,
    stored,
    kind: stored.kind,
    state,
    job: null,
    reason,
    ...(error === undefined ? {} : { error }),
  });
  if (ledger.isFollowing(stored.key)) return not("held", "this client follows it");
  const holder = stored.holder;
  if (!options.takeOver && holder && holder !== store?.holder && (await store?.holderAlive?.(holder))) {
    return not("held", `${holder} still follows it`);
  }
  const forget = async (reason: string) => {
    await store?.remove(stored.key);
    return not("expired", reason);
  };
  let id = stored.id;
  if (id === null) {
    if (stored.account !== ledger.context.account) {
      return not("unknown", "its submit's answer never arrived, and it was sent with another API key");
    }
    const now = ledger.context.clock.now();
    // The submit may have been answered up to the attempt timeout after it was sent; a listing is proof of
    // absence only once it is fresher than that (lost.ts).
    const result = await lookForRequest(ledger, stored.kind, stored.submittedAt + 30_000 + LOOKUP_CACHE_MS);
    if (result.found === null) {
      return forget(
        "its submit's answer never arrived and the account has no such request: never queued, or expired",
      );
    }
    if (result.found === undefined) {
      if (now - stored.submittedAt > UNIDENTIFIED_LIFETIME_MS) {
        return forget(
          `its submit's answer never arrived and ${result.why}; submitted too long ago to be running`,
        );
      }
      await store?.update(stored.key, { state: "unidentified", updatedAt: now });
      return not("unknown", `its submit's answer never arrived and ${result.why}; it may be running`);
    }
    id = result.found;
  }
  const recipe = RECIPES[stored.kind];
  const kind = recipe.kind(stored.expected, { download: stored.download }) as JobKind<
    HordeResponse & PaceInput,
    HordeResponse,
    unknown
  >;
  let snapshot: HordeResponse & PaceInput;
  try {
    snapshot = await host.submitRequest(
      kind.progressRequest(id),
      options.signal ? { signal: options.signal } : {},
    );
  } catch (error) {
    if (error instanceof AIHordeRequestError && error.status === 404) {
      return forget("the server no longer has it (a request expires 20 minutes after its last activity)");
    }
    return not("error", `the server could not be asked: ${(error as Error).message}`, error);
  }
  const record: JobRecord = ledger.adopt({ ...stored, id });
  await record.identified(id);
  const done = kind.isDone(snapshot);
  await record.progressed(progressSummary(snapshot, done, kind.isFaulted(snapshot)));
  const job = new HordeJob(host, kind, id, recipe.accepted.parse({ id }), {
    tracker: record,
    last: snapshot,
  });
  return { key: stored.key, stored, kind: stored.kind, state: done ? "done" : "running", job } as ResumedJob;
}
