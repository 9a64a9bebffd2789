/**
 * Teams (docs/server/directory.md#teams): `GET`/`POST /v2/teams`, `GET`/`PATCH`/`DELETE /v2/teams/{id}`.
 * Workers join a team through `PUT /v2/workers/{id}` (`team`).
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { sanitize } from "../sanitize.js";
import type { HordeStore } from "../store/store.js";
import type { Team } from "../store/teams.js";
import { teamDetails } from "../views/teams.js";

export function listTeams(store: HordeStore) {
  return store.teams.all().map((t) => teamDetails(store, t));
}

export function findTeam(store: HordeStore, id: string): Team {
  const team = store.teams.find(id);
  if (!team) throw refuse.teamNotFound(id);
  return team;
}

/** An `apikey`, when given, must be a moderator's; it shows nothing more. */
export function getTeam(store: HordeStore, id: string, callerKey: string | undefined) {
  const team = findTeam(store, id);
  if (callerKey) {
    const caller = store.users.findByKey(callerKey);
    if (!caller) throw err.invalidApiKey("admin team details");
    if (!caller.moderator) throw refuse.notModerator();
  }
  return teamDetails(store, team);
}

/** Trusted users create teams; names are unique (case-insensitive). */
export function createTeam(store: HordeStore, input: { apikey: string; name: string; info: string | null }) {
  const user = store.users.findByKey(input.apikey);
  if (!user) throw err.invalidApiKey("User action: PUT Teams");
  if (user.anonymous) throw refuse.anonForbidden();
  if (!user.trusted) throw refuse.notTrusted("UntrustedTeamCreation");
  const name = sanitize(input.name);
  const info = input.info === null ? null : sanitize(input.info);
  if (store.teams.findByName(name)) throw refuse.nameTaken("team", input.name, "TeamNameAlreadyExists");
  const team = store.teams.create({ name, info, ownerId: user.id }, store.now());
  return info === null ? { name, id: team.id } : { name, info, id: team.id };
}

/** `PATCH /v2/teams/{id}`: the creator or a moderator changes the info or the name. */
export function modifyTeam(
  store: HordeStore,
  team: Team,
  input: { apikey: string | null; name: string | null; info: string | null },
) {
  // QUIRK(docs/server/directory.md#teams): without a key the server fails looking up nobody.
  if (!input.apikey) throw err.internal();
  const user = store.users.findByKey(input.apikey);
  if (!user) throw err.invalidApiKey("User action: PATCH TeamSingle");
  const mayEdit = user.moderator || user.id === team.ownerId;
  const out: Record<string, unknown> = {};
  if (input.info !== null) {
    if (!mayEdit) throw refuse.notOwner();
    if (team.info !== input.info) team.info = sanitize(input.info);
    out.info = team.info;
  }
  if (input.name !== null) {
    if (!mayEdit) throw refuse.notModerator();
    if (team.name !== input.name) {
      const name = sanitize(input.name);
      const taken = store.teams.findByName(name);
      // QUIRK(docs/server/directory.md#teams): a taken name makes the server fail while reporting it.
      if (taken && taken !== team) throw err.internal();
      team.name = name;
    }
    out.name = team.name;
  }
  if (Object.keys(out).length === 0) {
    throw refuse.nothingToDo("No team modification selected!", "NoTeamModSelected");
  }
  return out;
}

/** `DELETE /v2/teams/{id}`: the creator or a moderator; its workers leave it. */
export function deleteTeam(store: HordeStore, team: Team, callerKey: string | undefined) {
  if (!callerKey) throw err.internal();
  const user = store.users.findByKey(callerKey);
  if (!user) throw err.invalidApiKey("User action: DELETE TeamSingle");
  if (!user.moderator && user.id !== team.ownerId) throw refuse.notModerator();
  for (const w of store.workers.all()) if (w.teamId === team.id) w.teamId = null;
  store.teams.delete(team);
  return { deleted_id: team.id, deleted_name: team.name };
}
