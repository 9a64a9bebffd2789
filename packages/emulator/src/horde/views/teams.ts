/**
 * `TeamDetails` (docs/server/directory.md#teams): the team's totals, its creator, its image and text
 * workers (`{type, name, id, online}`) and how many of them serve each model. No info → no `info` key.
 */
import type { HordeStore } from "../store/store.js";
import type { Team } from "../store/teams.js";
import { ACTIVE_WINDOW_MS } from "../store/workers.js";

export function teamDetails(store: HordeStore, team: Team): Record<string, unknown> {
  const now = store.now();
  // Alchemists may name a team, but the server lists only image and text workers as its members.
  const workers = store.workers.all().filter((w) => w.teamId === team.id && w.type !== "interrogation");
  const models = new Map<string, number>();
  for (const w of workers) for (const m of w.models) models.set(m, (models.get(m) ?? 0) + 1);
  return {
    name: team.name,
    id: team.id,
    ...(team.info === null ? {} : { info: team.info }),
    requests_fulfilled: team.fulfilled,
    kudos: team.kudos,
    uptime: team.uptime,
    creator: store.users.findById(team.ownerId)?.username ?? null,
    worker_count: workers.length,
    workers: workers.map((w) => ({
      type: w.type,
      name: w.name,
      id: w.id,
      online: now - w.lastCheckIn <= ACTIVE_WINDOW_MS,
    })),
    models: [...models].map(([name, count]) => ({ name, count })),
  };
}
