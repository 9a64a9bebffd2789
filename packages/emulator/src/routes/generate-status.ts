/**
 * GET /v2/generate/check/{id}, GET and DELETE /v2/generate/status/{id} (§1.2–§1.5).
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import { requestOrigin } from "../http/request.js";
import { resultKey } from "../r2/store.js";
import type { HordeState } from "../state/horde.js";
import { jobState } from "../state/jobs.js";
import { cancelRequest, sweep } from "../state/lifecycle.js";
import { type StatusCheck, statusCheck } from "../state/progress.js";
import type { ImageRequest } from "../state/requests.js";

export interface GenerationView {
  worker_id: string;
  worker_name: string;
  model: string;
  state: "ok";
  img: string;
  seed: string;
  id: string;
  censored: boolean;
  gen_metadata: { type: string; value: string; ref?: string }[];
}

export interface StatusView extends StatusCheck {
  generations: GenerationView[];
  shared: boolean;
}

/**
 * Unknown, malformed and expired ids all look the same (§1.5). Image routes only see image requests.
 * `what` is the server's label in the message: "Check" or "Status".
 */
function findRequest(state: HordeState, id: string, what: "Check" | "Status"): ImageRequest {
  sweep(state);
  const req = state.findRequest("image", id);
  if (!req)
    throw err.notFound(`Image Waiting Prompt (${what}) with ID '${id}' not found.`, "RequestNotFound");
  return req;
}

/** The full status (§1.3): one generation per delivered job, in job order; faulted and in-flight ones are absent. */
export function statusView(state: HordeState, req: ImageRequest, origin: string): StatusView {
  const now = state.now();
  const generations: GenerationView[] = [];
  for (const job of state.jobsOf(req)) {
    if (jobState(job) !== "finished" || !job.delivered) continue;
    generations.push({
      worker_id: job.workerId,
      worker_name: job.workerName,
      model: job.model,
      // QUIRK(§1.3): the server never sets `state` for images, so it is always the default "ok".
      state: "ok",
      img: imageField(state, req, job.id, origin, now),
      // QUIRK(§1.3): the seed is a string.
      seed: String(job.seed),
      id: job.id,
      censored: job.delivered.censored,
      gen_metadata: job.delivered.genMetadata,
    });
  }
  return { ...statusCheck(state, req), generations, shared: req.shared };
}

/** r2: a fresh presigned GET URL, valid 1800 s from now; otherwise the WebP itself in base64, or "N/A". */
function imageField(
  state: HordeState,
  req: ImageRequest,
  jobId: string,
  origin: string,
  now: number,
): string {
  const key = resultKey(jobId);
  if (req.r2) return state.r2.presign(origin, "GET", key, now);
  const obj = state.r2.get(key, now);
  return obj ? Buffer.from(obj.bytes).toString("base64") : "N/A";
}

export function generateStatusRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.get("/v2/generate/check/:id", (c) => {
    const req = findRequest(state, c.req.param("id"), "Check");
    return c.json(statusCheck(state, req), 200);
  });

  app.get("/v2/generate/status/:id", (c) => {
    const req = findRequest(state, c.req.param("id"), "Status");
    return c.json(statusView(state, req, requestOrigin(c)), 200);
  });

  app.delete("/v2/generate/status/:id", (c) => {
    const req = findRequest(state, c.req.param("id"), "Status");
    // QUIRK(§1.4): DELETE returns the snapshot taken before the cancel, so `done` is usually still false.
    const before = statusView(state, req, requestOrigin(c));
    cancelRequest(state, req);
    ctx.logger.debug?.("request cancelled", { id: req.id });
    return c.json(before, 200);
  });

  return app;
}
