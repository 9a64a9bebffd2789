/**
 * The admin API over HTTP, under `/_emulator/` (the emulator's own, not the horde's):
 *   POST /_emulator/users            {username, kudos?, concurrency?, trusted?, workerInvited?} → 201 {id, username, apikey}
 *   GET  /_emulator/user             (header apikey) → the user, or 404
 *   GET  /_emulator/stats            → request/job statistics, orphaned request ids
 *   POST /_emulator/reset            → forget everything
 *   GET  /_emulator/clock            → {now, virtual}
 *   POST /_emulator/clock/advance    {ms} → {now} (virtual clock only)
 *   POST /_emulator/devworkers       {name?, models?, maxPixels?, nsfw?, generationMs?, popIntervalMs?, amount?} → 201 {name}
 * Errors are `{"message"}` with 400 or 404.
 */
import { Hono } from "hono";
import type { Clock } from "horde-sdk";
import type { EmulatorAdmin } from "../admin.js";
import { VirtualClock } from "../clock.js";
import type { DevWorkerOptions } from "../devworker/worker.js";
import { readJsonBody } from "../http/request.js";

export interface AdminDeps {
  admin: EmulatorAdmin;
  clock: Clock;
  startDevWorker(options: DevWorkerOptions): { name: string };
}

type Json = Record<string, unknown>;

const optional = <T>(body: Json, key: string, type: "number" | "boolean" | "string"): T | undefined => {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new TypeError(`'${key}' must be a ${type}`);
  return v as T;
};

export function adminRoutes(deps: AdminDeps): Hono {
  const app = new Hono();
  const bad = (message: string) => Response.json({ message }, { status: 400 });

  app.post("/users", async (c) => {
    const body = (await readJsonBody(c)) as Json;
    if (body === null || typeof body !== "object" || typeof body.username !== "string") {
      return bad("'username' (string) is required");
    }
    try {
      const created = deps.admin.createUser({
        username: body.username,
        kudos: optional(body, "kudos", "number"),
        concurrency: optional(body, "concurrency", "number"),
        trusted: optional(body, "trusted", "boolean"),
        workerInvited: optional(body, "workerInvited", "number"),
      });
      return c.json(created, 201);
    } catch (e) {
      return bad((e as Error).message);
    }
  });

  app.get("/user", (c) => {
    const user = deps.admin.getUser(c.req.header("apikey") ?? "");
    return user ? c.json(user, 200) : c.json({ message: "No user with this API key." }, 404);
  });

  app.get("/stats", (c) => c.json(deps.admin.stats(), 200));

  app.post("/reset", (c) => {
    deps.admin.reset();
    return c.json({ ok: true }, 200);
  });

  app.get("/clock", (c) =>
    c.json({ now: deps.clock.now(), virtual: deps.clock instanceof VirtualClock }, 200),
  );

  app.post("/clock/advance", async (c) => {
    const body = (await readJsonBody(c)) as Json;
    if (!(deps.clock instanceof VirtualClock)) return bad("The emulator runs on the system clock.");
    if (typeof body?.ms !== "number" || body.ms < 0) return bad("'ms' (a number ≥ 0) is required");
    await deps.clock.advance(body.ms);
    return c.json({ now: deps.clock.now() }, 200);
  });

  app.post("/devworkers", async (c) => {
    const body = ((await readJsonBody(c)) ?? {}) as Json;
    try {
      const worker = deps.startDevWorker({
        name: optional(body, "name", "string"),
        models: Array.isArray(body.models) ? (body.models as string[]) : undefined,
        maxPixels: optional(body, "maxPixels", "number"),
        nsfw: optional(body, "nsfw", "boolean"),
        generationMs: optional(body, "generationMs", "number"),
        popIntervalMs: optional(body, "popIntervalMs", "number"),
        amount: optional(body, "amount", "number"),
      });
      return c.json({ name: worker.name }, 201);
    } catch (e) {
      return bad((e as Error).message);
    }
  });

  return app;
}
