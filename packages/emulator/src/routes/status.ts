/** The horde's status (docs/server/directory.md#directory): GET /v2/status/heartbeat, /models, /models/{name}, /performance, /modes, /news; PUT /v2/status/modes. */
import { Hono } from "hono";
import { type ModesEdit, setHordeModes } from "../horde/directory/modes.js";
import { statusModel, statusModels, statusPerformance } from "../horde/directory/status.js";
import type { HordeStore } from "../horde/store/store.js";
import { heartbeat, modes, news } from "../horde/views/horde-status.js";
import { type ArgSpecs, parseArgs, readSilentJson } from "../http/args.js";

const MODES_ARGS: ArgSpecs = {
  apikey: { type: "str", location: "headers", required: true, help: "The Admin API key." },
  maintenance_mode: { type: "bool", location: "json", help: "Start or stop maintenance mode." },
  invite_only_mode: { type: "bool", location: "json", help: "Start or stop worker invite-only mode." },
  raid_mode: { type: "bool", location: "json", help: "Start or stop raid mode." },
};

export function statusRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/status/heartbeat", (c) => c.json(heartbeat(store), 200));
  app.get("/v2/status/models", (c) => c.json(statusModels(store, c.req.query()), 200));
  app.get("/v2/status/models/:name", (c) => c.json(statusModel(store, c.req.param("name")), 200));
  app.get("/v2/status/performance", (c) => c.json(statusPerformance(store), 200));
  app.get("/v2/status/modes", (c) => c.json(modes(store), 200));
  app.put("/v2/status/modes", async (c) => {
    const edit = parseArgs(c, await readSilentJson(c), MODES_ARGS) as unknown as ModesEdit;
    return c.json(setHordeModes(store, edit), 200);
  });
  app.get("/v2/status/news", (c) => c.json(news(store), 200));
  return app;
}
