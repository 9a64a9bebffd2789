/** The horde's status (docs/server/directory.md#directory): GET /v2/status/heartbeat, /models, /models/{name}, /performance, /modes, /news. */
import { Hono } from "hono";
import { statusModel, statusModels, statusModes, statusPerformance } from "../horde/directory/status.js";
import type { HordeStore } from "../horde/store/store.js";
import { heartbeat, news } from "../horde/views/horde-status.js";

export function statusRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/status/heartbeat", (c) => c.json(heartbeat(store), 200));
  app.get("/v2/status/models", (c) => c.json(statusModels(store, c.req.query()), 200));
  app.get("/v2/status/models/:name", (c) => c.json(statusModel(store, c.req.param("name")), 200));
  app.get("/v2/status/performance", (c) => c.json(statusPerformance(store), 200));
  app.get("/v2/status/modes", (c) => c.json(statusModes(store, c.req.header("apikey")), 200));
  app.get("/v2/status/news", (c) => c.json(news(store), 200));
  return app;
}
