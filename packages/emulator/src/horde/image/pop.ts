/**
 * `POST /v2/generate/pop` (docs/server/workers.md#pop steps 8–10, docs/server/workers.md#batch-size): scan
 * the image queue in priority order, skip what the
 * worker cannot do (counting why), and turn the first match into a batch of jobs.
 */
import type { Caller } from "../caller.js";
import {
  chooseModel,
  countImageSkips,
  imageCandidate,
  imageRefusal,
  type SkipReason,
} from "../matching/image.js";
import { accurateSteps } from "../pricing/image.js";
import { pyRound } from "../pricing/round.js";
import { queuedRequests } from "../queue.js";
import { isHeavyBaseline } from "../reference/models.js";
import { HEAVY_POST_PROCESSORS } from "../reference/post-processors.js";
import { fold32, randomSeed, seedToInt } from "../reference/seeds.js";
import { sourceForWorker } from "../source-images.js";
import { resultKey } from "../store/bucket.js";
import type { ImageParams, ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { idleImagePop, imagePop } from "../views/pop.js";
import { imageWorkerModels } from "../workers/checkin.js";
import { type PopContext, type PopKind, popWork, startJobs } from "../workers/pop.js";

type ImagePopAnswer = ReturnType<typeof imagePop> | ReturnType<typeof idleImagePop>;

const IMAGE_POP: PopKind<ImagePopAnswer> = {
  type: "image",
  priorityRc: "InvalidPriorityUsername",
  parseModels: imageWorkerModels,
  take(store, worker, ctx) {
    const queue = queuedRequests(store, "image");
    const loopSkips = new Map<SkipReason, number>();
    const tried = new Set<string>();
    // The owner's and priority users' requests first, then everyone's (docs/server/workers.md#pop step 8).
    for (const pass of [ctx.priorityUserIds, null]) {
      for (const req of queue) {
        if (tried.has(req.id) || !imageCandidate(worker, req, ctx.models, pass)) continue;
        tried.add(req.id);
        const why = imageRefusal(store, worker, req);
        if (why === null) {
          const answer = startBatch(store, worker, req, ctx);
          store.logger.debug?.("jobs popped", { worker: worker.name, ids: answer.ids });
          return { found: true, answer };
        }
        if (why !== "silent") loopSkips.set(why, (loopSkips.get(why) ?? 0) + 1);
      }
    }
    return { found: false, answer: idleImagePop(idleSkips(store, worker, queue, ctx.models, loopSkips)) };
  },
};

export function popImage(store: HordeStore, body: Record<string, unknown>, caller: Caller) {
  return popWork(store, IMAGE_POP, body, caller);
}

/**
 * What an idle pop reports (docs/server/workers.md#pop step 10): the counts over the whole queue, with the
 * kudos, blacklist and step-count skips of this pop's own scan, and its bridge-version skips added.
 */
function idleSkips(
  store: HordeStore,
  worker: Worker,
  queue: readonly ImageRequest[],
  offered: readonly string[],
  loop: ReadonlyMap<SkipReason, number>,
): Record<string, number> {
  const owner = store.users.findById(worker.ownerId);
  const out = countImageSkips(worker, owner?.trusted === true, queue, offered);
  for (const key of ["kudos", "blacklist", "step_count"] as const) {
    const n = loop.get(key);
    if (n !== undefined) out[key] = n;
  }
  const bridge = loop.get("bridge_version");
  if (bridge !== undefined) out.bridge_version = (out.bridge_version ?? 0) + bridge;
  return out;
}

/** docs/server/workers.md#batch-size: how many images of this request fit in one pop. */
export function batchSize(worker: Worker, amount: number, req: ImageRequest): number {
  const p = req.params;
  const pp = p.post_processing ?? [];
  const heavy = pp.some((x) => HEAVY_POST_PROCESSORS.has(x)) || p.transparent === true;
  const safe = (worker.maxPixels / 3.5) * amount;
  const cost = p.width * p.height * (1 + 0.4 * pp.length) * (heavy ? 1.8 : 1);
  let batch = Math.min(Math.max(pyRound(safe / cost), 1), amount);
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
  return variation ? fold32(base + variation * req.remaining) : base;
}

function startBatch(store: HordeStore, worker: Worker, req: ImageRequest, ctx: PopContext) {
  const now = store.now();
  const count = batchSize(worker, ctx.amount, req);
  const model = chooseModel(worker, req, ctx.models);
  const seed = payloadSeed(req);
  const ttl = jobTtlSeconds(req.params, req.models, worker.extraSlow);
  const ids = startJobs(store, worker, req, { count, model, seed, ttl }).map((j) => j.id);
  const caps = worker.bridge.capabilities;
  const presignable = caps.has("r2_source");
  const give = (image: ImageRequest["source"]) =>
    image ? sourceForWorker(store, image, ctx.origin, presignable) : undefined;
  return imagePop({
    req,
    ids,
    model,
    seed,
    ttl,
    uploads: ids.map((id) => store.r2.presign(ctx.origin, "PUT", resultKey(id), now)),
    // The source goes only to bridges that can do img2img (docs/server/workers.md#pop).
    source: req.source && caps.has("img2img") ? { image: give(req.source), mask: give(req.mask) } : undefined,
    extraSourceImages:
      req.extraSourceImages.length > 0 && caps.has("extra_source_images") ? req.extraSourceImages : undefined,
  });
}
