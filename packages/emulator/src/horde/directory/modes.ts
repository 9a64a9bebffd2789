/**
 * `PUT /v2/status/modes` (docs/server/directory.md#modes): admins switch maintenance, moderators the
 * worker invite-only and raid modes. Entering maintenance stops the queue: every unfinished image and
 * text request has nothing left to hand out.
 */
import { err } from "../errors.js";
import { counters, isDone } from "../progress.js";
import { refuse } from "../refusals.js";
import { setRemaining } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";

export interface ModesEdit {
  apikey: string;
  maintenance_mode: boolean | null;
  invite_only_mode: boolean | null;
  raid_mode: boolean | null;
}

export function setHordeModes(store: HordeStore, edit: ModesEdit): Record<string, boolean> {
  const admin = store.users.findByKey(edit.apikey);
  if (!admin) throw err.invalidApiKey("Admin action: PUT HordeModes");
  const out: Record<string, boolean> = {};
  if (edit.maintenance_mode !== null) {
    if (!admin.admin) throw refuse.notAdmin();
    store.setModes({ maintenance: edit.maintenance_mode });
    if (edit.maintenance_mode) {
      const now = store.now();
      for (const req of store.requestsOf()) if (!isDone(req, counters(store, req))) setRemaining(req, 0, now);
    }
    out.maintenance_mode = edit.maintenance_mode;
  }
  if (edit.invite_only_mode !== null) {
    if (!admin.moderator) throw refuse.notModerator();
    store.setModes({ inviteOnly: edit.invite_only_mode });
    out.invite_only_mode = edit.invite_only_mode;
  }
  if (edit.raid_mode !== null) {
    if (!admin.moderator) throw refuse.notModerator();
    store.setModes({ raid: edit.raid_mode });
    out.raid_mode = edit.raid_mode;
  }
  if (Object.keys(out).length === 0)
    throw refuse.nothingToDo("No mod change selected!", "NoHordeModSelected");
  return out;
}
