/**
 * POST /v2/generate/pop (§5.1): the worker side's "give me work", checks in the server's order.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, HordeApiError } from "../http/errors.js";
import { missingParameter, readJsonBody, requestOrigin, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import type { HordeState } from "../state/horde.js";
import { sweep } from "../state/lifecycle.js";
import { popJobs } from "../state/pop.js";
import type { User } from "../state/users.js";
import type { WorkerDeclaration } from "../state/workers.js";

export function generatePopRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/pop", async (c) => {
    const body = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("PopInputStable", body);
    const apikey = requireApiKey(c);
    // `name` is optional in the body model but required by the parser (§5.1).
    if (typeof body.name !== "string")
      throw missingParameter("name", "The Name of the Worker.", "the JSON body");
    const decl = withPopDefaults(body);
    sweep(state);
    const now = state.now();

    // 1. Priority usernames must look like alias#id.
    if (decl.priorityUsernames.some((u) => !u.includes("#"))) {
      throw err.badRequest("Priority usernames need to be in the form alias#id.", "InvalidPriorityUsername");
    }
    // 2. Who is asking.
    const user = state.users.findByKey(apikey);
    if (!user) throw err.invalidApiKey("pop");
    if (user.anonymous) throw err.forbidden("Anonymous users cannot run workers.", "AnonForbiddenWorker");

    // 5./6. A new name creates a worker; an existing one must be the caller's.
    let worker = state.workers.findByName(decl.name);
    if (!worker) {
      checkNewWorker(state, user, decl);
      worker = state.workers.create(user.id, decl, now);
      ctx.logger.info?.("worker registered", { name: worker.name, owner: user.username });
    } else if (worker.ownerId !== user.id) {
      throw err.forbidden(`Wrong credentials to submit as this worker.`, "WrongCredentials");
    }

    // 7. Check-in, 8.–10. matching.
    state.workers.checkIn(worker, decl, now);
    const priorityUserIds = new Set<number>([user.id]);
    for (const name of decl.priorityUsernames) {
      const u = state.users.findByUsername(name);
      if (u) priorityUserIds.add(u.id);
    }
    const result = popJobs(state, worker, { amount: decl.amount, priorityUserIds, origin: requestOrigin(c) });
    if (result.id !== null) ctx.logger.debug?.("jobs popped", { worker: worker.name, ids: result.ids });
    return c.json(result, 200);
  });

  return app;
}

/** The parser's runtime defaults for a pop (§5.1), which differ from the swagger's in several places. */
function withPopDefaults(body: Record<string, unknown>): WorkerDeclaration {
  const b = (k: string, d: boolean) => (typeof body[k] === "boolean" ? (body[k] as boolean) : d);
  const n = (k: string, d: number) => (typeof body[k] === "number" ? (body[k] as number) : d);
  const list = (k: string) => (Array.isArray(body[k]) ? (body[k] as string[]) : []);
  return {
    name: body.name as string,
    priorityUsernames: list("priority_usernames"),
    nsfw: b("nsfw", true),
    models: list("models"),
    bridgeAgent: typeof body.bridge_agent === "string" ? body.bridge_agent : "unknown:0:unknown",
    threads: n("threads", 1),
    requireUpfrontKudos: b("require_upfront_kudos", false),
    amount: n("amount", 1),
    extraSlow: b("extra_slow_worker", false),
    maxPixels: n("max_pixels", 262144),
    blacklist: list("blacklist"),
    allowImg2img: b("allow_img2img", true),
    allowPainting: b("allow_painting", true),
    allowUnsafeIpaddr: b("allow_unsafe_ipaddr", true),
    allowPostProcessing: b("allow_post_processing", true),
    allowControlnet: b("allow_controlnet", false),
    allowSdxlControlnet: b("allow_sdxl_controlnet", false),
    allowLora: b("allow_lora", false),
    limitMaxSteps: b("limit_max_steps", false),
  };
}

/**
 * The checks before a worker is created (§5.1 step 5). Simplified: no profanity filter and no IP
 * limits; an untrusted user may have 3 workers (or as many as invited), a trusted one 20.
 */
function checkNewWorker(state: HordeState, user: User, decl: WorkerDeclaration): void {
  if (/colab|tpu|google/i.test(decl.name)) {
    throw err.badRequest("Worker names cannot contain 'colab', 'tpu' or 'google'.");
  }
  const count = state.workers.ownedBy(user.id).length;
  if (!user.trusted && count >= Math.max(3, user.workerInvited)) {
    throw new HordeApiError(403, "TooManyWorkers", "Untrusted users can only have up to 3 workers.");
  }
  if (user.trusted && count >= Math.max(20, user.workerInvited)) {
    throw new HordeApiError(403, "TooManyWorkersTrusted", "You have reached the maximum number of workers.");
  }
}
