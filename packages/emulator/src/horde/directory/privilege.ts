import { err } from "../errors.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import type { Privilege } from "../views/users.js";

/**
 * What an optional `apikey` header may see of a user or worker (docs/server/directory.md#directory): a
 * moderator 2, the owner 1, anyone
 * else 0; an unknown key is a 401 whose message names `action`.
 */
export function privilegeOf(
  store: HordeStore,
  apikey: string | undefined,
  action: string,
  owns: (caller: User) => boolean,
): Privilege {
  if (!apikey) return 0;
  const caller = store.users.findByKey(apikey);
  if (!caller) throw err.invalidApiKey(action);
  if (caller.moderator) return 2;
  return owns(caller) ? 1 : 0;
}
