// A submit whose answer was lost — no answer, an unreadable body, a 5xx that a proxy may have sent after the
// server queued it — may be running and charging the account. It is never sent again (that could run it
// twice); instead the new request is looked for among the account's requests (`/v2/find_user`
// `active_generations`), told apart from every request this client (or its store) already knows.
//
// What the real server lists (docs/server/directory.md#user-details): image and text requests, done ones
// included, until they expire; never alchemy; nothing for the anonymous key; nothing for a shared key. Its
// answer is cached 30 s per key, so a request made within the last 30 s may not be listed yet: "not listed"
// means "not queued" only from a lookup made more than 30 s after the submit.
import { HordeConnectionError, HordeLostSubmitError, HordeTimeoutError } from "../core/errors.js";
import type { JobLedger } from "./ledger.js";
import type { JobType } from "./options.js";

/** find_user answers are cached this long (docs/server/directory.md#find-user), plus a margin. */
export const LOOKUP_CACHE_MS = 35_000;

/** Gaps between lookups: one at once, then at +2, +5, +10, +20, +35 s… */
const LOOKUP_GAPS_MS = [2_000, 3_000, 5_000, 10_000, 15_000];

export type LookupResult =
  /** Exactly one request of the account is nobody else's: this one. */
  | { found: string }
  /** A fresh enough listing has no new request: nothing was queued (or it is gone). */
  | { found: null }
  /** Cannot tell: the account's requests cannot be listed, or several could be it. */
  | { found: undefined; why: string; candidates: string[] };

/**
 * Looks for the request of a submit whose answer was lost, until `conclusiveAt` (epoch ms on the ledger's
 * clock; at least one lookup). Not abortable: a caller who gave up still needs the request found to cancel it.
 */
export async function lookForRequest(
  ledger: JobLedger,
  kind: JobType,
  conclusiveAt: number,
): Promise<LookupResult> {
  const { clock, logger, anonymous } = ledger.context;
  if (anonymous) {
    return {
      found: undefined,
      why: "the anonymous key is shared by everyone, so its requests cannot be listed",
      candidates: [],
    };
  }
  let candidates: string[] = [];
  let listed = false;
  for (let round = 0; ; round++) {
    let ids: string[] | null | undefined;
    try {
      ids = await ledger.context.activeGenerations(kind);
    } catch (error) {
      logger.warn(`could not list the account's ${kind} requests: ${(error as Error).message}`);
      // No answer even after the pipeline's retries: the server cannot be asked now. What the store keeps
      // (resumeJobs) asks again later, rather than this submit holding its caller for the whole window.
      if (error instanceof HordeConnectionError || error instanceof HordeTimeoutError) {
        return {
          found: undefined,
          why: "the server could not be asked",
          candidates: [],
        };
      }
    }
    if (ids === null) {
      return {
        found: undefined,
        why: "the server does not list this key's requests (a shared key?)",
        candidates: [],
      };
    }
    // Other submits of this client still on the wire would look like strangers: wait for their answers.
    if (ids && ledger.submitsInFlight(kind) === 0) {
      const known = await ledger.knownIds();
      candidates = ids.filter((id) => !known.has(id) && !ledger.isKnown(id));
      listed = true;
      const [only] = candidates;
      if (only !== undefined && candidates.length === 1) {
        ledger.learn(only); // claimed: a concurrent lookup must not take it too
        return { found: only };
      }
    }
    const gap = LOOKUP_GAPS_MS[Math.min(round, LOOKUP_GAPS_MS.length - 1)] as number;
    if (clock.now() >= conclusiveAt) break;
    await clock.sleep(Math.min(gap, Math.max(0, conclusiveAt - clock.now())));
  }
  // The server never lists alchemy requests: their absence proves nothing.
  if (listed && candidates.length === 0 && kind !== "alchemy") return { found: null };
  const why =
    candidates.length > 1
      ? `${candidates.length} requests of the account could be it`
      : listed
        ? `the server does not list ${kind} requests`
        : "the account's requests could not be listed";
  return { found: undefined, why, candidates };
}

/** The error for a request that may be running but could not be identified. */
export function lostSubmitError(
  kind: JobType,
  key: string | null,
  result: { why: string; candidates: string[] },
  cause: unknown,
): HordeLostSubmitError {
  const keep = key ? `; the job store keeps it as ${key} (client.resumeJobs() looks again)` : "";
  return new HordeLostSubmitError(
    `the answer to the ${kind} submit was lost (${(cause as Error)?.message ?? String(cause)}) and its request could not be identified: ${result.why}. It may be running${keep}`,
    kind,
    key,
    result.candidates,
    result.why,
    { cause },
  );
}
