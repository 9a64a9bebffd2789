/**
 * A new image request (`POST /v2/generate/async`, docs/server/image-requests.md#submit): the image's steps of
 * the shared pipeline
 * (`requests/pipeline.ts`) — the dry-run cache, the image checks and warnings, the upfront rule with its
 * downgrade, the estimate, and activation with the source images.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { accurateSteps, activationTax, baseKudos, type ChargeFlags, dryRunKudos } from "../pricing/image.js";
import { pyRound } from "../pricing/round.js";
import { queuedJobs } from "../progress.js";
import { baselineOf, requirementsOf } from "../reference/models.js";
import { activeThreads } from "../requests/checks.js";
import {
  type RequestKindSteps,
  requestBase,
  type SubmitOutcome,
  submitRequest,
} from "../requests/pipeline.js";
import { imageStylePrompt } from "../requests/style.js";
import { ingestSourceImage } from "../source-images.js";
import type { ImageParams, ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { fillParams, type ImageRequestInput, imageInput } from "./input.js";
import { SDXL_BETA_MODEL, validateImageRequest } from "./validate.js";
import { imageWarnings, type Warning } from "./warnings.js";

const DRY_RUN_CACHE_MS = 2 * 24 * 3600_000;

/** The image request as it goes through the steps. */
interface ImageDraft {
  input: ImageRequestInput;
  /** `params` with the server's defaults; the downgrade replaces them. */
  params: ImageParams;
  /** The models the request keeps (the SDXL_beta comparison takes the list over). */
  models: string[];
  /** The job count: `n`, or 2 for the SDXL_beta comparison. */
  n: number;
  /** Whether slow workers may serve it (a downgrade turns it on). */
  slowWorkers: boolean;
  /** The dry-run cache key of the request as sent (before any downgrade). */
  cacheKey: string;
  warnings: Warning[];
}

/** Answers a schema-valid body: a dry-run estimate, or the new request's 202. */
export function submitImage(
  store: HordeStore,
  body: Record<string, unknown>,
  caller: Caller,
): Promise<SubmitOutcome> {
  const input = imageInput(body);
  const params = fillParams(input.params);
  const draft: ImageDraft = {
    input,
    params,
    models: [...input.models],
    n: input.n,
    slowWorkers: input.slowWorkers,
    cacheKey: dryRunCacheKey(input),
    warnings: [],
  };
  return submitRequest(store, IMAGE_STEPS, draft, caller);
}

const IMAGE_STEPS: RequestKindSteps<ImageDraft> = {
  kind: "image",
  common: (d) => d.input,

  cachedDryRun: (store, d) => store.cachedDryRun(d.cacheKey),

  // The style's params replace the request's, except n, and width and height when the style has none.
  applyStyle(d, style) {
    const raw: Record<string, unknown> = { ...structuredClone(style.params) };
    delete raw.n;
    for (const k of ["width", "height"]) if (!(k in raw) && k in d.input.params) raw[k] = d.input.params[k];
    const input = {
      ...d.input,
      prompt: imageStylePrompt(style.prompt, d.input.prompt),
      models: [...style.models],
      params: raw,
    };
    return { ...d, input, params: fillParams(raw) };
  },

  sharedKeyNeeds: (_store, d) => ({
    kudos: estimate(d),
    refusal: (left) =>
      `This shared key does not have enough remaining kudos (${left}) to fulfill this request (${estimate(d)}).`,
    pixels: d.params.width * d.params.height,
    steps: d.params.steps,
  }),

  validate(_store, d, user, caller) {
    // The warnings of the model reference come first (docs/server/image-requests.md#warnings).
    const warnings = imageWarnings(d.input.models, d.input.params);
    const { models, n } = validateImageRequest(d.input, user, caller);
    return { ...d, models, n, warnings };
  },

  upfront(store, d) {
    const rule = upfrontRule(d, activeThreads(store, "image"), queuedJobs(store, "image"));
    if (!rule.needed) return null;
    const needed = estimate(d);
    return {
      needed,
      refusal:
        `Due to heavy demand, for requests over ${rule.maxRes}x${rule.maxRes} or over 50 steps (10 steps for ` +
        "LCM work, 30 steps for Stable Cascade, and half those steps for k_heun, dpmpp_sde, and dpm_2*) " +
        "the client needs to already have the required kudos. " +
        `This request requires ${pyFloat(needed)} kudos to fulfil.`,
      downgraded: () => ({ ...d, slowWorkers: true, params: downgrade(d.params, rule.maxRes, d.models) }),
    };
  },

  // The total estimate, cached for everybody for 2 days.
  estimate(store, d) {
    const kudos = estimate(d);
    store.cacheDryRun(d.cacheKey, kudos, store.now() + DRY_RUN_CACHE_MS);
    return kudos;
  },

  async activate(store, d, user, caller, hold) {
    const { input, params, n } = d;
    // Source images are checked and stored.
    const id = randomUUID();
    const source = input.sourceImage
      ? await ingestSourceImage(store, input.sourceImage, `${id}_src.webp`)
      : undefined;
    const mask =
      source && input.sourceMask
        ? await ingestSourceImage(store, input.sourceMask, `${id}_msk.webp`)
        : undefined;
    if (input.sourceProcessing === "inpainting" && source && !mask && !source.hasAlpha && !source.url) {
      throw err.badRequest(
        "Image validation failed. Inpainting requests must either include a mask, or an alpha channel.",
        "InpaintingMissingMask",
      );
    }
    const req: ImageRequest = {
      ...requestBase(
        store,
        { ...input, models: d.models, slowWorkers: d.slowWorkers },
        { id, user, caller, hold, jobs: n },
      ),
      kind: "image",
      params,
      nsfw: input.nsfw,
      censorNsfw: input.censorNsfw,
      r2: input.r2,
      shared: d.models.includes(SDXL_BETA_MODEL),
      // QUIRK(docs/server/image-requests.md#submit-order step 6): the qr_code workflow forces
      // disable_batching.
      disableBatching: input.disableBatching || params.workflow === "qr_code",
      source,
      sourceProcessing: input.sourceProcessing,
      mask,
      extraSourceImages: input.extraSourceImages,
      warnings: d.warnings,
      kudosPerImage: baseKudos(params, chargeFlags(d)),
      consumedKudos: activationTax(input.extraSourceImages.length),
    };
    return req;
  },
};

/** The dry-run estimate of the draft as it stands (docs/server/kudos.md#charge-and-reward), unrounded. */
function estimate(d: ImageDraft): number {
  const flags = chargeFlags(d);
  return dryRunKudos(baseKudos(d.params, flags), d.n, d.models, d.params, flags);
}

function chargeFlags(d: ImageDraft): ChargeFlags {
  return {
    sourceImage: d.input.sourceImage !== undefined,
    sourceMask: d.input.sourceMask !== undefined,
    sourceProcessing: d.input.sourceProcessing,
    slowWorkers: d.slowWorkers,
    workerBlacklist: d.input.workerBlacklist,
    postProcessing: d.params.post_processing ?? [],
  };
}

/**
 * The dry-run cache key: the params as sent (with `n`), the models as sent, and the source flags
 * (docs/server/image-requests.md#submit-order step 3). `slow_workers` and `worker_blacklist` are left out.
 */
function dryRunCacheKey(input: ImageRequestInput): string {
  const key = JSON.stringify({
    params: { ...input.params, n: input.n },
    models: input.models,
    source_processing: input.sourceImage ? input.sourceProcessing : "txt2img",
    source_image: Boolean(input.sourceImage),
    source_mask: Boolean(input.sourceMask),
  });
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Whether the request needs its estimate available up front, and the `max_res` the rules used
 * (docs/server/kudos.md#upfront-kudos). Without slow workers the rule is decided before `max_res` is clamped.
 */
export function upfrontRule(
  d: { params: ImageParams; models: readonly string[]; slowWorkers: boolean },
  activeThreads: number,
  queuedRequests: number,
): { needed: boolean; maxRes: number } {
  let maxRes = 1024 + activeThreads * 10 - pyRound(queuedRequests * 0.9);
  if (!d.slowWorkers) return { needed: true, maxRes };
  maxRes = Math.max(maxRes, 576);
  // QUIRK(docs/server/kudos.md#upfront-kudos): the SD 2 rule compares with a spelling the reference never
  // uses, so it never raises max_res to 768.
  if (
    maxRes < 1024 &&
    d.models.some((m) => ["stable_diffusion_xl", "stable_cascade", "flux_1"].includes(baselineOf(m)))
  ) {
    maxRes = 1024;
  }
  maxRes = Math.min(maxRes, 1024);
  const { params } = d;
  const steps = accurateSteps(params.steps, params.sampler_name);
  const needed =
    (usesLcm(params) && steps > 10) ||
    d.models.some((m) => (requirementsOf(m).max_steps ?? 40) < steps) ||
    params.width * params.height > maxRes * maxRes ||
    (params.control_type !== undefined && steps > 20);
  return { needed, maxRes };
}

/**
 * `allow_downgrade` (docs/server/kudos.md#upfront-kudos): the area scaled down to `maxRes²` (sides floored to
 * multiples of 64, trimmed until they fit, at least 512²), then the steps lowered one at a time to the
 * smallest `max_steps` of the models (30 by default, 20 with ControlNet, 10 for LCM), never below 5.
 */
function downgrade(params: ImageParams, maxRes: number, models: readonly string[]): ImageParams {
  const out = { ...params };
  const limit = maxRes * maxRes;
  const area = params.width * params.height;
  if (area > limit) {
    const scale = Math.sqrt(limit / area);
    let width = Math.floor(Math.trunc(params.width * scale) / 64) * 64;
    let height = Math.floor(Math.trunc(params.height * scale) / 64) * 64;
    while (width * height > limit) {
      if (width >= height) width -= 64;
      else height -= 64;
    }
    if (width * height < 512 * 512) {
      width = 512;
      height = 512;
    }
    out.width = width;
    out.height = height;
  }
  let maxSteps = Math.min(...models.map((m) => requirementsOf(m).max_steps ?? 30));
  if (params.control_type) maxSteps = 20;
  if (usesLcm(params)) maxSteps = 10;
  while (accurateSteps(out.steps, out.sampler_name) > maxSteps) {
    out.steps -= 1;
    if (out.steps < 5) break;
  }
  return out;
}

/** The LoRAs the server knows as LCM LoRAs, by version and by id. */
const LCM_LORA_VERSIONS = new Set(["246747", "247778", "268475", "243643", "225222", "219782", "363353"]);
const LCM_LORA_IDS = new Set(["195519", "216190", "324115"]);

/** LCM work: the `lcm` sampler, or a known LCM LoRA. */
function usesLcm(params: ImageParams): boolean {
  if (params.sampler_name === "lcm") return true;
  return (params.loras ?? []).some((l) =>
    l.is_version ? LCM_LORA_VERSIONS.has(l.name) : LCM_LORA_IDS.has(l.name),
  );
}

/** Python's `str(float)` for the amounts the server prints: a whole number keeps its ".0". */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}
