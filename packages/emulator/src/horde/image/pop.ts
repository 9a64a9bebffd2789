/**
 * `POST /v2/generate/pop` (docs/server/workers.md#pop steps 8–10, docs/server/workers.md#batch-size): scan
 * the image queue in priority order, skip what the
 * worker cannot do (counting why), and turn the first match into a batch of jobs.
 */
import type { Caller } from "../caller.js";
import { ALWAYS_REPORTED_SKIPS, chooseModel, imageEligibility, type SkipReason } from "../matching/image.js";
import { accurateSteps } from "../pricing/image.js";
import { isHeavyBaseline } from "../reference/models.js";
import { HEAVY_POST_PROCESSORS } from "../reference/post-processors.js";
import { randomSeed, seedToInt } from "../reference/seeds.js";
import { sourceForWorker } from "../source-images.js";
import { resultKey } from "../store/bucket.js";
import type { ImageParams, ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { imagePop } from "../views/pop.js";
import { type PopContext, popWork, queuePop, startJobs } from "../workers/pop.js";

const IMAGE_POP = queuePop({
  kind: "image",
  whyNot: imageEligibility,
  skipReport,
  start: startBatch,
});

export function popImage(store: HordeStore, body: Record<string, unknown>, caller: Caller) {
  return popWork(store, IMAGE_POP, body, caller);
}

/** The always-reported reasons (0 when none), then the others that occurred (docs/server/workers.md#pop step 10). */
function skipReport(skipped: Map<SkipReason, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ALWAYS_REPORTED_SKIPS) out[key] = skipped.get(key as SkipReason) ?? 0;
  for (const key of ["max_pixels", "kudos", "blacklist", "step_count"] as const) {
    const v = skipped.get(key) ?? 0;
    if (v > 0) out[key] = v;
  }
  return out;
}

/** docs/server/workers.md#batch-size: how many images of this request fit in one pop. */
export function batchSize(worker: Worker, amount: number, req: ImageRequest): number {
  const p = req.params;
  const pp = p.post_processing ?? [];
  const heavy = pp.some((x) => HEAVY_POST_PROCESSORS.has(x)) || p.transparent === true;
  const safe = (worker.maxPixels / 3.5) * amount;
  const cost = p.width * p.height * (1 + 0.4 * pp.length) * (heavy ? 1.8 : 1);
  let batch = Math.min(Math.max(Math.round(safe / cost), 1), amount);
  batch = Math.min(batch, req.remaining);
  return req.disableBatching ? 1 : batch;
}

/** The job ttl of docs/server/progress.md#job-ttl-restarts-and-faulting, in whole seconds. */
export function jobTtlSeconds(
  params: ImageParams,
  models: readonly string[],
  extraSlowWorker: boolean,
): number {
  let ttl =
    30 + accurateSteps(params.steps, params.sampler_name) * 2 * ((params.width * params.height) / 262144);
  if (params.control_type) ttl *= 2;
  if (models.some(isHeavyBaseline)) ttl *= 3;
  ttl = Math.max(ttl, 150);
  if (extraSlowWorker) ttl *= 3;
  return Math.round(ttl);
}

/** The payload seed (docs/server/image-requests.md#params): the request's, or a fresh random one per pop; plus seed_variation × remaining. */
function payloadSeed(req: ImageRequest): number {
  const base = seedToInt(req.params.seed) ?? randomSeed();
  const variation = req.params.seed_variation;
  return variation ? base + variation * req.remaining : base;
}

function startBatch(store: HordeStore, worker: Worker, req: ImageRequest, ctx: PopContext) {
  const now = store.now();
  const count = batchSize(worker, ctx.amount, req);
  const model = chooseModel(worker, req);
  const seed = payloadSeed(req);
  const ttl = jobTtlSeconds(req.params, req.models, worker.extraSlow);
  const ids = startJobs(store, worker, req, { count, model, seed, ttl }).map((j) => j.id);
  const presignable = worker.bridge.capabilities.has("r2_source");
  return imagePop({
    req,
    ids,
    model,
    seed,
    ttl,
    uploads: ids.map((id) => store.r2.presign(ctx.origin, "PUT", resultKey(id), now)),
    sourceImage: req.source ? sourceForWorker(store, req.source, ctx.origin, presignable) : undefined,
    sourceMask: req.mask ? sourceForWorker(store, req.mask, ctx.origin, presignable) : undefined,
  });
}
