/**
 * `UserDetails` (docs/server/directory.md#user-details `/v2/users/{id}`, `/v2/find_user`): the public fields
 * always, more with privilege (1: the user's own key, 2: a moderator's key). The single-user routes leave
 * out keys whose value is null (or an empty object); the list (`/v2/users`) marshals every key of the model, nulls included.
 */
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import { rfc822, skipNone } from "./marshal.js";

/** 0: anybody, 1: the user itself, 2: a moderator. */
export type Privilege = 0 | 1 | 2;

/** Every key of the server's `UserDetails` model, each null until a privilege or a value fills it. */
const USER_DETAILS_KEYS = [
  "username",
  "id",
  "kudos",
  "evaluating_kudos",
  "concurrency",
  "worker_invited",
  "moderator",
  "kudos_details",
  "worker_count",
  "worker_ids",
  "styles",
  "sharedkey_ids",
  "active_generations",
  "monthly_kudos",
  "trusted",
  "flagged",
  "vpn",
  "service",
  "education",
  "customizer",
  "special",
  "deleted",
  "suspicious",
  "pseudonymous",
  "contact",
  "admin_comment",
  "proxy_passkey",
  "account_age",
  "usage",
  "contributions",
  "records",
] as const;

/** The monthly kudos a moderator gets on top of their own (docs/server/directory.md#user-details). */
const MODERATOR_MONTHLY_KUDOS = 300_000;

/** One user as `/v2/users/{id}` and `/v2/find_user` show it: null values and empty objects left out. */
export function userDetails(store: HordeStore, user: User, privilege: Privilege): Record<string, unknown> {
  return skipNone(userFields(store, user, privilege));
}

/** One user as an entry of `/v2/users`: every key of the model, null where there is no value. */
export function userListEntry(store: HordeStore, user: User): Record<string, unknown> {
  const fields = userFields(store, user, 0);
  const out: Record<string, unknown> = {};
  for (const k of USER_DETAILS_KEYS) out[k] = fields[k] ?? null;
  // Nested models with `skip_none` marshal a missing value as an empty object.
  out.active_generations ??= {};
  out.monthly_kudos ??= {};
  return out;
}

function userFields(store: HordeStore, user: User, privilege: Privilege): Record<string, unknown> {
  const workers = store.workers.ownedBy(user.id);
  const r = user.records;
  const out: Record<string, unknown> = {
    username: user.username,
    id: user.id,
    kudos: user.kudos,
    kudos_details: { ...user.kudosDetails },
    // The obsolete summaries: the server fills them with nothing, so their fields marshal as null.
    usage: { megapixelsteps: null, requests: null },
    contributions: { megapixelsteps: null, fulfillments: null },
    records: {
      usage: { megapixelsteps: r.usage.megapixelsteps, tokens: Math.round(r.usage.tokens) },
      contribution: {
        megapixelsteps: r.contribution.megapixelsteps,
        tokens: Math.round(r.contribution.tokens),
      },
      fulfillment: { ...r.fulfillment },
      request: { ...r.request },
      style: { ...r.style },
    },
    concurrency: user.concurrency,
    worker_invited: user.workerInvited,
    moderator: user.moderator,
    trusted: user.trusted,
    flagged: user.flagged,
    pseudonymous: user.pseudonymous,
    worker_count: workers.length,
    account_age: Math.max(0, Math.floor((store.now() - user.createdAt) / 1000)),
    service: user.service,
    deleted: user.deleted,
    education: user.education,
    customizer: user.customizer,
    styles: store.styles
      .all()
      .filter((s) => s.ownerId === user.id && (s.public || privilege >= 1))
      .map((s) => ({ name: `${user.username}::style::${s.name}`, id: s.id, type: s.kind })),
  };
  if (user.publicWorkers || privilege >= 1) out.worker_ids = workers.map((w) => w.id);
  if (privilege >= 1) {
    out.sharedkey_ids = store.sharedKeys.ownedBy(user.id).map((k) => k.id);
    out.contact = user.contact ?? null;
    out.vpn = user.vpn;
    out.special = user.special;
    out.active_generations = activeGenerations(store, user);
  }
  if (privilege >= 2) {
    out.evaluating_kudos = 0;
    out.monthly_kudos = {
      amount: user.monthlyKudos + (user.moderator ? MODERATOR_MONTHLY_KUDOS : 0),
      ...(user.monthlyKudosReceivedAt === null ? {} : { last_received: rfc822(user.monthlyKudosReceivedAt) }),
    };
    out.suspicious = 0;
    out.admin_comment = user.adminComment ?? null;
    out.proxy_passkey = user.proxyPasskey ?? null;
  }
  return out;
}

/**
 * The user's image and text requests the horde still keeps (finished ones too, until they expire), by
 * kind; a kind shows only when the user has such a request. The anonymous account shares its requests,
 * so its lists stay empty.
 */
function activeGenerations(store: HordeStore, user: User): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of store.requestsOf()) {
    if (r.userId !== user.id) continue;
    out[r.kind] ??= [];
    if (user.anonymous) break;
    out[r.kind]?.push(r.id);
  }
  return out;
}
