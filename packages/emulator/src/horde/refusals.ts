/**
 * The refusals of the directory routes (users, workers, teams, shared keys, styles, messages), with the
 * server's status, rc and message for each (docs/server/errors.md#status-per-exception). The domain throws
 * them; the messages are the server's own words, quirks included.
 */
import { HordeError } from "./errors.js";

/** Python's `str.capitalize()`: the first letter upper case, the rest lower case. */
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

export const refuse = {
  notAdmin: () => new HordeError(403, "NotAdmin", "You're not an admin. Sod off!"),
  notModerator: () => new HordeError(403, "NotModerator", "You're not a mod. BTFO!"),
  /** QUIRK(docs/server/errors.md#status-per-exception): the owner check words itself like the admin one. */
  notOwner: () => new HordeError(403, "NotOwner", "You're not an admin. Sod off!"),
  anonForbidden: (rc = "AnonForbidden") =>
    new HordeError(403, rc, "Anonymous user is forbidden from performing this operation"),
  notTrusted: (rc = "NotTrusted") =>
    new HordeError(403, rc, "Only Trusted users are allowed to perform this operation"),
  forbidden: (message: string, rc = "Forbidden") => new HordeError(403, rc, message),
  badRequest: (message: string, rc = "BadRequest") => new HordeError(400, rc, message),
  /** A request that asks for no change at all. */
  nothingToDo: (message: string, rc: string) => new HordeError(400, rc, message),
  tooLong: (what: string, limit: number, rc: string) =>
    new HordeError(400, rc, `The specified ${what} is too long. Please stay below ${limit}`),
  nameTaken: (kind: string, name: string, rc: string) =>
    new HordeError(400, rc, `The specified ${kind} name '${name}' is already taken!`),
  userNotFound: (id: string, lookup = "ID") =>
    new HordeError(404, "UserNotFound", `User with ${lookup} '${id}' not found.`),
  workerNotFound: (id: string) => new HordeError(404, "WorkerNotFound", `Worker with ID '${id}' not found.`),
  teamNotFound: (id: string) => new HordeError(404, "TeamNotFound", `Team with ID '${id}' not found.`),
  /** The server's generic lookup failure: rc and message are built from the thing's type name. */
  thingNotFound: (type: string, id: string) =>
    new HordeError(404, `${capitalize(type)}NotFound`, `${capitalize(type)} with ID '${id}' not found.`),
  /** An unknown shared key: the server's 401 for the shared-key routes (docs/server/directory.md#shared-keys). */
  unknownSharedKey: () => new HordeError(401, "InvalidAPIKey", "No user matching sent Shared Key."),
  deletedUser: () =>
    new HordeError(403, "DeletedUser", "This account has been scheduled for deletion and is disabled."),
};
