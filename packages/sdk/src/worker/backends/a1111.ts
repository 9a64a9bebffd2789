// Images through the AUTOMATIC1111 / Forge web UI API (started with `--api`): `/sdapi/v1/txt2img` and
// `/sdapi/v1/img2img` (init image, mask), progress from `/sdapi/v1/progress`, `/sdapi/v1/interrupt` when a
// job is given up on. Field names as the web UI's `modules/api/models.py` and `modules/processing.py` (1.9
// and later: the schedule is the separate `scheduler` field) declare them.
import { decodeBase64, encodeBase64 } from "../../core/base64.js";
import { systemClock } from "../../core/clock.js";
import { HordeBackendError } from "../../core/errors.js";
import type { BackendInfo, GenerateContext, ImageBackend, ImageResult, ImageWorkerJob } from "../types.js";
import {
  BACKEND_IMAGE_BRIDGE_AGENT,
  BackendHttp,
  type BackendModel,
  backendModelFor,
  type PollingBackendOptions,
  pollProgress,
  unexpected,
} from "./backend.js";
import type { ImageCodec } from "./codec.js";
import { type ImageSettings, imageSettings, injectTextualInversions, nameLookup } from "./image-settings.js";
import { a1111Sampler } from "./samplers.js";

export interface A1111BackendOptions extends PollingBackendOptions {
  /**
   * The checkpoint for each horde model (`sd_model_checkpoint`, a name or title of `/sdapi/v1/sd-models`):
   * one for all, or a map. Default: the checkpoint named like the horde model, else the loaded one.
   */
  model?: BackendModel;
  /** Converts the PNGs the web UI answers to WebP, and reads transparency as a mask: `sharpCodec(sharp)`. */
  codec: ImageCodec;
}

/** `inpainting_fill`: keep the original under the mask; fill new (outpainted) area with latent noise. */
const FILL_ORIGINAL = 1;
const FILL_LATENT_NOISE = 2;

/** The AUTOMATIC1111 / Forge backend of an image worker. */
export function a1111Backend(options: A1111BackendOptions): ImageBackend {
  const http = new BackendHttp("a1111", options.url, options.fetch);
  const clock = options.clock ?? systemClock;
  const intervalMs = options.progressIntervalMs ?? 1000;
  let checkpoints: Promise<{ title: string; model_name: string }[]> | undefined;
  let embeddings: Promise<string[]> | undefined;
  /** Jobs sent and not answered: the web UI runs one at a time, so an interrupt stops ours only when alone. */
  let inFlight = 0;

  const listCheckpoints = (signal?: AbortSignal) =>
    http.json("GET", "/sdapi/v1/sd-models", undefined, signal).then((json) => {
      if (!Array.isArray(json)) throw unexpected("a1111", "/sdapi/v1/sd-models is not a list");
      return json.filter(
        (m): m is { title: string; model_name: string } =>
          typeof m?.title === "string" && typeof m?.model_name === "string",
      );
    });

  /** The checkpoint for a horde model: the option's, else one named like it, else the loaded one. */
  async function checkpointFor(model: string): Promise<string | undefined> {
    const chosen = backendModelFor(options.model, model);
    if (chosen !== undefined) return chosen;
    checkpoints ??= listCheckpoints();
    const found = (await checkpoints).find((c) => c.model_name === model || c.title === model);
    return found?.title;
  }

  const loadedEmbeddings = () => {
    embeddings ??= http
      .json("GET", "/sdapi/v1/embeddings", undefined)
      .then((json) =>
        Object.keys(((json as { loaded?: Record<string, unknown> } | null)?.loaded ?? {}) as object),
      );
    return embeddings;
  };

  async function generate(job: ImageWorkerJob, context: GenerateContext): Promise<ImageResult[]> {
    const { signal } = context;
    const settings = await imageSettings(job, options.codec);
    const tis =
      settings.tis.length > 0
        ? injectTextualInversions(settings, nameLookup(await loadedEmbeddings()), (name, strength) =>
            strength === 1 ? name : `(${name}:${strength})`,
          )
        : { prompt: settings.prompt, negativePrompt: settings.negativePrompt, missing: [] };
    const checkpoint = await checkpointFor(job.model);
    const body = a1111Payload(settings, { ...tis, checkpoint });
    const path = settings.mode === "txt2img" ? "/sdapi/v1/txt2img" : "/sdapi/v1/img2img";

    const progress = new AbortController();
    inFlight++;
    void pollProgress(
      clock,
      intervalMs,
      progress.signal,
      (s) => http.json("GET", "/sdapi/v1/progress", undefined, s, { skip_current_image: "true" }),
      (json) => reportProgress(json, context),
    );
    let answer: unknown;
    try {
      answer = await http.json("POST", path, body, signal);
    } catch (error) {
      if (signal.aborted && inFlight === 1) void interrupt();
      throw error;
    } finally {
      inFlight--;
      progress.abort();
    }
    const images = imagesOf(answer, settings.n);
    return Promise.all(
      images.map(async ({ image, seed }) => ({
        image: await options.codec.toWebp(image),
        seed,
        ...(tis.missing.length > 0 ? { gen_metadata: tis.missing } : {}),
      })),
    );
  }

  /** Ask the web UI to stop the job given up on (best effort: the job is faulted either way). */
  async function interrupt(): Promise<void> {
    await http.json("POST", "/sdapi/v1/interrupt", undefined, AbortSignal.timeout(5000)).catch(() => {});
  }

  async function probe(signal?: AbortSignal, models: readonly string[] = []): Promise<BackendInfo> {
    embeddings = undefined;
    checkpoints = listCheckpoints(signal);
    const list = await checkpoints;
    for (const model of models) {
      const chosen = backendModelFor(options.model, model);
      if (chosen !== undefined && !list.some((c) => c.title === chosen || c.model_name === chosen)) {
        const have = list.map((c) => c.model_name).join(", ") || "none";
        throw new HordeBackendError(
          `a1111: no checkpoint '${chosen}' for the model '${model}' (it has ${have})`,
          "a1111",
        );
      }
    }
    return { models: list.map((c) => c.model_name) };
  }

  return {
    kind: "image",
    name: "a1111",
    url: options.url,
    bridgeAgent: BACKEND_IMAGE_BRIDGE_AGENT,
    supports: { img2img: true, painting: true, postProcessing: false, lora: false, controlnet: false },
    generate,
    probe,
  };
}

/** The body of `/sdapi/v1/txt2img` or `/sdapi/v1/img2img` for a job. */
export function a1111Payload(
  s: ImageSettings,
  extra: { prompt: string; negativePrompt: string; checkpoint: string | undefined },
): Record<string, unknown> {
  const { sampler, scheduler } = a1111Sampler(s.sampler, s.karras);
  const body: Record<string, unknown> = {
    prompt: extra.prompt,
    negative_prompt: extra.negativePrompt,
    seed: s.seed,
    sampler_name: sampler,
    scheduler,
    // One batch of n: the web UI seeds image i with seed + i, as the horde expects.
    batch_size: s.n,
    n_iter: 1,
    steps: s.steps,
    cfg_scale: s.cfgScale,
    width: s.width,
    height: s.height,
    tiling: s.tiling,
    restore_faces: false,
    override_settings: {
      CLIP_stop_at_last_layers: s.clipSkip,
      ...(extra.checkpoint !== undefined ? { sd_model_checkpoint: extra.checkpoint } : {}),
    },
    override_settings_restore_afterwards: true,
    send_images: true,
    save_images: false,
  };
  if (s.hires) {
    // The first pass at the smaller size, then the latent upscaled to the asked size and denoised again.
    Object.assign(body, {
      width: s.hires.width,
      height: s.hires.height,
      enable_hr: true,
      hr_resize_x: s.width,
      hr_resize_y: s.height,
      hr_upscaler: "Latent",
      hr_second_pass_steps: 0,
      denoising_strength: s.hires.denoise,
    });
  }
  if (s.mode !== "txt2img" && s.source) {
    Object.assign(body, {
      init_images: [encodeBase64(s.source)],
      denoising_strength: s.denoise,
      resize_mode: 0,
    });
  }
  if (s.mode === "inpainting" && s.mask) {
    Object.assign(body, {
      mask: encodeBase64(s.mask),
      inpainting_fill: s.outpainting ? FILL_LATENT_NOISE : FILL_ORIGINAL,
      inpaint_full_res: false,
      inpainting_mask_invert: 0,
      mask_blur: 4,
    });
  }
  return body;
}

/** The n images of an answer (the web UI may put others first: `info.index_of_first_image`) and their seeds. */
function imagesOf(answer: unknown, n: number): { image: Uint8Array; seed: number | undefined }[] {
  const a = answer as { images?: unknown; info?: unknown } | null;
  if (!a || !Array.isArray(a.images)) throw unexpected("a1111", "no images in the answer");
  let info: { index_of_first_image?: unknown; all_seeds?: unknown } = {};
  try {
    if (typeof a.info === "string") info = JSON.parse(a.info) as typeof info;
  } catch {
    // no info: the images from the start, seeds as the worker computed them
  }
  const first = typeof info.index_of_first_image === "number" ? info.index_of_first_image : 0;
  const images = a.images.slice(first, first + n);
  if (images.length < n || !images.every((i) => typeof i === "string")) {
    throw unexpected("a1111", `${images.length} image(s) for a batch of ${n}`);
  }
  const seeds = Array.isArray(info.all_seeds) ? info.all_seeds : [];
  return (images as string[]).map((b64, i) => ({
    image: decodeBase64(b64.replace(/^data:[^,]*,/, "")),
    seed: typeof seeds[i] === "number" ? (seeds[i] as number) : undefined,
  }));
}

function reportProgress(json: unknown, context: GenerateContext): void {
  const p = json as {
    progress?: unknown;
    eta_relative?: unknown;
    state?: { sampling_step?: unknown; sampling_steps?: unknown };
  } | null;
  if (!p || typeof p.progress !== "number") return;
  const step = p.state?.sampling_step;
  const steps = p.state?.sampling_steps;
  // Before the job starts the web UI reports 0 of 0 steps: nothing to tell yet.
  if (p.progress <= 0 && !(typeof steps === "number" && steps > 0)) return;
  context.progress({
    fraction: Math.min(1, Math.max(0, p.progress)),
    ...(typeof step === "number" && typeof steps === "number" && steps > 0 ? { step, steps } : {}),
    ...(typeof p.eta_relative === "number" && p.eta_relative >= 0 ? { etaSeconds: p.eta_relative } : {}),
    stage: "sampling",
  });
}
