/**
 * Handing jobs to a worker (§5.1 steps 8–10, §5.2): scan the queue in priority order, skip what the
 * worker cannot do (counting why), and turn the first match into a batch of jobs.
 */
import { randomUUID } from "node:crypto";
import { schemas } from "horde-sdk";
import { resultKey } from "../r2/store.js";
import { HEAVY_POST_PROCESSORS } from "../rules/post-processors.js";
import { randomSeed, seedToInt } from "../rules/seed.js";
import { sourceForWorker } from "../rules/source-image.js";
import type { HordeState } from "./horde.js";
import { type Job, jobTtlSeconds } from "./jobs.js";
import { ALWAYS_REPORTED_SKIPS, chooseModel, eligibility, type SkipReason } from "./matching.js";
import { queuedRequests } from "./queue.js";
import { type ImageRequest, REQUEST_LIFETIME_MS, setRemaining } from "./requests.js";
import type { Worker } from "./workers.js";

/** Extra-slow workers keep the request alive for an hour per pop (§1.5). */
const EXTRA_SLOW_LIFETIME_MS = 60 * 60_000;

/** The payload fields the server marshals (ModelPayloadStable), in its order; anything else is dropped. */
const PAYLOAD_FIELDS = Object.keys(schemas.ModelPayloadStable.shape);
/** Model defaults that marshalling fills in when the request did not set the field. */
const PAYLOAD_DEFAULTS: Record<string, unknown> = {
  karras: false,
  tiling: false,
  hires_fix: false,
  transparent: false,
  image_is_control: false,
  return_control_map: false,
};

export interface PopOptions {
  amount: number;
  priorityUserIds: ReadonlySet<number>;
  /** Origin for the presigned upload URLs. */
  origin: string;
}

export type PopResponse =
  | {
      payload: Record<string, unknown>;
      id: string;
      ids: string[];
      skipped: Record<string, never>;
      model: string;
      source_image?: string;
      source_processing: string;
      source_mask?: string;
      extra_source_images?: unknown[];
      r2_upload: string;
      r2_uploads: string[];
      ttl: number;
      messages: unknown[];
    }
  | { id: null; ids: []; skipped: Record<string, number>; messages: unknown[] };

export function popJobs(state: HordeState, worker: Worker, opts: PopOptions): PopResponse {
  const queue = queuedRequests(state, "image");
  // The worker's owner and its priority users come first, each group in queue order (§5.1 step 8).
  const ordered = [
    ...queue.filter((r) => opts.priorityUserIds.has(r.userId)),
    ...queue.filter((r) => !opts.priorityUserIds.has(r.userId)),
  ];
  const skipped = new Map<SkipReason, number>();
  for (const req of ordered) {
    const why = eligibility(state, worker, req, { priorityUserIds: opts.priorityUserIds });
    if (why) {
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      continue;
    }
    return startBatch(state, worker, req, opts);
  }
  return { id: null, ids: [], skipped: skippedReport(skipped), messages: [] };
}

function skippedReport(skipped: Map<SkipReason, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ALWAYS_REPORTED_SKIPS) out[key] = skipped.get(key as SkipReason) ?? 0;
  for (const key of ["max_pixels", "kudos", "blacklist", "step_count"] as const) {
    const v = skipped.get(key) ?? 0;
    if (v > 0) out[key] = v;
  }
  return out;
}

/** §5.2: how many images of this request fit in one pop. */
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

/** The payload seed (§1.1.1): the request's, or a fresh random one per pop; plus seed_variation × remaining. */
function payloadSeed(req: ImageRequest): number {
  const base = seedToInt(req.params.seed) ?? randomSeed();
  const variation = req.params.seed_variation;
  return variation ? base + variation * req.remaining : base;
}

function startBatch(state: HordeState, worker: Worker, req: ImageRequest, opts: PopOptions): PopResponse {
  const now = state.now();
  const count = batchSize(worker, opts.amount, req);
  const model = chooseModel(worker, req);
  const seed = payloadSeed(req);
  const ttl = jobTtlSeconds(req.params, req.models, worker.extraSlow);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const job: Job = {
      id: randomUUID(),
      requestId: req.id,
      kind: "image",
      workerId: worker.id,
      workerName: worker.name,
      model,
      seed,
      startedAt: now,
      ttl,
      delivered: null,
      faultedAt: null,
    };
    state.addJob(job);
    ids.push(job.id);
  }
  setRemaining(req, req.remaining - count, now);
  req.expiresAt = now + (worker.extraSlow ? EXTRA_SLOW_LIFETIME_MS : REQUEST_LIFETIME_MS);
  const uploads = ids.map((id) => state.r2.presign(opts.origin, "PUT", resultKey(id), now));
  const presignable = worker.bridge.capabilities.has("r2_source");
  const sourceImage = req.source ? sourceForWorker(state, req.source, opts.origin, presignable) : undefined;
  const sourceMask = req.mask ? sourceForWorker(state, req.mask, opts.origin, presignable) : undefined;

  const response: PopResponse = {
    payload: buildPayload(req, seed, count),
    id: ids[0] as string,
    ids,
    skipped: {},
    model,
    // Present only for img2img: a presigned R2 URL for bridges with `r2_source`, base64 WebP otherwise.
    ...(sourceImage !== undefined ? { source_image: sourceImage } : {}),
    // QUIRK(§5.1): the field has a default, so it is present even for txt2img.
    source_processing: req.sourceProcessing,
    ...(sourceMask !== undefined ? { source_mask: sourceMask } : {}),
    ...(req.extraSourceImages.length > 0 ? { extra_source_images: req.extraSourceImages } : {}),
    r2_upload: uploads[0] as string,
    r2_uploads: uploads,
    ttl,
    messages: [],
  };
  return response;
}

/** The request's params without n, steps and seed_variation, plus what the worker needs (§5.1). */
function buildPayload(req: ImageRequest, seed: number, count: number): Record<string, unknown> {
  const source: Record<string, unknown> = {
    ...PAYLOAD_DEFAULTS,
    ...req.params,
    // QUIRK(§5.1, contract `ModelPayloadRootStable.seed`): the seed is an integer, but the payload model
    // declares a String field, so it is marshalled as a string ("12345").
    seed: String(seed),
    prompt: req.prompt,
    ddim_steps: req.params.steps,
    n_iter: count,
  };
  // Only a SFW request that asked for censoring gets the censor flag.
  if (!req.nsfw && req.censorNsfw) source.use_nsfw_censor = true;
  const payload: Record<string, unknown> = {};
  for (const field of PAYLOAD_FIELDS) {
    if (field === "seed_variation") continue;
    if (source[field] !== undefined) payload[field] = source[field];
  }
  return payload;
}
