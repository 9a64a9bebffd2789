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
  /** The client's IP: trusted, education and service users get it whitelisted by the limiter. */
  ip: string;
  webhook?: string;
  proxiedAccount?: string;
  extraSourceImages: number;
  prompt: string;
  workers: readonly string[];
  n: number;
  disableBatching: boolean;
  /** The `models` as sent (an anonymous requester's concurrency counts only requests sharing one). */
  models: readonly string[];
  /** The horde is in maintenance for this request (the mode, or a `maintenance` fault). */
  maintenance: boolean;
  /** The shared key of the request's style, when it can pay. */
  styleKey: SharedKey | null;
  allowDowngrade: boolean;
}

/** The name the server gives itself in its messages. */
export const HORDE_TITLE = "AI Horde";

/** How long a trusted requester's IP keeps the whitelisted rate limits (docs/server/rate-limits.md#mechanics). */
export const IP_WHITELIST_MS = 24 * 3600_000;

export const maintenanceError = () =>
  // QUIRK(docs/server/errors.md#return-codes): maintenance mode is a 400, not the 503 the swagger documents.
  new HordeError(
    400,
    "MaintenanceMode",
    `${HORDE_TITLE} has entered maintenance mode. Please try again later.`,
  );

/** The common checks of an image or text request, in the server's order; the requester. */
export function commonValidation(store: HordeStore, input: CommonInput): Requester {
  if (input.maintenance) throw maintenanceError();
  if (input.webhook && !store.webhooks.accepts(input.webhook)) {
    throw err.badRequest("webhooks need to point to an https endpoint.");
  }
  const requester = resolveRequester(store, input.apikey, input.styleKey, input.allowDowngrade);
  const { user } = requester;
  if (input.proxiedAccount && !user.service) {
    throw err.badRequest(
      "Only service accounts can provide a proxied_account value.",
      "OnlyServiceAccountProxy",
    );
  }
  if (user.deleted) throw err.deletedUser();
  // QUIRK(docs/server/errors.md#return-codes): both extra-source-image rcs end with a dot.
  if (input.extraSourceImages > 5) {
    throw err.badRequest("You can send a maximum of 5 extra source images.", "TooManyExtraSourceImages.");
  }
  if (input.extraSourceImages > 1 && !user.trusted) {
    throw err.badRequest(
      "Only trusted users and patrons can send more than 1 extra source images.",
      "MoreThanMinExtraSourceImage.",
    );
  }
  // docs/server/rate-limits.md#mechanics: the limiter treats this IP as a service's for a day.
  if (user.education || user.trusted || user.service) {
    store.whitelistIp(input.ip, store.now() + IP_WHITELIST_MS);
  }
  if (input.prompt === "") throw err.badRequest("You cannot specify an empty prompt.", "MissingPrompt");
  const waiting = waitingJobs(store, user, input);
  for (const id of input.workers) {
    if (!store.workers.findById(id))
      throw err.notFound(`Worker with ID '${id}' not found.`, "WorkerNotFound");
  }
  if (input.n > 1 && input.disableBatching && !user.trusted) {
    throw err.badRequest("Only trusted users and patreon supporters can disable batching.", "RequiresTrust");
  }
  if (waiting + input.n > user.concurrency) throw tooManyPrompts(user, waiting + input.n, user.concurrency);
  return requester;
}

/**
 * docs/server/rate-limits.md#concurrency: the jobs not yet popped of this user's unfaulted requests of the
 * same kind. For the shared anonymous account with `models`, only active requests naming one of them
 * count, once per matching model (the server sums over a join of requests and their models).
 */
function waitingJobs(store: HordeStore, user: User, input: CommonInput): number {
  let waiting = 0;
  for (const r of store.requestsOf(input.kind)) {
    if (r.userId !== user.id || r.faulted || r.remaining < 1) continue;
    if (user.anonymous && input.models.length > 0) {
      waiting += r.remaining * r.models.filter((m) => input.models.includes(m)).length;
    } else waiting += r.remaining;
  }
  return waiting;
}

/** 429 `TooManyPrompts`: `count` is the requests there would be (waiting plus new), `limit` the user's. */
export function tooManyPrompts(user: User, count: number, limit = user.concurrency): HordeError {
  const message = user.anonymous
    ? `Too many anonymous requests on using the ${HORDE_TITLE} currently (${count}/${limit}). ` +
      "Please consider getting a personal API key at https://aihorde.net/register which will also provide higher priority."
    : `Parallel requests (${count}) exceeded user limit (${limit}). ` +
      "Please try again later or request to increase your concurrency.";
  return new HordeError(429, "TooManyPrompts", message);
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
