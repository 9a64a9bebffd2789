/**
 * POST /v2/generate/pop (§5.1): the image worker's "give me work", checks in the server's order.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { missingParameter, readJsonBody, requestOrigin, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { sweep } from "../state/lifecycle.js";
import { popJobs } from "../state/pop.js";
import type { WorkerDeclaration } from "../state/workers.js";
import { checkInWorker, commonDeclaration, maintenanceRefusal } from "./worker-checkin.js";

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
    sweep(state);
    const { worker, priorityUserIds } = checkInWorker(
      ctx,
      apikey,
      imageDeclaration(body),
      "InvalidPriorityUsername",
    );

    // 8.–10. Matching, or the reasons nothing matched.
    const result = popJobs(state, worker, {
      amount: typeof body.amount === "number" ? body.amount : 1,
      priorityUserIds,
      origin: requestOrigin(c),
    });
    if (result.id === null && worker.maintenance) throw maintenanceRefusal(worker);
    if (result.id !== null) ctx.logger.debug?.("jobs popped", { worker: worker.name, ids: result.ids });
    return c.json(result, 200);
  });

  return app;
}

/** The parser's runtime defaults for an image pop (§5.1), which differ from the swagger's in several places. */
function imageDeclaration(body: Record<string, unknown>): WorkerDeclaration {
  const b = (k: string, d: boolean) => (typeof body[k] === "boolean" ? (body[k] as boolean) : d);
  return {
    ...commonDeclaration("image", body),
    maxPixels: typeof body.max_pixels === "number" ? body.max_pixels : 262144,
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
