// Image workers (docs/server/workers.md#workers): pop a batch, download its sources, generate, PUT each image
// to its
// presigned R2 URL and submit `generation: "R2"` per id.
import { encodeBase64 } from "../../core/base64.js";
import { HordeError } from "../../core/errors.js";
import { ImageGenerateJobPopRequest, ImageGenerateJobPopResponse } from "../../models/generate/pop.js";
import { ImageGenerationJobSubmitRequest } from "../../models/generate/submit.js";
import { describe } from "../describe.js";
import type { Resolved } from "../options.js";
import { readServedModels, type ServedModels } from "../served-models.js";
import type { ImageBytes, ImageResult, ImageWorkerJob, ImageWorkerOptions } from "../types.js";
import type { KindAdapter, PopCommon, PopReading, PrepareContext, UnitContext } from "./kind.js";
import { allInvalid, isImageBytes, isRecord, readPopEnvelope, seedOf, toBytes } from "./reading.js";

/** The requests' default model (docs/server/quirks.md#runtime-defaults). */
export const DEFAULT_IMAGE_MODEL = "stable_diffusion";
/** The server's default `max_pixels` (512 × 512). */
export const DEFAULT_MAX_PIXELS = 262_144;
/** The horde's minimum job ttl (docs/server/progress.md#job-ttl-restarts-and-faulting): the wait when a pop does not say. */
const MIN_TTL_SECONDS = 150;

export function imageAdapter(options: Resolved<ImageWorkerOptions>, common: PopCommon): KindAdapter {
  const auth = common.apikey ? { apikey: common.apikey } : {};
  const models = options.models ?? [DEFAULT_IMAGE_MODEL];
  /** What the reference says about the served models, once read. */
  let served: ServedModels | undefined;
  return {
    kind: "image",
    defaultTtl: MIN_TTL_SECONDS,
    ...(options.reference ? { prepare } : {}),
    // QUIRK(docs/server/workers.md#pop): runtime defaults differ from the documented ones, so every flag is
    // sent explicitly.
    popRequest: (amount) =>
      new ImageGenerateJobPopRequest({
        ...common,
        amount,
        models,
        nsfw: options.nsfw ?? true,
        max_pixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
        blacklist: options.blacklist ?? [],
        allow_img2img: options.allowImg2img ?? true,
        allow_painting: options.allowPainting ?? served?.painting ?? true,
        allow_post_processing: options.allowPostProcessing ?? true,
        allow_unsafe_ipaddr: options.allowUnsafeIpaddr ?? true,
        allow_controlnet: options.allowControlnet ?? false,
        allow_sdxl_controlnet: options.allowSdxlControlnet ?? false,
        allow_lora: options.allowLora ?? false,
        limit_max_steps: options.limitMaxSteps ?? false,
      }),
    readPop: (json) => readImagePop(json, options),
    faultedSubmit: (id) =>
      // The seed is required by the parser; a faulted submit's seed is never used.
      new ImageGenerationJobSubmitRequest({ ...auth, id, state: "faulted", generation: "faulted", seed: 0 }),
  };

  async function prepare({ name, logger, events }: PrepareContext): Promise<void> {
    const reference = options.reference;
    if (!reference) return;
    try {
      served = await readServedModels(reference, models);
    } catch (error) {
      logger.warn(
        `worker ${name}: the model reference could not be loaded (${describe(error)}); going on without it`,
      );
      events.emit("reference", {
        known: [],
        unknown: [],
        allowPainting: options.allowPainting ?? true,
        error,
      });
      return;
    }
    const { facts, unknown } = served;
    if (unknown.length > 0) {
      const list = unknown.map((m) => `'${m}'`).join(", ");
      logger.warn(
        `worker ${name}: the model reference does not know ${list}; the horde keeps only models of its reference (unless you have the customizer role), so no jobs will come for ${unknown.length === 1 ? "it" : "them"}`,
      );
    }
    events.emit("reference", {
      known: [...facts.keys()],
      unknown: [...unknown],
      allowPainting: options.allowPainting ?? served.painting,
    });
  }

  function readImagePop(json: unknown, o: Resolved<ImageWorkerOptions>): PopReading {
    const { raw, ids, rest, empty } = readPopEnvelope(json);
    if (empty) return empty;
    const { model, ttl } = rest;
    let pop: ImageGenerateJobPopResponse;
    try {
      pop = ImageGenerateJobPopResponse.parse(normalize(raw));
    } catch (error) {
      return allInvalid(ids, describe(error), rest);
    }
    const problem = problemOf(pop, ids, model);
    if (problem) return allInvalid(ids, `malformed job: ${problem}`, rest);
    return {
      units: [{ ids, slots: 1, ttl, model, run: (ctx) => runBatch(o, pop, ids, model as string, ttl, ctx) }],
      invalid: [],
      skipped: {},
      unreportable: [],
      ...rest,
    };
  }

  async function runBatch(
    o: Resolved<ImageWorkerOptions>,
    pop: ImageGenerateJobPopResponse,
    ids: string[],
    model: string,
    ttl: number | null,
    ctx: UnitContext,
  ): Promise<void> {
    const faultAll = (reason: Parameters<UnitContext["fault"]>[1], error: unknown) =>
      Promise.all(ids.map((id) => ctx.fault(id, reason, error)));
    const payload = pop.payload ?? {};
    let sourceImage: Uint8Array | null = null;
    let sourceMask: Uint8Array | null = null;
    const extraSourceImages: { image: Uint8Array; strength: number }[] = [];
    try {
      if (pop.source_image) sourceImage = await ctx.source(pop.source_image, "source image");
      if (pop.source_mask) sourceMask = await ctx.source(pop.source_mask, "source mask");
      for (const extra of pop.extra_source_images ?? []) {
        if (!extra.image) continue;
        const image = await ctx.source(extra.image, "extra source image");
        extraSourceImages.push({ image, strength: extra.strength ?? 1 });
      }
    } catch (error) {
      await faultAll(ctx.reasonFor(error, "source"), error);
      return;
    }
    const prompt = payload.prompt ?? "";
    const split = prompt.indexOf("###");
    const seed = seedOf(payload.seed) ?? Math.floor(Math.random() * 2 ** 31);
    const job: ImageWorkerJob = {
      kind: "image",
      id: ids[0] as string,
      ids,
      n: ids.length,
      model,
      modelInfo: served?.facts.get(model) ?? null,
      prompt,
      positivePrompt: split < 0 ? prompt : prompt.slice(0, split),
      negativePrompt: split < 0 ? "" : prompt.slice(split + 3),
      width: payload.width ?? 512,
      height: payload.height ?? 512,
      steps: payload.ddim_steps ?? 30,
      seed,
      seeds: ids.map((_, i) => seed + i),
      censorNsfw: payload.use_nsfw_censor === true,
      sourceProcessing: pop.source_processing ?? "img2img",
      sourceImage,
      sourceMask,
      extraSourceImages,
      payload,
      ttl,
      deadline: ctx.deadline,
      pop,
    };

    let output: unknown;
    try {
      output = await ctx.generate(() => o.generate(job, ctx.generateContext));
    } catch (error) {
      await faultAll(ctx.reasonFor(error, "error"), error);
      return;
    }
    const results = resultsOf(output, ids.length);
    await Promise.all(
      ids.map(async (id, i) => {
        const result = results[i];
        if (!result) {
          const got = Array.isArray(output) ? `${output.length} result(s)` : "no usable result";
          await ctx.fault(
            id,
            "result",
            new HordeError(`generate returned ${got} for image ${i + 1} of ${ids.length}`),
          );
          return;
        }
        let bytes: Uint8Array<ArrayBuffer>;
        try {
          bytes = await toBytes(result.image);
          if (bytes.length === 0) throw new HordeError(`generate returned an empty image for image ${i + 1}`);
        } catch (error) {
          await ctx.fault(id, "result", error);
          return;
        }
        // `r2_uploads[i]` for `ids[i]`; the obsolete single `r2_upload` names the first id's object only.
        const upload = pop.r2_uploads?.[i] ?? (i === 0 ? pop.r2_upload : null) ?? null;
        let generation = "R2";
        if (upload) {
          try {
            await ctx.upload(upload, bytes);
          } catch (error) {
            await ctx.fault(id, ctx.reasonFor(error, "upload"), error);
            return;
          }
        } else {
          generation = encodeBase64(bytes); // the server uploads it itself (docs/server/workers.md#submit)
        }
        const resultSeed =
          typeof result.seed === "number" && Number.isSafeInteger(result.seed) ? result.seed : job.seeds[i];
        await ctx.submit(
          id,
          () =>
            new ImageGenerationJobSubmitRequest({
              ...auth,
              id,
              generation,
              state: "ok",
              seed: resultSeed as number,
              ...(result.gen_metadata ? { gen_metadata: result.gen_metadata } : {}),
            }),
        );
      }),
    );
  }
}

/**
 * Tolerate what servers are known to send differently from the contract: the payload seed as an integer
 * (the contract says string).
 */
function normalize(raw: Record<string, unknown>): Record<string, unknown> {
  const payload = raw.payload;
  if (isRecord(payload) && typeof payload.seed === "number" && Number.isFinite(payload.seed)) {
    return { ...raw, payload: { ...payload, seed: String(payload.seed) } };
  }
  return raw;
}

/** What makes a validated pop unusable, or null. */
function problemOf(pop: ImageGenerateJobPopResponse, ids: string[], model: string | null): string | null {
  const payload = pop.payload;
  if (!payload) return "payload is missing";
  if (typeof payload.prompt !== "string") return "payload.prompt is missing";
  if (model === null) return "model is missing";
  if (payload.seed != null && seedOf(payload.seed) === null)
    return `payload.seed is not an integer (${payload.seed})`;
  if (pop.r2_uploads && pop.r2_uploads.length > 0 && pop.r2_uploads.length !== ids.length) {
    return `r2_uploads has ${pop.r2_uploads.length} URL(s) for ${ids.length} id(s)`;
  }
  const processing = pop.source_processing;
  if ((processing === "inpainting" || processing === "outpainting") && !pop.source_image) {
    return `source_image is missing for ${processing}`;
  }
  return null;
}

/** One ImageResult (or null) per id. */
function resultsOf(output: unknown, count: number): (ImageResult | null)[] {
  const list: unknown[] = Array.isArray(output) ? output : [output];
  return Array.from({ length: count }, (_, i) => {
    const entry = list[i];
    if (isImageBytes(entry)) return { image: entry as ImageBytes };
    if (isRecord(entry) && isImageBytes(entry.image)) return entry as unknown as ImageResult;
    return null;
  });
}
