/** The accounts as the API shows them (docs/server/auth-and-headers.md#auth-and-headers, docs/server/directory.md#directory): `/v2/find_user`, `/v2/users`, `/v2/users/{id}`. */
import { err } from "../errors.js";
import type { HordeStore } from "../store/store.js";
import { userDetails } from "../views/users.js";
import { privilegeOf } from "./privilege.js";

const PAGE_SIZE = 25;

/**
 * The apikey is required in code, not by the parser: missing → 401, unknown → 404 (the message
 * echoes the key back, as the server's does).
 */
export function findUser(store: HordeStore, apikey: string | undefined) {
  if (!apikey) throw err.invalidApiKey("find user");
  const user = store.users.findByKey(apikey);
  if (!user) throw err.notFound(`User with API Key '${apikey}' not found.`, "UserNotFound");
  return userDetails(store, user, 1);
}

/** Pages of 25, by kudos (default) or by age; deleted users are left out. */
export function listUsers(store: HordeStore, page: number, sort: "kudos" | "age") {
  if (page > 10_000) return [];
  const users = store.users
    .all()
    .filter((u) => !u.deleted)
    .sort((a, b) => (sort === "age" ? a.id - b.id : b.kudos - a.kudos));
  return users.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((u) => userDetails(store, u, 0));
}

/** `rawId` as it came in the path; `callerKey` is the optional apikey header. */
export function getUser(store: HordeStore, rawId: string, callerKey: string | undefined) {
  // QUIRK(docs/server/directory.md#directory): only the digits of `alias#id` are accepted.
  const user = /^\d+$/.test(rawId) ? store.users.findById(Number(rawId)) : undefined;
  if (!user) {
    throw err.notFound(
      `User with ID '${rawId}' not found. Please use only the numerical part of the userID. ` +
        "E.g. the '1' in 'db0#1'.",
      "UserNotFound",
    );
  }
  // The user itself (not through the shared anonymous key) sees its private fields.
  const privilege = privilegeOf(store, callerKey, "get user", (c) => c.id === user.id && !c.anonymous);
  return userDetails(store, user, privilege);
}
