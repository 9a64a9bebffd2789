/**
 * `UserDetails` (docs/server/directory.md#directory `/v2/users/{id}`, `/v2/find_user`): the public fields
 * always, more with privilege
 * (1: the user's own key, 2: a moderator's key).
 */
import { round2 } from "../pricing/round.js";
import { counters, isDone } from "../progress.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";

/** 0: anybody, 1: the user itself, 2: a moderator. */
export type Privilege = 0 | 1 | 2;

export function userDetails(store: HordeStore, user: User, privilege: Privilege): Record<string, unknown> {
  const workers = store.workers.ownedBy(user.id);
  const r = user.records;
  const out: Record<string, unknown> = {
    username: user.username,
    id: user.id,
    kudos: round2(user.kudos),
    concurrency: user.concurrency,
    worker_invited: user.workerInvited,
    moderator: user.moderator,
    kudos_details: {
      accumulated: round2(user.kudosDetails.accumulated),
      gifted: 0,
      donated: 0,
      admin: round2(user.kudosDetails.admin),
      received: 0,
      recurring: round2(user.kudosDetails.recurring),
      awarded: round2(user.kudosDetails.awarded),
      styled: 0,
    },
    worker_count: workers.length,
    styles: [],
    trusted: user.trusted,
    flagged: user.flagged,
    service: user.service,
    education: user.education,
    customizer: user.customizer,
    deleted: user.deleted,
    pseudonymous: user.pseudonymous,
    account_age: Math.max(0, Math.floor((store.now() - user.createdAt) / 1000)),
    // The obsolete summaries, kept by the server for old clients.
    usage: {
      megapixelsteps: round2(r.usage.megapixelsteps),
      requests: r.request.image + r.request.text + r.request.interrogation,
    },
    contributions: {
      megapixelsteps: round2(r.contribution.megapixelsteps),
      fulfillments: r.fulfillment.image + r.fulfillment.text + r.fulfillment.interrogation,
    },
    records: {
      usage: { megapixelsteps: round2(r.usage.megapixelsteps), tokens: Math.round(r.usage.tokens) },
      contribution: {
        megapixelsteps: round2(r.contribution.megapixelsteps),
        tokens: Math.round(r.contribution.tokens),
      },
      fulfillment: { ...r.fulfillment },
      request: { ...r.request },
      style: { image: 0, text: 0, interrogation: 0 },
    },
  };
  if (privilege >= 1 || user.publicWorkers) out.worker_ids = workers.map((w) => w.id);
  if (privilege >= 1) {
    out.sharedkey_ids = [];
    out.active_generations = activeGenerations(store, user);
    out.vpn = false;
    out.special = false;
    if (user.contact !== undefined) out.contact = user.contact;
  }
  if (privilege >= 2) {
    out.suspicious = 0;
    out.evaluating_kudos = 0;
  }
  return out;
}

function activeGenerations(store: HordeStore, user: User) {
  const image: string[] = [];
  const text: string[] = [];
  const alchemy: string[] = [];
  for (const r of store.requestsOf()) {
    if (r.userId !== user.id || isDone(r, counters(store, r))) continue;
    (r.kind === "image" ? image : text).push(r.id);
  }
  for (const i of store.allInterrogations()) {
    if (i.userId === user.id && i.forms.some((f) => f.state === "waiting" || f.state === "processing"))
      alchemy.push(i.id);
  }
  return { text, image, alchemy };
}
