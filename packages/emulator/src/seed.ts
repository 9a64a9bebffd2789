/** `seedUser`: a user with a known name (and, optionally, key) on an emulator, created once. */
import type { Emulator } from "./emulator.js";
import type { CreateUserInput } from "./horde/store/users.js";
import type { CreatedUser } from "./server/admin.js";

/**
 * Creates the user unless one with this alias exists already, and returns it with its key. Safe to call
 * on every start (e.g. `horde serve --user alice:1000`).
 */
export function seedUser(emulator: Pick<Emulator, "admin">, input: CreateUserInput): CreatedUser {
  return emulator.admin.seedUser(input);
}
