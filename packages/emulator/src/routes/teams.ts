/** Teams (docs/server/directory.md#teams): `/v2/teams` (GET, POST) and `/v2/teams/{id}` (GET, PATCH, DELETE). */
import { Hono } from "hono";
import {
  createTeam,
  deleteTeam,
  findTeam,
  getTeam,
  listTeams,
  modifyTeam,
} from "../horde/directory/teams.js";
import type { HordeStore } from "../horde/store/store.js";
import { type ArgSpecs, parseArgs, readValidatedBody } from "../http/args.js";
import { editById } from "../http/edit.js";

const CREATE_ARGS: ArgSpecs = {
  apikey: { type: "str", location: "headers", required: true, help: "A User API key." },
  name: { type: "str", location: "json", required: true },
  info: { type: "str", location: "json" },
};

const PATCH_ARGS: ArgSpecs = {
  apikey: { type: "str", location: "headers", help: "The Moderator or Creator API key." },
  name: { type: "str", location: "json" },
  info: { type: "str", location: "json" },
};

type Fields = { apikey: string | null; name: string | null; info: string | null };

export function teamRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/teams", (c) => c.json(listTeams(store), 200));
  app.post("/v2/teams", async (c) => {
    const body = await readValidatedBody(c, "CreateTeamInput");
    const args = parseArgs(c, body, CREATE_ARGS) as unknown as Fields;
    return c.json(createTeam(store, { ...args, apikey: args.apikey ?? "", name: args.name ?? "" }), 200);
  });
  app.get("/v2/teams/:id", (c) => c.json(getTeam(store, c.req.param("id"), c.req.header("apikey")), 200));
  app.patch("/v2/teams/:id", editById(store, "ModifyTeamInput", PATCH_ARGS, findTeam, modifyTeam));
  app.delete("/v2/teams/:id", (c) => {
    const team = findTeam(store, c.req.param("id"));
    return c.json(deleteTeam(store, team, c.req.header("apikey")), 200);
  });
  return app;
}
