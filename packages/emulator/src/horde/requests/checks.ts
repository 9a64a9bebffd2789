/**
 * The checks every generation request goes through, in the server's order
 * (docs/server/image-requests.md#submit-order step 5; `GenerateTemplate`),
 * plus the concurrency rule (docs/server/rate-limits.md#concurrency) and the kudos a user may spend up front
 * (docs/server/kudos.md#upfront-kudos).
 *
 * Left out: IP timeouts and the prompt filter (the emulator has no IP reputation and no word lists).
 */
import { err, HordeError } from "../errors.js";
import { counters, isDone } from "../progress.js";
import type { GenKind } from "../store/requests.js";
import type { SharedKey } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import { type Requester, resolveRequester } from "./requester.js";

export interface CommonInput {
  kind: GenKind;
  apikey: string;
  webhook?: string;
  proxiedAccount?: string;
  extraSourceImages: number;
  prompt: string;
  workers: readonly string[];
  n: number;
  disableBatching: boolean;
  models: readonly string[];
  /** The horde is in maintenance for this request (the mode, or a `maintenance` fault). */
  maintenance: boolean;
  /** The shared key of the request's style, when it can pay. */
  styleKey: SharedKey | null;
  allowDowngrade: boolean;
}

export const maintenanceError = () =>
  // QUIRK(docs/server/errors.md#return-codes): maintenance mode is a 400, not the 503 the swagger documents.
  new HordeError(
    400,
    "MaintenanceMode",
    "Horde is currently in maintenance mode. Please try again later or check the #news channel.",
  );

export function commonValidation(store: HordeStore, input: CommonInput): Requester {
  if (input.maintenance) throw maintenanceError();
  if (input.webhook !== undefined && !input.webhook.startsWith("https://")) {
    throw err.badRequest("webhook URL has to be https");
  }
  const requester = resolveRequester(store, input.apikey, input.styleKey, input.allowDowngrade);
  const { user } = requester;
  if (input.proxiedAccount !== undefined && !user.service) {
    throw err.badRequest("Only service accounts can proxy other accounts.", "OnlyServiceAccountProxy");
  }
  if (user.deleted) throw err.forbidden("This user has been deleted.", "DeletedUser");
  if (input.extraSourceImages > 5) {
    // QUIRK(docs/server/errors.md#return-codes): both extra-source-image rcs end with a dot.
    throw err.badRequest("You can send at most 5 extra source images.", "TooManyExtraSourceImages.");
  }
  if (input.extraSourceImages > 1 && !user.trusted) {
    throw err.badRequest(
      "Only trusted users can send more than 1 extra source image.",
      "MoreThanMinExtraSourceImage.",
    );
  }
  if (input.prompt === "") throw err.badRequest("You cannot specify an empty prompt.", "MissingPrompt");
  for (const id of input.workers) {
    if (!store.workers.findById(id))
      throw err.notFound(`Worker with ID '${id}' not found.`, "WorkerNotFound");
  }
  if (input.n > 1 && input.disableBatching && !user.trusted) {
    throw err.badRequest("Only trusted users can disable batching for more than 1 image.", "RequiresTrust");
  }
  checkConcurrency(store, user, input);
  return requester;
}

/**
 * docs/server/rate-limits.md#concurrency: the jobs not yet popped of this user's unfaulted requests of the
 * same kind, plus the new ones,
 * must fit the user's concurrency. For the shared anonymous account only requests sharing a model with
 * the new one count (all of them when it names no model).
 */
function checkConcurrency(store: HordeStore, user: User, input: CommonInput): void {
  let waiting = 0;
  for (const r of store.requestsOf(input.kind)) {
    if (r.userId !== user.id || r.faulted || r.remaining < 1) continue;
    if (user.anonymous && input.models.length > 0 && !r.models.some((m) => input.models.includes(m)))
      continue;
    waiting += r.remaining;
  }
  if (waiting + input.n <= user.concurrency) return;
  throw tooManyPrompts(user, waiting);
}

export function tooManyPrompts(user: User, waiting: number, limit = user.concurrency): HordeError {
  const advice = user.anonymous
    ? "Please register at https://aihorde.net/register to get your own, larger concurrency."
    : "Please wait for some of your requests to finish before sending more.";
  return new HordeError(
    429,
    "TooManyPrompts",
    `Parallel requests (${waiting}) exceeded user limit (${limit}). ${advice}`,
  );
}

/** Kudos a user can commit up front (docs/server/kudos.md#upfront-kudos): balance − floor − the holds of their live, unfinished requests. */
export function availableKudos(store: HordeStore, user: User): number {
  let held = 0;
  for (const r of store.requestsOf()) {
    if (r.userId !== user.id || r.upfrontHold === 0) continue;
    if (!isDone(r, counters(store, r))) held += r.upfrontHold;
  }
  return user.kudos - user.kudosFloor - held;
}

export function activeThreads(store: HordeStore, kind: GenKind): number {
  return store.workers.active(store.now(), kind).reduce((sum, w) => sum + w.threads, 0);
}
