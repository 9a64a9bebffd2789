/**
 * POST /v2/generate/async (§1.1): checks in the server's order so the first error is the same, then
 * prices, activates and queues the request.
 */
import { createHash, randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, HordeApiError } from "../http/errors.js";
import { clientAgent, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { SDXL_BETA_MODEL, validateImageRequest } from "../rules/image-validation.js";
import {
  activationTax,
  baseKudos,
  type ChargeFlags,
  dryRunKudos,
  requiresUpfrontKudos,
  upfrontMaxResolution,
} from "../rules/kudos.js";
import { baselineOf } from "../rules/models.js";
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
    if (input.webhook !== undefined && !input.webhook.startsWith("https://")) {
      throw err.badRequest("webhook URL has to be https");
    }
    const user = state.users.findByKey(apikey);
    if (!user) throw err.invalidApiKey("generate");
    if (input.proxiedAccount !== undefined) {
      throw err.badRequest("Only service accounts can proxy other accounts.", "OnlyServiceAccountProxy");
    }
    if (input.extraSourceImages.length > 5) {
      // QUIRK(§8.3): both extra-source-image rcs end with a dot.
      throw err.badRequest("You can send at most 5 extra source images.", "TooManyExtraSourceImages.");
    }
    if (input.extraSourceImages.length > 1 && !user.trusted) {
      throw err.badRequest(
        "Only trusted users can send more than 1 extra source image.",
        "MoreThanMinExtraSourceImage.",
      );
    }
    if (input.prompt === "") throw err.badRequest("You cannot specify an empty prompt.", "MissingPrompt");
    for (const id of input.workers) {
      if (!state.workers.findById(id))
        throw err.notFound(`Worker with ID '${id}' not found.`, "WorkerNotFound");
    }
    if (input.n > 1 && input.disableBatching && !user.trusted) {
      throw err.badRequest("Only trusted users can disable batching for more than 1 image.", "RequiresTrust");
    }
    checkConcurrency(state, user, input);

    // 6. Image-specific validation.
    const n = validateImageRequest(input, params, user, agent);
    const shared = input.models.includes(SDXL_BETA_MODEL);

    // 7. Upfront kudos (§9.3), with the downgrade when allowed.
    const flags = chargeFlags(input, params);
    let k = baseKudos(params, flags);
    const maxRes = upfrontMaxResolution(
      activeThreads(state),
      queuedImages(state),
      minResolutionFor(input.models),
    );
    if (requiresUpfrontKudos(params, input.slowWorkers, maxRes)) {
      const estimate = dryRunKudos(k, n, input.models, params, flags);
      if (user.kudos - user.kudosFloor < estimate) {
        if (!input.allowDowngrade || !input.slowWorkers) {
          throw new HordeApiError(
            403,
            "KudosUpfront",
            `Due to heavy demand, for requests over ${maxRes}x${maxRes} or over 40 steps (20 for ControlNet, ` +
              `10 for LCM), or without slow workers, the client needs to already have the required kudos. ` +
              `This request requires ${estimate} kudos to fulfil.`,
          );
        }
        params = downgrade(params, maxRes);
        k = baseKudos(params, flags);
      }
    }

    // 8. Dry run: the total estimate, cached for everybody for 2 days.
    if (input.dryRun) {
      const kudos = dryRunKudos(k, n, input.models, params, flags);
      state.dryRunCache.set(cacheKey, { kudos, expiresAt: now + DRY_RUN_CACHE_MS });
      return c.json({ kudos }, 200);
    }

    // 9. Activation: the tax is charged, the priority is the balance before it (§9.2, §9.4).
    const tax = activationTax(input.extraSourceImages.length);
    const req: ImageRequest = {
      id: randomUUID(),
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
      sourceImage: input.sourceImage,
      sourceProcessing: input.sourceProcessing,
      sourceMask: input.sourceMask,
      extraSourceImages: input.extraSourceImages,
      webhook: input.webhook,
      remaining: n,
      jobCount: n,
      kudosPerImage: k,
      consumedKudos: tax,
      basePriority: user.kudos,
      queuedMs: 0,
      queuedSince: now,
      faulted: false,
      cancelledAt: null,
    };
    state.users.debit(user, tax);
    state.addRequest(req);
    ctx.logger.debug?.("request queued", { id: req.id, user: user.username, n, kudos: k });

    // 10. 202 with skip_none: `message` only when no active worker can serve it, `warnings` only when any.
    const body202: { id: string; kudos: number; message?: string } = { id: req.id, kudos: Math.round(k) };
    if (!isPossible(state, req, counters(state, req))) {
      body202.message =
        "Warning: No available workers can fulfill this request. It will expire in 20 minutes unless a " +
        "worker appears. Please consider reducing its size or choosing a different model.";
    }
    return c.json(body202, 202);
  });

  return app;
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

/**
 * §3.3: the images not yet popped of this user's unfaulted requests, plus the new ones, must fit the
 * user's concurrency. For the shared anonymous account only requests sharing a model count.
 */
function checkConcurrency(state: HordeState, user: User, input: ImageRequestInput): void {
  let waiting = 0;
  for (const r of state.requests.values()) {
    if (r.userId !== user.id || r.faulted || r.remaining < 1) continue;
    if (user.anonymous && !r.models.some((m) => input.models.includes(m))) continue;
    waiting += r.remaining;
  }
  if (waiting + input.n <= user.concurrency) return;
  const advice = user.anonymous
    ? "Please register at https://aihorde.net/register to get your own, larger concurrency."
    : "Please wait for some of your requests to finish before sending more.";
  throw new HordeApiError(
    429,
    "TooManyPrompts",
    `Parallel requests (${waiting}) exceeded user limit (${user.concurrency}). ${advice}`,
  );
}

function activeThreads(state: HordeState): number {
  return state.workers.active(state.now()).reduce((sum, w) => sum + w.threads, 0);
}

/** `queued_requests` of §7's performance view: images not yet popped plus those in progress. */
function queuedImages(state: HordeState): number {
  let total = 0;
  for (const r of state.requests.values()) {
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
function downgrade(params: ImageParams, maxRes: number): ImageParams {
  const out = { ...params };
  const area = params.width * params.height;
  if (area > maxRes * maxRes) {
    const scale = Math.sqrt((maxRes * maxRes) / area);
    out.width = Math.max(512, Math.floor((params.width * scale) / 64) * 64);
    out.height = Math.max(512, Math.floor((params.height * scale) / 64) * 64);
  }
  const maxSteps = params.sampler_name === "lcm" ? 10 : params.control_type ? 20 : 30;
  out.steps = Math.min(out.steps, maxSteps);
  return out;
}
