/**
 * A new image request (`POST /v2/generate/async`, docs/server/image-requests.md#submit): the image's steps of
 * the shared pipeline
 * (`requests/pipeline.ts`) — the dry-run cache, the image checks and warnings, the upfront rule with its
 * downgrade, the estimate, and activation with the source images.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import {
  activationTax,
  baseKudos,
  type ChargeFlags,
  dryRunKudos,
  requiresUpfrontKudos,
  upfrontMaxResolution,
} from "../pricing/image.js";
import { queuedJobs } from "../progress.js";
import { baselineOf, minMaxSteps } from "../reference/models.js";
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
  /** The job count: `n`, or 2 for the SDXL_beta comparison. */
  n: number;
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
    n: input.n,
    cacheKey: dryRunCacheKey(input, params),
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
    const n = validateImageRequest(d.input, d.params, user, caller.clientAgent);
    // The warnings of the model reference (docs/server/image-requests.md#warnings).
    return { ...d, n, warnings: imageWarnings(d.input.models, d.input.params) };
  },

  upfront(store, d) {
    const { input, params } = d;
    const maxRes = upfrontMaxResolution(
      activeThreads(store, "image"),
      queuedJobs(store, "image"),
      minResolutionFor(input.models),
    );
    if (!requiresUpfrontKudos(params, input.slowWorkers, maxRes, minMaxSteps(input.models, 40))) return null;
    const needed = estimate(d);
    return {
      needed,
      refusal:
        `Due to heavy demand, for requests over ${maxRes}x${maxRes} or over 40 steps (20 for ControlNet, ` +
        `10 for LCM), or without slow workers, the client needs to already have the required kudos. ` +
        `This request requires ${needed} kudos to fulfil.`,
      downgraded: () => ({ ...d, params: downgrade(params, maxRes, input.models) }),
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
    const mask = input.sourceMask
      ? await ingestSourceImage(store, input.sourceMask, `${id}_msk.webp`)
      : undefined;
    if (input.sourceProcessing === "inpainting" && source && !mask && !source.hasAlpha && !source.url) {
      throw err.badRequest(
        "Inpainting requires a mask or a source image with an alpha channel.",
        "InpaintingMissingMask",
      );
    }
    const req: ImageRequest = {
      ...requestBase(store, input, { id, user, caller, hold, jobs: n }),
      kind: "image",
      params,
      nsfw: input.nsfw,
      censorNsfw: input.censorNsfw,
      r2: input.r2,
      shared: input.models.includes(SDXL_BETA_MODEL),
      // QUIRK(docs/server/image-requests.md#submit-order step 6): the qr_code workflow forces
      // disable_batching.
      disableBatching: input.disableBatching || params.workflow === "qr_code",
      source,
      sourceProcessing: input.sourceProcessing,
      mask,
      extraSourceImages: input.extraSourceImages,
      warnings: d.warnings,
      kudosPerImage: baseKudos(params, chargeFlags(input, params)),
      consumedKudos: activationTax(input.extraSourceImages.length),
    };
    return req;
  },
};

/** The dry-run estimate of the draft as it stands: `round(burn(K)·n·B_first + 1)` (docs/server/kudos.md#charge-and-reward). */
function estimate(d: ImageDraft): number {
  const flags = chargeFlags(d.input, d.params);
  return dryRunKudos(baseKudos(d.params, flags), d.n, d.input.models, d.params, flags);
}

function chargeFlags(input: ImageRequestInput, params: ImageParams): ChargeFlags {
  return {
    sourceImage: input.sourceImage !== undefined,
    sourceMask: input.sourceMask !== undefined,
    sourceProcessing: input.sourceProcessing,
    slowWorkers: input.slowWorkers,
    workerBlacklist: input.workerBlacklist,
    postProcessing: params.post_processing ?? [],
  };
}

/** The hash leaves out `slow_workers` and `worker_blacklist` (docs/server/image-requests.md#submit-order step 3). */
function dryRunCacheKey(input: ImageRequestInput, params: ImageParams): string {
  const key = JSON.stringify({
    params,
    n: input.n,
    models: input.models,
    source_image: input.sourceImage !== undefined,
    source_mask: input.sourceMask !== undefined,
    source_processing: input.sourceProcessing,
    extra_source_images: input.extraSourceImages.length,
  });
  return createHash("sha256").update(key).digest("hex");
}

/** The minimum `max_res` for the requested baselines (docs/server/kudos.md#upfront-kudos). */
function minResolutionFor(models: readonly string[]): number {
  let min = 576;
  for (const m of models) {
    const b = baselineOf(m);
    if (b === "stable_diffusion_2") min = Math.max(min, 768);
    else if (b !== "stable_diffusion_1") min = Math.max(min, 1024);
  }
  return min;
}

/** `allow_downgrade` (docs/server/kudos.md#upfront-kudos): shrink the area to `maxRes²` (multiples of 64, at least 512²) and the steps. */
function downgrade(params: ImageParams, maxRes: number, models: readonly string[]): ImageParams {
  const out = { ...params };
  const area = params.width * params.height;
  if (area > maxRes * maxRes) {
    const scale = Math.sqrt((maxRes * maxRes) / area);
    out.width = Math.max(512, Math.floor((params.width * scale) / 64) * 64);
    out.height = Math.max(512, Math.floor((params.height * scale) / 64) * 64);
  }
  const maxSteps = params.sampler_name === "lcm" ? 10 : params.control_type ? 20 : minMaxSteps(models, 30);
  out.steps = Math.min(out.steps, maxSteps);
  return out;
}
