/**
 * Which worker may take which request (docs/server/workers.md#pop step 8, `can_generate`), and why not. The
 * first failing
 * rule names the `skipped` reason a pop reports.
 *
 * Simplified: no sampler tables per bridge beyond `lcm`, no IP safety, no paused workers, no
 * SDXL_beta/horde_special special-casing.
 */
import { DEFAULT_IMAGE_MODEL, imageModelInfo } from "../reference/models.js";
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
  | "kudos";

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

function modelsOverlap(worker: Worker, req: ImageRequest): boolean {
  // A request without models takes any model (docs/server/workers.md#pop).
  return req.models.length === 0 || req.models.some((m) => worker.models.includes(m));
}

/** The one model a batch runs with. The server picks at random from the overlap; this takes the first. */
export function chooseModel(worker: Worker, req: ImageRequest): string {
  if (req.models.length === 0) return worker.models[0] ?? DEFAULT_IMAGE_MODEL;
  return req.models.find((m) => worker.models.includes(m)) ?? (req.models[0] as string);
}

export function imageEligibility(
  store: HordeStore,
  worker: Worker,
  req: ImageRequest,
  /** Requesters the worker serves first; they also skip the upfront-kudos rule. */
  priorityUserIds?: ReadonlySet<number>,
): SkipReason | null {
  const p = req.params;
  const caps = worker.bridge.capabilities;
  if (p.width * p.height > worker.maxPixels) return "max_pixels";
  if (!modelsOverlap(worker, req)) return "models";
  if (req.workers.length > 0 && req.workers.includes(worker.id) === req.workerBlacklist) return "worker_id";
  if (req.nsfw && !worker.nsfw) return "nsfw";
  const owner = store.users.findById(worker.ownerId);
  if (req.trustedWorkers && !owner?.trusted) return "untrusted";
  // An unknown bridge has no r2 capability, and requests default to r2
  // (docs/server/workers.md#bridge-capabilities).
  if (req.r2 && !caps.has("r2")) return "bridge_version";
  if (worker.extraSlow && !req.extraSlowWorkers) return "performance";
  const speed = workerSpeed(worker);
  if (!req.slowWorkers && speed !== null && speed < SLOW_WORKER_THRESHOLD) return "performance";
  if (req.source) {
    const painting = req.sourceProcessing === "inpainting" || req.sourceProcessing === "outpainting";
    if (painting ? !worker.allowPainting : !worker.allowImg2img) return painting ? "painting" : "img2img";
    if (!caps.has(painting ? "inpainting" : "img2img")) return "bridge_version";
  }
  if ((p.loras?.length ?? 0) > 0 && (!worker.allowLora || !caps.has("lora"))) return "lora";
  if ((p.tis?.length ?? 0) > 0 && !caps.has("textual_inversion")) return "bridge_version";
  if (p.control_type && (!worker.allowControlnet || !caps.has("controlnet"))) return "controlnet";
  if ((p.post_processing?.length ?? 0) > 0 && !worker.allowPostProcessing) return "post-processing";
  if (needsNewerBridge(req, worker)) return "bridge_version";
  if (worker.limitMaxSteps && tooManySteps(req)) return "step_count";
  const prompt = req.prompt.toLowerCase();
  if (worker.blacklist.some((word) => word !== "" && prompt.includes(word.toLowerCase()))) return "blacklist";
  if (worker.requireUpfrontKudos) {
    const requester = store.users.findById(req.userId);
    const priority = priorityUserIds?.has(req.userId) ?? false;
    if (
      requester &&
      !requester.trusted &&
      !priority &&
      requester.kudos - requester.kudosFloor < req.kudosPerImage
    ) {
      return "kudos";
    }
  }
  return null;
}

/** With `limit_max_steps`: steps above the average of a model's min and max steps (docs/server/workers.md#pop step 8). */
function tooManySteps(req: ImageRequest): boolean {
  return req.models.some((m) => {
    const r = imageModelInfo(m)?.requirements;
    return (
      r?.min_steps !== undefined &&
      r.max_steps !== undefined &&
      req.params.steps > (r.min_steps + r.max_steps) / 2
    );
  });
}

function needsNewerBridge(req: ImageRequest, worker: Worker): boolean {
  const p = req.params;
  const caps = worker.bridge.capabilities;
  if (p.hires_fix && !caps.has("hires_fix")) return true;
  if (p.tiling === true && !caps.has("tiling")) return true;
  if (typeof p.clip_skip === "number" && p.clip_skip > 1 && !caps.has("clip_skip")) return true;
  if (p.workflow === "qr_code" && !caps.has("qr_code")) return true;
  if (p.sampler_name === "lcm" && !caps.has("lcm")) return true;
  if (p.transparent && !caps.has("layer_diffuse")) return true;
  if (req.extraSourceImages.length > 0 && !caps.has("extra_source_images")) return true;
  return false;
}
