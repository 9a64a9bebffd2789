/**
 * POST /v2/generate/async (§1.1): checks in the server's order so the first error is the same, then
 * prices, activates and queues the request.
 */
import { createHash, randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, HordeApiError } from "../http/errors.js";
import { metaOf } from "../http/meta.js";
import { clientAgent, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { activeThreads, availableKudos, commonValidation } from "../rules/common-validation.js";
import { SDXL_BETA_MODEL, validateImageRequest } from "../rules/image-validation.js";
import {
  activationTax,
  baseKudos,
  type ChargeFlags,
  dryRunKudos,
  requiresUpfrontKudos,
  upfrontMaxResolution,
} from "../rules/kudos.js";
import { baselineOf, minMaxSteps } from "../rules/models.js";
import { ingestSourceImage } from "../rules/source-image.js";
import { imageWarnings, type Warning } from "../rules/warnings.js";
import type { HordeState } from "../state/horde.js";
import { sweep } from "../state/lifecycle.js";
import { counters, isPossible } from "../state/progress.js";
import {
  fillParams,
  type ImageParams,
  type ImageRequest,
  type ImageRequestInput,
  REQUEST_LIFETIME_MS,
  withRuntimeDefaults,
} from "../state/requests.js";
import type { User } from "../state/users.js";

const DRY_RUN_CACHE_MS = 2 * 24 * 3600_000;

export function generateAsyncRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/async", async (c) => {
    // 1. JSON schema, 2. the parser's required header.
    const body = await readJsonBody(c);
    validateBody("GenerationInputStable", body);
    const apikey = requireApiKey(c);
    const agent = clientAgent(c);
    const input = withRuntimeDefaults(body as Record<string, unknown>);
    let params = fillParams(input.params);
    sweep(state);
    const now = state.now();

    // 3. QUIRK(§1.1.2 step 3): a cached dry-run estimate answers before the key is even looked up.
    const cacheKey = dryRunCacheKey(input, params);
    const cached = input.dryRun ? state.dryRunCache.get(cacheKey) : undefined;
    if (cached) return c.json({ kudos: cached.kudos }, 200);

    // 4. Styles: the emulator has none, so any style is unknown.
    if (input.style !== undefined) {
      throw err.notFound(`Style with ID '${input.style}' not found.`, "StyleNotFound");
    }

    // 5. Common validation.
    const user = commonValidation(state, {
      kind: "image",
      apikey,
      webhook: input.webhook,
      proxiedAccount: input.proxiedAccount,
      extraSourceImages: input.extraSourceImages.length,
      prompt: input.prompt,
      workers: input.workers,
      n: input.n,
      disableBatching: input.disableBatching,
      models: input.models,
      maintenance: state.modes.maintenance || metaOf(c).maintenance === true,
    });

    // 6. Image-specific validation; the warnings of the model reference (§1.1.3).
    const n = validateImageRequest(input, params, user, agent);
    const warnings = imageWarnings(input.models, input.params);
    const shared = input.models.includes(SDXL_BETA_MODEL);

    // 7. Upfront kudos (§9.3), with the downgrade when allowed.
    const flags = chargeFlags(input, params);
    let k = baseKudos(params, flags);
    const maxRes = upfrontMaxResolution(
      activeThreads(state, "image"),
      queuedImages(state),
      minResolutionFor(input.models),
    );
    let hold = 0;
    if (requiresUpfrontKudos(params, input.slowWorkers, maxRes, minMaxSteps(input.models, 40))) {
      const estimate = dryRunKudos(k, n, input.models, params, flags);
      if (availableKudos(state, user) < estimate) {
        if (!input.allowDowngrade || !input.slowWorkers) {
          throw new HordeApiError(
            403,
            "KudosUpfront",
            `Due to heavy demand, for requests over ${maxRes}x${maxRes} or over 40 steps (20 for ControlNet, ` +
              `10 for LCM), or without slow workers, the client needs to already have the required kudos. ` +
              `This request requires ${estimate} kudos to fulfil.`,
          );
        }
        params = downgrade(params, maxRes, input.models);
        k = baseKudos(params, flags);
      } else {
        hold = estimate;
      }
    }

    // 8. Dry run: the total estimate, cached for everybody for 2 days.
    if (input.dryRun) {
      const kudos = dryRunKudos(k, n, input.models, params, flags);
      state.dryRunCache.set(cacheKey, { kudos, expiresAt: now + DRY_RUN_CACHE_MS });
      return c.json({ kudos }, 200);
    }

    // 9. Activation: source images are checked and stored, the tax is charged, the priority is the
    // balance before it (§9.2, §9.4).
    const id = randomUUID();
    const source = input.sourceImage
      ? await ingestSourceImage(state, input.sourceImage, `${id}_src.webp`)
      : undefined;
    const mask = input.sourceMask
      ? await ingestSourceImage(state, input.sourceMask, `${id}_msk.webp`)
      : undefined;
    if (input.sourceProcessing === "inpainting" && source && !mask && !source.hasAlpha && !source.url) {
      throw err.badRequest(
        "Inpainting requires a mask or a source image with an alpha channel.",
        "InpaintingMissingMask",
      );
    }
    const tax = activationTax(input.extraSourceImages.length);
    const req: ImageRequest = {
      kind: "image",
      id,
      userId: user.id,
      clientAgent: agent,
      createdAt: now,
      expiresAt: now + REQUEST_LIFETIME_MS,
      prompt: input.prompt,
      params,
      models: input.models,
      nsfw: input.nsfw,
      censorNsfw: input.censorNsfw,
      trustedWorkers: input.trustedWorkers,
      slowWorkers: input.slowWorkers,
      extraSlowWorkers: input.extraSlowWorkers,
      workers: input.workers,
      workerBlacklist: input.workerBlacklist,
      r2: input.r2,
      shared,
      // QUIRK(§1.1.2 step 6): the qr_code workflow forces disable_batching.
      disableBatching: input.disableBatching || params.workflow === "qr_code",
      source,
      sourceProcessing: input.sourceProcessing,
      mask,
      extraSourceImages: input.extraSourceImages,
      webhook: input.webhook,
      warnings,
      remaining: n,
      jobCount: n,
      kudosPerImage: k,
      consumedKudos: tax,
      upfrontHold: hold,
      basePriority: initialPriority(user),
      queuedMs: 0,
      queuedSince: now,
      faulted: false,
      cancelledAt: null,
    };
    state.users.debit(user, tax);
    user.records.request.image += n;
    state.addRequest(req);
    ctx.logger.debug?.("request queued", { id: req.id, user: user.username, n, kudos: k });

    // 10. 202 with skip_none: `message` only when no active worker can serve it, `warnings` only when any.
    const body202: { id: string; kudos: number; message?: string; warnings?: Warning[] } = {
      id: req.id,
      kudos: Math.round(k),
    };
    if (!isPossible(state, req, counters(state, req))) body202.message = NO_WORKER_MESSAGE;
    if (warnings.length > 0) body202.warnings = warnings;
    return c.json(body202, 202);
  });

  return app;
}

/** The 202's `message` when no active worker can serve the request (§1.1.2 step 10). */
export const NO_WORKER_MESSAGE =
  "Warning: No available workers can fulfill this request. It will expire in 20 minutes unless a " +
  "worker appears. Please consider reducing its size or choosing a different model.";

/** `extra_priority` at activation (§9.4): the balance, or a small number for flagged users. */
export function initialPriority(user: User): number {
  if (!user.flagged) return user.kudos;
  return user.kudos > 10 ? Math.round(user.kudos / 1000) : -100;
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

/** The hash leaves out `slow_workers` and `worker_blacklist` (§1.1.2 step 3). */
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

/** `queued_requests` of §7's performance view: images not yet popped plus those in progress. */
function queuedImages(state: HordeState): number {
  let total = 0;
  for (const r of state.requestsOf("image")) {
    if (r.faulted) continue;
    const c = counters(state, r);
    total += c.waiting + c.processing;
  }
  return total;
}

/** The minimum `max_res` for the requested baselines (§9.3). */
function minResolutionFor(models: readonly string[]): number {
  let min = 576;
  for (const m of models) {
    const b = baselineOf(m);
    if (b === "stable_diffusion_2") min = Math.max(min, 768);
    else if (b !== "stable_diffusion_1") min = Math.max(min, 1024);
  }
  return min;
}

/** `allow_downgrade` (§9.3): shrink the area to `maxRes²` (multiples of 64, at least 512²) and the steps. */
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
