/**
 * Which image worker may take what (docs/server/workers.md#pop step 8), as the server decides it in three
 * parts:
 * - the pop's query keeps only candidates (`imageCandidate`): what fails there is skipped silently;
 * - each candidate goes through the worker's detailed check (`imageRefusal`), whose first failure names a
 *   `skipped` reason;
 * - a pop that finds nothing reports skips counted over the whole queue (`countImageSkips`, step 10).
 *
 * Not emulated: IP safety (every requester IP counts as safe), paused workers and their fake jobs.
 */

import { accurateSteps } from "../pricing/image.js";
import { runsSampler } from "../reference/bridges.js";
import {
  baselineOf,
  hasInpaintingModels,
  hasOnlyInpaintingModels,
  requirementsOf,
} from "../reference/models.js";
import { isPostProcessor } from "../reference/post-processors.js";
import type { ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type Worker, workerSpeed } from "../store/workers.js";

export type SkipReason =
  | "max_pixels"
  | "models"
  | "worker_id"
  | "nsfw"
  | "untrusted"
  | "bridge_version"
  | "performance"
  | "img2img"
  | "painting"
  | "lora"
  | "controlnet"
  | "post-processing"
  | "blacklist"
  | "step_count"
  | "kudos"
  | "unsafe_ip";

/** The keys a no-job pop always reports, 0 when nothing was skipped for that reason (docs/server/workers.md#pop step 10). */
export const ALWAYS_REPORTED_SKIPS = [
  "bridge_version",
  "untrusted",
  "performance",
  "controlnet",
  "post-processing",
  "lora",
  "nsfw",
  "unsafe_ip",
  "painting",
  "img2img",
  "worker_id",
  "models",
] as const;

/** Minimum speed for requests that turned `slow_workers` off: 0.5 MP·steps/s (docs/server/progress.md#counters). */
const SLOW_WORKER_THRESHOLD = 0.5e6;
/** A worker that has delivered nothing yet counts as doing 1 MP·step per second. */
const BASELINE_SPEED = 1e6;
const SDXL_BETA_MODEL = "SDXL_beta::stability.ai#6901";
const PAINTING = new Set(["inpainting", "outpainting"]);

/** The one model a batch runs with. The server picks at random from the overlap; this takes the first. */
export function chooseModel(worker: Worker, req: ImageRequest, offered: readonly string[]): string {
  if (req.models.length === 0) return offered[0] ?? worker.models[0] ?? "stable_diffusion";
  return req.models.find((m) => offered.includes(m)) ?? (req.models[0] as string);
}

const speedOf = (worker: Worker) => workerSpeed(worker) ?? BASELINE_SPEED;
const caps = (worker: Worker) => worker.bridge.capabilities;

/** The request's allow or deny list lets this worker in. */
function targets(worker: Worker, req: ImageRequest): boolean {
  if (req.workers.length === 0) return true;
  return req.workers.includes(worker.id) !== req.workerBlacklist;
}

/**
 * The pop's query (the server's SQL): a request the worker cannot take at all, or not in this pass, is
 * left out without a reason. `priority` is the first pass over the owner's and priority users' requests.
 */
export function imageCandidate(
  worker: Worker,
  req: ImageRequest,
  offered: readonly string[],
  priority: ReadonlySet<number> | null,
): boolean {
  const p = req.params;
  const c = caps(worker);
  if (p.width * p.height > worker.maxPixels) return false;
  const servesModel = req.models.some((m) => offered.includes(m));
  const anyModel =
    req.models.length === 0 &&
    !offered.some((m) => m.includes("horde_special")) &&
    !offered.includes(SDXL_BETA_MODEL);
  if (!servesModel && !anyModel) return false;
  if (req.source && !worker.allowImg2img) return false;
  if (PAINTING.has(req.sourceProcessing) && !worker.allowPainting) return false;
  if (req.extraSourceImages.length > 0 && !c.has("extra_source_images")) return false;
  if (req.nsfw && !worker.nsfw) return false;
  if (req.r2 && !c.has("r2")) return false;
  if (p.loras !== undefined && !(worker.allowLora && c.has("lora"))) return false;
  if (p.tis !== undefined && !c.has("textual_inversion")) return false;
  // QUIRK(docs/server/workers.md#pop step 8): the query looks for a "post-processing" key, which params never
  // have, so post-processing is only checked in detail.
  if (p.control_type !== undefined && !(worker.allowControlnet && c.has("controlnet"))) return false;
  if (speedOf(worker) < SLOW_WORKER_THRESHOLD && !req.slowWorkers) return false;
  if (worker.extraSlow && !req.extraSlowWorkers) return false;
  if (p.transparent === true && !(c.has("layer_diffuse") && worker.allowSdxlControlnet)) return false;
  if (priority) {
    if (!priority.has(req.userId)) return false;
  } else if (worker.maintenance && req.userId !== worker.ownerId) return false;
  return targets(worker, req);
}

/**
 * The worker's detailed check of a candidate (the server's `can_generate`): the first failure's reason,
 * `"silent"` for one that is not reported, or null when the worker may take it.
 */
export function imageRefusal(
  store: HordeStore,
  worker: Worker,
  req: ImageRequest,
): SkipReason | "silent" | null {
  const p = req.params;
  const c = caps(worker);
  if (worker.maintenance && req.userId !== worker.ownerId) return "silent";
  if (req.nsfw && !worker.nsfw) return "nsfw";
  const owner = store.users.findById(worker.ownerId);
  if (req.trustedWorkers && !owner?.trusted) return "untrusted";
  const prompt = req.prompt.toLowerCase();
  if (worker.blacklist.some((word) => prompt.includes(word.toLowerCase()))) return "blacklist";
  if (!targets(worker, req)) return "worker_id";
  if (req.source && !c.has("img2img")) return "img2img";
  if (PAINTING.has(req.sourceProcessing)) {
    if (!c.has("inpainting")) return "painting";
    if (!hasInpaintingModels(worker.models)) return "models";
    if (!worker.allowPainting) return "painting";
  } else if (hasOnlyInpaintingModels(worker.models)) return "models";
  if (!runsSampler(worker.bridge, p.sampler_name, p.karras === true)) return "bridge_version";
  const postProcessing = p.post_processing ?? [];
  if (postProcessing.length > 0 && !c.has("post-processing")) return "bridge_version";
  if (postProcessing.some((pp) => isPostProcessor(pp) && !c.has(pp))) return "bridge_version";
  if (req.source && !worker.allowImg2img) return "img2img";
  const onlyInpainting = (models: readonly string[]) =>
    models.length === 1 && models[0] === "stable_diffusion_inpainting";
  if (!req.source && (onlyInpainting(worker.models) || onlyInpainting(req.models))) return "models";
  if (p.tiling === true && !c.has("tiling")) return "bridge_version";
  if (p.return_control_map === true && !c.has("return_control_map")) return "bridge_version";
  if (p.control_type) {
    if (!c.has("controlnet") || !c.has("image_is_control")) return "bridge_version";
    if (!worker.allowControlnet) return "controlnet";
  }
  const baselines = new Set(worker.models.map(baselineOf));
  if (p.workflow === "qr_code") {
    if (!c.has("controlnet") || !c.has("qr_code")) return "bridge_version";
    if (baselines.has("stable_diffusion_xl") && !worker.allowSdxlControlnet) return "controlnet";
  }
  if (p.hires_fix === true && !c.has("hires_fix")) return "bridge_version";
  if (p.hires_fix === true && baselines.has("stable_cascade") && !c.has("stable_cascade_2pass")) {
    return "bridge_version";
  }
  if (baselines.has("flux_1") && !c.has("flux")) return "bridge_version";
  if (typeof p.clip_skip === "number" && p.clip_skip > 1 && !c.has("clip_skip")) return "bridge_version";
  if ((p.loras ?? []).some((l) => l.is_version) && !c.has("lora_versions")) return "bridge_version";
  if (worker.limitMaxSteps && tooManySteps(worker, req)) return "step_count";
  if (!worker.allowPostProcessing && postProcessing.length > 0) return "post-processing";
  if (worker.requireUpfrontKudos) {
    const requester = store.users.findById(req.userId);
    if (requester && !requester.trusted) {
      // QUIRK(docs/server/workers.md#pop step 8): the balance is taken less the floor only when positive, and
      // the priority users meant to pass this rule are never listed.
      const available = requester.kudos > 0 ? requester.kudos - requester.kudosFloor : requester.kudos;
      if (available < req.kudosPerImage) return "kudos";
    }
  }
  return null;
}

/** Whether a worker could serve the request now (`is_possible`, docs/server/progress.md#counters). */
export function imageWorkerServes(store: HordeStore, worker: Worker, req: ImageRequest): boolean {
  const owner = store.users.findById(worker.ownerId);
  const p = req.params;
  if (req.workers.length > 0 && !targets(worker, req)) return false;
  if (req.models.length > 0 && !req.models.some((m) => worker.models.includes(m))) return false;
  if (req.trustedWorkers && !owner?.trusted) return false;
  if (req.nsfw && !worker.nsfw) return false;
  if (worker.maintenance && req.userId !== worker.ownerId) return false;
  if (p.width * p.height > worker.maxPixels) return false;
  if (req.source && !worker.allowImg2img) return false;
  if (!req.slowWorkers && speedOf(worker) < SLOW_WORKER_THRESHOLD) return false;
  if (p.loras !== undefined && !worker.allowLora) return false;
  return imageRefusal(store, worker, req) === null;
}

/** With `limit_max_steps`: accurate steps above the average of a model's min and max steps (defaults 20 and 40). */
function tooManySteps(worker: Worker, req: ImageRequest): boolean {
  // QUIRK(docs/server/workers.md#pop step 8): the request's models when it names more than one, else the
  // worker's own.
  const models = req.models.length > 1 ? req.models : worker.models;
  const steps = accurateSteps(req.params.steps, req.params.sampler_name);
  return models.some((m) => {
    const r = requirementsOf(m);
    return steps > Math.trunc((r.min_steps ?? 20) + (r.max_steps ?? 40)) / 2;
  });
}

/**
 * The skips an idle pop reports (docs/server/workers.md#pop step 10): counted over every request waiting in
 * the queue, one count per rule (a request can count under several), whatever this worker looked at.
 */
export function countImageSkips(
  worker: Worker,
  ownerTrusted: boolean,
  queue: readonly ImageRequest[],
  offered: readonly string[],
): Record<string, number> {
  const c = caps(worker);
  const counts = new Map<string, number>();
  // A worker in maintenance only ever sees its owner's requests.
  const visible = queue.filter((r) => !worker.maintenance || r.userId === worker.ownerId);
  const count = (key: string, when: (r: ImageRequest) => boolean) => {
    const n = visible.filter(when).length;
    if (n > 0) counts.set(key, (counts.get(key) ?? 0) + n);
  };
  /** A rule the worker's settings or its bridge can fail: the settings' reason, else `bridge_version`. */
  const either = (bySettings: boolean, reason: string, when: (r: ImageRequest) => boolean) =>
    count(bySettings ? reason : "bridge_version", when);
  // QUIRK(docs/server/workers.md#pop step 10): a request counts under `models` as soon as one of its models is
  // not offered, and under `max_pixels` from an area equal to the worker's limit.
  count("models", (r) => r.models.some((m) => !offered.includes(m)));
  count("worker_id", (r) => r.workers.length > 0 && !targets(worker, r));
  count("max_pixels", (r) => r.params.width * r.params.height >= worker.maxPixels);
  if (!worker.allowImg2img || !c.has("img2img"))
    either(!worker.allowImg2img, "img2img", (r) => r.source !== undefined);
  if (!worker.allowPainting || !c.has("inpainting")) {
    either(!worker.allowPainting, "painting", (r) => PAINTING.has(r.sourceProcessing));
  }
  if (!worker.nsfw) count("nsfw", (r) => r.nsfw);
  if (!worker.allowLora || !c.has("lora"))
    either(!worker.allowLora, "lora", (r) => r.params.loras !== undefined);
  if (!c.has("textual_inversion")) count("bridge_version", (r) => r.params.tis !== undefined);
  if (!worker.allowControlnet || !c.has("controlnet")) {
    either(!worker.allowControlnet, "controlnet", (r) => r.params.control_type !== undefined);
  }
  if (speedOf(worker) <= SLOW_WORKER_THRESHOLD) count("performance", (r) => !r.slowWorkers);
  if (worker.extraSlow) count("performance", (r) => !r.extraSlowWorkers);
  if (!ownerTrusted) count("untrusted", (r) => r.trustedWorkers);
  count("bridge_version", (r) => {
    const p = r.params;
    return (
      !runsSampler(worker.bridge, p.sampler_name, p.karras === true) ||
      (p.hires_fix === true && !c.has("hires_fix")) ||
      (p.return_control_map === true && !c.has("return_control_map")) ||
      (p.tiling === true && !c.has("tiling")) ||
      (p.transparent === true && !c.has("layer_diffuse"))
    );
  });
  const out: Record<string, number> = Object.fromEntries(counts);
  for (const key of ALWAYS_REPORTED_SKIPS) out[key] ??= 0;
  return out;
}
