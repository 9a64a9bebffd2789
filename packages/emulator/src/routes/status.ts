/** GET /v2/status/heartbeat (§7): not rate limited, not marshalled. */
import { Hono } from "hono";
import { EMULATED_HORDE_VERSION, type EmulatorContext } from "../context.js";

export function statusRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  app.get("/v2/status/heartbeat", (c) => {
    const threads = ctx.state.workers.active(ctx.state.now()).reduce((sum, w) => sum + w.threads, 0);
    // `queue` is the node's own HTTP backlog on the server (OVERLOADED when > 0): always 0 here.
    return c.json(
      {
        message: "OK",
        version: EMULATED_HORDE_VERSION,
        queue: 0,
        threads,
        active_count: 0,
        db_connection: true,
      },
      200,
    );
  });
  return app;
}
