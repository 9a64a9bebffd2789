/** GET /v2/workers, /v2/workers/{id} and /v2/workers/name/{name} (§7). */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import type { Worker, WorkerType } from "../state/workers.js";
import { type WorkerPrivilege, workerDetails } from "../views/worker-details.js";

const TYPES: readonly string[] = ["image", "text", "interrogation"];

export function workerRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  const privilege = (apikey: string | undefined, worker: Worker): WorkerPrivilege => {
    if (!apikey) return 0;
    const caller = state.users.findByKey(apikey);
    if (!caller) throw err.invalidApiKey("get worker");
    if (caller.moderator) return 2;
    return caller.id === worker.ownerId ? 1 : 0;
  };

  // Active workers only (checked in within 300 s); `name` (case-insensitive) wins over `type`.
  app.get("/v2/workers", (c) => {
    const name = c.req.query("name");
    const type = c.req.query("type");
    let workers = state.workers.active(state.now());
    if (name !== undefined) workers = workers.filter((w) => w.name.toLowerCase() === name.toLowerCase());
    else if (type !== undefined && TYPES.includes(type))
      workers = workers.filter((w) => w.type === (type as WorkerType));
    const apikey = c.req.header("apikey");
    return c.json(
      workers.map((w) => workerDetails(state, w, privilege(apikey, w))),
      200,
    );
  });

  // Single workers are shown whether active or not.
  app.get("/v2/workers/name/:name", (c) => {
    const name = c.req.param("name");
    const worker = state.workers.findByName(name);
    if (!worker) throw err.notFound(`Worker with name '${name}' not found.`, "WorkerNotFound");
    return c.json(workerDetails(state, worker, privilege(c.req.header("apikey"), worker)), 200);
  });

  app.get("/v2/workers/:id", (c) => {
    const id = c.req.param("id");
    const worker = state.workers.findById(id);
    if (!worker) throw err.notFound(`Worker with ID '${id}' not found.`, "WorkerNotFound");
    return c.json(workerDetails(state, worker, privilege(c.req.header("apikey"), worker)), 200);
  });

  return app;
}
