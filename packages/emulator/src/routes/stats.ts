/** Delivery statistics (docs/server/directory.md#directory): GET /v2/stats/img|text/totals and /models. */
import { Hono } from "hono";
import { modelStats } from "../horde/directory/status.js";
import type { HordeStore } from "../horde/store/store.js";
import { deliveryTotals } from "../horde/views/horde-status.js";

export function statsRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/stats/img/totals", (c) => c.json(deliveryTotals(store, "image"), 200));
  app.get("/v2/stats/text/totals", (c) => c.json(deliveryTotals(store, "text"), 200));
  app.get("/v2/stats/img/models", (c) => c.json(modelStats(store, "image", c.req.query("model_state")), 200));
  app.get("/v2/stats/text/models", (c) => c.json(modelStats(store, "text", c.req.query("model_state")), 200));
  return app;
}
