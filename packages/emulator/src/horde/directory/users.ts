/**
 * The accounts as the API shows and changes them (docs/server/directory.md#find-user,
 * docs/server/directory.md#users, docs/server/directory.md#user-details, docs/server/directory.md#user-edits):
 * `/v2/find_user`, `/v2/users`, `/v2/users/{id}` (GET, PUT, DELETE).
 */
import { randomBytes } from "node:crypto";
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { sanitize } from "../sanitize.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import { userDetails, userListEntry } from "../views/users.js";
import { privilegeOf } from "./privilege.js";

const PAGE_SIZE = 25;
/** A deleted account can be wiped for good once it has been inactive this long. */
const WIPE_AFTER_MS = 30 * 86_400_000;
/** The longest alias `PUT` accepts (the schema allows 100; the account keeps 30). */
const MAX_ALIAS = 30;
/** Education accounts get at least this concurrency, and lose it again when the role goes. */
const EDUCATION_CONCURRENCY = 200;

/**
 * The apikey is checked in code, not by the parser: missing → 401, unknown → 404 (the message echoes
 * the key back). A shared key shows its owner's public details, marked with the key's name.
 */
export function findUser(store: HordeStore, apikey: string | undefined) {
  if (!apikey) throw err.invalidApiKey("find user");
  const key = store.sharedKeys.find(apikey);
  const owner = key ? store.users.findById(key.ownerId) : undefined;
  if (key && owner) {
    const details = userDetails(store, owner, 0);
    details.username = `${owner.username} (Shared Key${key.name === null ? "" : `: ${key.name}`})`;
    return details;
  }
  const user = store.users.findByKey(apikey);
  if (!user) throw refuse.userNotFound(apikey, "api_key");
  return userDetails(store, user, 1);
}

/** Pages of 25, by kudos (the default; an unknown sort too) or by age. */
export function listUsers(store: HordeStore, page: number, sort: string) {
  if (page > 10_000) return [];
  const from = (Math.max(page, 1) - 1) * PAGE_SIZE;
  const users = store.users
    .all()
    .sort((a, b) => (sort === "age" ? a.createdAt - b.createdAt || a.id - b.id : b.kudos - a.kudos));
  return users.slice(from, from + PAGE_SIZE).map((u) => userListEntry(store, u));
}

/**
 * `rawId` as it came in the path; `callerKey` the optional apikey header.
 * QUIRK(docs/server/directory.md#user-details): an id that is not all digits is refused first, with the
 * advice in the place of the id.
 */
export function getUser(store: HordeStore, rawId: string, callerKey: string | undefined) {
  requireDigits(rawId);
  // The user itself (not through the shared anonymous key) sees its private fields.
  const privilege = privilegeOf(
    store,
    callerKey,
    "GET UserSingle",
    (c) => String(c.id) === rawId && !c.anonymous,
  );
  return userDetails(store, findUserById(store, rawId), privilege);
}

/** A user by the id in a path: a non-negative integer that fits the server's 32-bit column. */
export function findUserById(store: HordeStore, rawId: string): User {
  const id = /^\s*\+?\d+\s*$/.test(rawId) ? Number(rawId) : Number.NaN;
  const user = id <= 2_147_483_647 ? store.users.findById(id) : undefined;
  if (!user) throw refuse.userNotFound(rawId);
  return user;
}

function requireDigits(rawId: string): void {
  if (!/^\d+$/.test(rawId)) {
    throw refuse.userNotFound("Please use only the numerical part of the userID. E.g. the '1' in 'db0#1'");
  }
}

/** The body of `PUT /v2/users/{id}` after parsing: absent (or null) fields are null. */
export interface UserEdit {
  apikey: string;
  kudos: number | null;
  concurrency: number | null;
  usage_multiplier: number | null;
  worker_invited: number | null;
  moderator: boolean | null;
  public_workers: boolean | null;
  username: string | null;
  monthly_kudos: number | null;
  trusted: boolean | null;
  flagged: boolean | null;
  customizer: boolean | null;
  vpn: boolean | null;
  service: boolean | null;
  education: boolean | null;
  special: boolean | null;
  undelete: boolean | null;
  contact: string | null;
  admin_comment: string | null;
  reset_suspicion: boolean | null;
  generate_proxy_passkey: boolean | null;
}

/**
 * `PUT /v2/users/{id}` (docs/server/directory.md#user-edits): each field given is applied in the server's
 * order with its own permission — admins for kudos, monthly kudos, the usage multiplier and the moderator
 * role; moderators for the roles and limits; the user itself for its alias, contact, public workers,
 * proxy passkey and undeleting. A refused field stops the request, the fields before it stay applied.
 * The answer names each changed field with its new value.
 */
export function modifyUser(store: HordeStore, user: User, edit: UserEdit): Record<string, unknown> {
  const admin = store.users.findByKey(edit.apikey);
  if (!admin) throw err.invalidApiKey("Admin action: PUT UserSingle");
  const asAdmin = () => {
    if (!admin.admin) throw refuse.notAdmin();
  };
  const asModerator = () => {
    if (!admin.moderator) throw refuse.notModerator();
  };
  const asSelfOrModerator = () => {
    if (!admin.moderator && admin !== user) throw refuse.notModerator();
  };
  const notAnonymous = () => {
    if (admin.anonymous) throw refuse.anonForbidden("AnonForbiddenUserMod");
  };
  const out: Record<string, unknown> = {};

  if (edit.kudos !== null) {
    asAdmin();
    store.users.modifyKudos(user, edit.kudos, "admin");
    out.new_kudos = user.kudos;
  }
  if (edit.monthly_kudos !== null) {
    asAdmin();
    if (edit.monthly_kudos > 0) store.users.modifyKudos(user, edit.monthly_kudos, "recurring");
    user.monthlyKudosReceivedAt ??= store.now();
    user.monthlyKudos = Math.max(0, user.monthlyKudos + edit.monthly_kudos);
    out.monthly_kudos = user.monthlyKudos;
  }
  if (edit.usage_multiplier !== null) {
    asAdmin();
    user.usageMultiplier = edit.usage_multiplier;
    out.usage_multiplier = user.usageMultiplier;
  }
  if (edit.moderator !== null) {
    asAdmin();
    if (!user.anonymous) {
      user.moderator = edit.moderator;
      if (user.moderator) user.trusted = true;
    }
    out.moderator = user.moderator;
  }
  if (edit.concurrency !== null) {
    asModerator();
    user.concurrency = edit.concurrency;
    out.concurrency = user.concurrency;
  }
  if (edit.worker_invited !== null) {
    asModerator();
    user.workerInvited = edit.worker_invited;
    out.worker_invited = user.workerInvited;
  }
  // The roles: the anonymous account never takes one.
  for (const [field, role] of [
    ["trusted", "trusted"],
    ["flagged", "flagged"],
    ["customizer", "customizer"],
    ["vpn", "vpn"],
    ["service", "service"],
  ] as const) {
    const value = edit[field];
    if (value === null) continue;
    asModerator();
    if (!user.anonymous) user[role] = value;
    out[field] = user[role];
  }
  if (edit.education !== null) {
    asModerator();
    if (edit.concurrency === null && edit.education && user.concurrency < EDUCATION_CONCURRENCY) {
      user.concurrency = EDUCATION_CONCURRENCY;
      out.concurrency = user.concurrency;
    }
    if (edit.concurrency === null && !edit.education && user.concurrency === EDUCATION_CONCURRENCY) {
      user.concurrency = 30;
      out.concurrency = user.concurrency;
    }
    if (!user.anonymous) user.education = edit.education;
    out.education = user.education;
  }
  if (edit.special !== null) {
    asModerator();
    if (!user.anonymous) user.special = edit.special;
    out.special = user.special;
  }
  if (edit.reset_suspicion !== null) {
    asModerator();
    // The emulator keeps no suspicion: it is always 0.
    out.new_suspicion = 0;
  }
  if (edit.admin_comment !== null) {
    asModerator();
    notAnonymous();
    user.adminComment = sanitize(edit.admin_comment);
    out.admin_comment = user.adminComment;
  }
  if (edit.public_workers !== null) {
    asSelfOrModerator();
    notAnonymous();
    if (!user.anonymous) user.publicWorkers = edit.public_workers;
    out.public_workers = user.publicWorkers;
  }
  if (edit.username !== null) {
    asSelfOrModerator();
    notAnonymous();
    if (edit.username.length > MAX_ALIAS) throw refuse.tooLong("username", MAX_ALIAS, "TooLongUserName");
    user.alias = sanitize(edit.username);
    user.username = `${user.alias}#${user.id}`;
    // The server answers the alias alone.
    out.username = user.alias;
  }
  if (edit.contact !== null) {
    asSelfOrModerator();
    notAnonymous();
    user.contact = sanitize(edit.contact);
    out.contact = user.contact;
  }
  if (edit.generate_proxy_passkey !== null) {
    asSelfOrModerator();
    if (!admin.service) {
      throw refuse.forbidden("Only Service Accounts can set a proxy passkey", "NonServiceForbidden");
    }
    user.proxyPasskey = randomBytes(16).toString("base64url");
    out.proxy_passkey = user.proxyPasskey;
  }
  if (edit.undelete !== null) {
    asSelfOrModerator();
    if (!user.deleted) throw refuse.badRequest("User is not deleted, cannot undelete!", "UserNotDeleted");
    user.deleted = false;
    out.undeleted = true;
  }
  if (Object.keys(out).length === 0) {
    throw refuse.nothingToDo("No usermod operations selected!", "NoUserModSelected");
  }
  return out;
}

/**
 * `DELETE /v2/users/{id}` (docs/server/directory.md#user-edits): the user itself or a moderator marks the
 * account deleted; a second delete, 30 days after its last activity, wipes it with its workers and
 * shared keys. Moderators cannot be deleted.
 */
export function deleteUser(store: HordeStore, rawId: string, callerKey: string | undefined) {
  requireDigits(rawId);
  const caller = callerKey ? store.users.findByKey(callerKey) : undefined;
  if (callerKey && !caller) throw err.invalidApiKey("User action: DELETE UserSingle");
  const user = findUserById(store, rawId);
  // QUIRK(docs/server/directory.md#user-edits): without a key the server fails on the unset caller.
  if (!caller) throw err.internal();
  if (caller.anonymous) throw refuse.anonForbidden("AnonForbiddenUser");
  if (user.moderator) {
    throw refuse.forbidden(
      "You cannot delete a user that is a moderator. Please contact an admin.",
      "CannotDeleteMod",
    );
  }
  if (!caller.moderator && caller.id !== user.id) {
    throw refuse.forbidden("Only the user themselves or a moderator can delete a user", "NotUserOrMod");
  }
  if (!user.deleted) {
    if (!user.anonymous) user.deleted = true;
    return { message: "OK" };
  }
  const wipeFrom = user.lastActive + WIPE_AFTER_MS;
  if (store.now() < wipeFrom) {
    throw refuse.forbidden(
      "You cannot permanently wipe a user that was active in the last 30 days. " +
        `Try again after ${pythonDateTime(wipeFrom)}`,
      "CannotWipeActiveUser",
    );
  }
  for (const w of store.workers.ownedBy(user.id)) {
    store.messages.deleteForWorker(w.id);
    store.workers.delete(w);
  }
  for (const k of store.sharedKeys.ownedBy(user.id)) store.sharedKeys.delete(k);
  store.users.remove(user);
  return { message: "OK" };
}

/** Python's `str(datetime)`: `2026-01-04 11:48:30.123456` (UTC, microseconds only when not zero). */
function pythonDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const micros = iso.slice(20, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${micros === "000" ? "" : `.${micros}000`}`;
}
