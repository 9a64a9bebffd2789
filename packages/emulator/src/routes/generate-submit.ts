/**
 * POST /v2/generate/submit (§5.3): a worker delivers (or gives up on) one image job.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import { missingParameter, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { resultKey } from "../r2/store.js";
import { burn, workerReward } from "../rules/kudos.js";
import { settleDelivery } from "../state/delivery.js";
import type { GenMetadata } from "../state/jobs.js";
import { thingsPerImage } from "../state/queue.js";
import { resolveSubmit } from "./job-submit.js";

const MAX_METADATA_ENTRIES = 50;

interface SubmitBody {
  id: string;
  generation: string;
  state?: "ok" | "censored" | "faulted" | "csam";
  seed: number;
  gen_metadata?: GenMetadata[];
}

export function generateSubmitRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/submit", async (c) => {
    const raw = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("SubmitInputStable", raw);
    const apikey = requireApiKey(c);
    if (typeof raw.generation !== "string") {
      throw missingParameter(
        "generation",
        "R2 result was uploaded to R2, else the string of the result.",
        "the JSON body",
      );
    }
    const body = raw as unknown as SubmitBody;
    const target = resolveSubmit(ctx, c, "image", body.id, apikey, body.state);
    if (target.kind === "reply") return target.response;
    const { job, req, worker } = target;
    if (req.kind !== "image") throw new Error("unreachable: image submit resolved a text job");

    // 5. Store the result, pay the worker, charge the requester.
    const now = state.now();
    if (body.generation !== "R2") {
      // The worker sent base64: the server uploads it to R2 itself (with a warning in its log).
      state.r2.put(resultKey(job.id), Buffer.from(body.generation, "base64"), "image/webp", now);
    }
    const genMetadata = body.gen_metadata ?? [];
    // The `censored` flag and `state: censored|csam` are ignored for images: only the metadata counts.
    const censored = genMetadata.some((m) => m.type === "censorship");
    const reward = workerReward(req.kudosPerImage, job.model, req.params);
    job.seed = body.seed;
    job.delivered = { at: now, censored, genMetadata, reward };
    const charge = censored
      ? 0
      : burn(reward, {
          sourceImage: req.source !== undefined,
          sourceMask: req.mask !== undefined,
          sourceProcessing: req.sourceProcessing,
          slowWorkers: req.slowWorkers,
          workerBlacklist: req.workerBlacklist,
          postProcessing: req.params.post_processing ?? [],
        });
    settleDelivery(state, req, job, worker, { reward, charge, things: thingsPerImage(req) });

    if (genMetadata.length > MAX_METADATA_ENTRIES) {
      // QUIRK(§5.3): refused only after the result was recorded.
      throw err.badRequest("Too many metadata fields.");
    }
    return c.json({ reward }, 200);
  });

  return app;
}
