/**
 * The admin API over HTTP, under `/_emulator/` (the emulator's own, not the horde's). Errors are
 * `{"message"}` with 400 or 404. Never rate limited nor faulted, never open to other origins (no CORS), and
 * over a socket only for the holder of the admin token (`admin-token.ts`; 401 without it).
 *
 *   GET    /info                     → base URL, users and keys (`emulator.describe()`)
 *   POST   /users                    {username, kudos?, concurrency?, trusted?, moderator?, …} → 201 {id, username, apikey}
 *   POST   /users/seed               same body, idempotent by username → 200 {id, username, apikey}
 *   GET    /users                    → every user with its key
 *   GET    /user                     (header apikey) → the user, or 404
 *   PATCH  /user                     (header apikey) {kudos?, trusted?, concurrency?, …} → the user
 *   PUT    /modes                    {maintenance?, inviteOnly?, raid?} → the modes
 *   PUT    /workers/{name}/maintenance {on} → 204
 *   GET    /requests  /jobs          → every request / job with its state
 *   GET    /unfinished               → {count, ids}: requests never completed nor cancelled
 *   GET    /stats                    → request/job statistics, orphaned request ids
 *   POST   /reset                    → forget everything
 *   GET    /clock                    → {now, virtual};  POST /clock/advance {ms} → {now}
 *   POST   /devworkers               {type?: image|text|alchemy, name?, models?, generationMs?, …} → 201 {name, type}
 *   GET    /faults                   → {plan, counts};  PUT /faults {seed?, rules} → {plan};  DELETE /faults
 *   GET    /faults/counts            → counts;  DELETE /faults/counts → zeroes them
 */
import { type Context, Hono } from "hono";
import type { Clock } from "horde-sdk";
import { VirtualClock } from "../clock.js";
import type { UserPatch } from "../horde/store/users.js";
import { readJsonBody } from "../http/request.js";
import type { EmulatorAdmin } from "./admin.js";
import { requireAdminToken } from "./admin-token.js";
import { checkPlan, type FaultInjector, type FaultPlan } from "./faults/index.js";

export interface DevWorkerRequest {
  type?: "image" | "text" | "alchemy";
  name?: string;
  models?: string[];
  forms?: string[];
  maxPixels?: number;
  nsfw?: boolean;
  generationMs?: number;
  popIntervalMs?: number;
  amount?: number;
  speed?: number;
}

export interface AdminDeps {
  admin: EmulatorAdmin;
  /** Required as `Authorization: Bearer <token>` from a socket. */
  token: string;
  clock: Clock;
  faults: FaultInjector;
  startDevWorker(options: DevWorkerRequest): { name: string; type: string };
  describe(): unknown;
}

type Json = Record<string, unknown>;

const optional = <T>(body: Json, key: string, type: "number" | "boolean" | "string"): T | undefined => {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new TypeError(`'${key}' must be a ${type}`);
  return v as T;
};

const USER_FIELDS: [string, "number" | "boolean" | "string"][] = [
  ["kudos", "number"],
  ["concurrency", "number"],
  ["trusted", "boolean"],
  ["moderator", "boolean"],
  ["flagged", "boolean"],
  ["deleted", "boolean"],
  ["service", "boolean"],
  ["education", "boolean"],
  ["customizer", "boolean"],
  ["pseudonymous", "boolean"],
  ["publicWorkers", "boolean"],
  ["workerInvited", "number"],
  ["contact", "string"],
];

function userFields(body: Json): Json {
  const out: Json = {};
  for (const [k, t] of USER_FIELDS) {
    const v = optional(body, k, t);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function adminRoutes(deps: AdminDeps): Hono {
  const app = new Hono();
  app.use("*", requireAdminToken(deps.token));
  const bad = (message: string) => Response.json({ message }, { status: 400 });
  const body = async (c: Context): Promise<Json> => {
    const b = await readJsonBody(c);
    if (b === null || typeof b !== "object" || Array.isArray(b))
      throw new TypeError("the body must be a JSON object");
    return b as Json;
  };
  /** Admin errors are the caller's mistakes: 400 with the reason. */
  const guarded = (fn: (c: Context) => Promise<Response> | Response) => async (c: Context) => {
    try {
      return await fn(c);
    } catch (e) {
      return bad(e instanceof Error ? e.message : String(e));
    }
  };

  app.get("/info", (c) => c.json(deps.describe() as Json, 200));

  app.post(
    "/users",
    guarded(async (c) => {
      const b = await body(c);
      if (typeof b.username !== "string") return bad("'username' (string) is required");
      return c.json(deps.admin.createUser({ username: b.username, ...userFields(b) }), 201);
    }),
  );

  app.post(
    "/users/seed",
    guarded(async (c) => {
      const b = await body(c);
      if (typeof b.username !== "string") return bad("'username' (string) is required");
      const apikey = optional<string>(b, "apikey", "string");
      return c.json(
        deps.admin.seedUser({ username: b.username, ...userFields(b), ...(apikey ? { apikey } : {}) }),
        200,
      );
    }),
  );

  app.get("/users", (c) => c.json(deps.admin.listUsers(), 200));

  app.get("/user", (c) => {
    const user = deps.admin.getUser(c.req.header("apikey") ?? "");
    return user ? c.json(user, 200) : c.json({ message: "No user with this API key." }, 404);
  });

  app.patch(
    "/user",
    guarded(async (c) => {
      const apikey = c.req.header("apikey") ?? "";
      if (!deps.admin.getUser(apikey)) return c.json({ message: "No user with this API key." }, 404);
      return c.json(deps.admin.updateUser(apikey, userFields(await body(c)) as UserPatch), 200);
    }),
  );

  app.put(
    "/modes",
    guarded(async (c) => {
      const b = await body(c);
      return c.json(
        deps.admin.setModes({
          maintenance: optional(b, "maintenance", "boolean"),
          inviteOnly: optional(b, "inviteOnly", "boolean"),
          raid: optional(b, "raid", "boolean"),
        }),
        200,
      );
    }),
  );

  app.put(
    "/workers/:name/maintenance",
    guarded(async (c) => {
      const b = await body(c);
      deps.admin.setWorkerMaintenance(
        c.req.param("name") ?? "",
        optional<boolean>(b, "on", "boolean") ?? true,
      );
      return c.body(null, 204);
    }),
  );

  app.get("/requests", (c) => c.json(deps.admin.listRequests(), 200));
  app.get("/jobs", (c) => c.json(deps.admin.listJobs(), 200));
  app.get("/unfinished", (c) => {
    const stats = deps.admin.stats();
    return c.json({ count: stats.unfinished, ids: stats.orphaned }, 200);
  });
  app.get("/stats", (c) => c.json(deps.admin.stats(), 200));

  app.post("/reset", (c) => {
    deps.admin.reset();
    return c.json({ ok: true }, 200);
  });

  app.get("/clock", (c) =>
    c.json({ now: deps.clock.now(), virtual: deps.clock instanceof VirtualClock }, 200),
  );

  app.post(
    "/clock/advance",
    guarded(async (c) => {
      const b = await body(c);
      if (!(deps.clock instanceof VirtualClock)) return bad("The emulator runs on the system clock.");
      if (typeof b.ms !== "number" || !(b.ms >= 0)) return bad("'ms' (a number ≥ 0) is required");
      return c.json({ now: await deps.admin.advanceClock(b.ms) }, 200);
    }),
  );

  app.post(
    "/devworkers",
    guarded(async (c) => {
      const b = ((await readJsonBody(c)) ?? {}) as Json;
      const type = optional<string>(b, "type", "string");
      if (type !== undefined && !["image", "text", "alchemy"].includes(type))
        return bad("'type' must be image, text or alchemy");
      const worker = deps.startDevWorker({
        type: type as DevWorkerRequest["type"],
        name: optional(b, "name", "string"),
        models: Array.isArray(b.models) ? (b.models as string[]) : undefined,
        forms: Array.isArray(b.forms) ? (b.forms as string[]) : undefined,
        maxPixels: optional(b, "maxPixels", "number"),
        nsfw: optional(b, "nsfw", "boolean"),
        generationMs: optional(b, "generationMs", "number"),
        popIntervalMs: optional(b, "popIntervalMs", "number"),
        amount: optional(b, "amount", "number"),
        speed: optional(b, "speed", "number"),
      });
      return c.json({ name: worker.name, type: worker.type }, 201);
    }),
  );

  app.get("/faults", (c) => c.json({ plan: deps.faults.current(), counts: deps.faults.counts() }, 200));
  const setFaults = guarded(async (c) => {
    const b = await body(c);
    const problem = checkPlan(b);
    if (problem) return bad(problem);
    deps.faults.set(b as unknown as FaultPlan);
    return c.json({ plan: deps.faults.current() }, 200);
  });
  app.put("/faults", setFaults);
  app.post("/faults", setFaults);
  app.delete("/faults", (c) => {
    deps.faults.clear();
    return c.json({ plan: deps.faults.current() }, 200);
  });
  app.get("/faults/counts", (c) => c.json(deps.faults.counts(), 200));
  app.delete("/faults/counts", (c) => {
    deps.faults.resetCounts();
    return c.json(deps.faults.counts(), 200);
  });

  return app;
}
