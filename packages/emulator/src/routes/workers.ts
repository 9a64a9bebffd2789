/** Workers (docs/server/directory.md#directory): GET /v2/workers, /v2/workers/{id} and /v2/workers/name/{name}. */
import { Hono } from "hono";
import { getWorkerById, getWorkerByName, listWorkers } from "../horde/directory/workers.js";
import type { HordeStore } from "../horde/store/store.js";

export function workerRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/workers", (c) => {
    const filter = { name: c.req.query("name"), type: c.req.query("type") };
    return c.json(listWorkers(store, filter, c.req.header("apikey")), 200);
  });
  app.get("/v2/workers/name/:name", (c) =>
    c.json(getWorkerByName(store, c.req.param("name"), c.req.header("apikey")), 200),
  );
  app.get("/v2/workers/:id", (c) =>
    c.json(getWorkerById(store, c.req.param("id"), c.req.header("apikey")), 200),
  );
  return app;
}
