// Images through ComfyUI's server API (`server.py`): sources uploaded with `/upload/image`, the workflow
// queued with `/prompt`, the outcome read from `/history/{id}` and the images from `/view`. Progress comes
// over its websocket (`/ws?clientId=…`, `progress` messages) where the platform has a WebSocket; without one
// the worker polls `/history` and reports no steps. A job given up on is removed from the queue, or
// interrupted when it runs.
import { systemClock } from "../../core/clock.js";
import { HordeBackendError } from "../../core/errors.js";
import type * as schemas from "../../models/generated/schemas.js";
import type { BackendInfo, GenerateContext, ImageBackend, ImageResult, ImageWorkerJob } from "../types.js";
import {
  BACKEND_IMAGE_BRIDGE_AGENT,
  BackendHttp,
  type BackendModel,
  backendModelFor,
  type PollingBackendOptions,
  unexpected,
} from "./backend.js";
import { type ImageCodec, isWebp } from "./codec.js";
import {
  type ComfyWorkflow,
  type ComfyWorkflows,
  checkWorkflows,
  DEFAULT_COMFY_WORKFLOWS,
  fillWorkflow,
  type PlaceholderValues,
  placeholdersOf,
} from "./comfyui-workflow.js";
import { type ImageSettings, imageSettings, injectTextualInversions, nameLookup } from "./image-settings.js";
import { comfyuiSampler } from "./samplers.js";

/** The part of the WebSocket API the backend uses (browsers, Deno, Bun and Node ≥ 22 have one). */
export interface SocketLike {
  /** Listens for ComfyUI's progress messages, and for the socket failing or closing. */
  addEventListener(type: "message" | "error" | "close", listener: (event: { data?: unknown }) => void): void;
  /** Closes the socket once the prompt has run. */
  close(): void;
}

export interface ComfyuiBackendOptions extends PollingBackendOptions {
  /**
   * The checkpoint file for each horde model (`CheckpointLoaderSimple.ckpt_name`): one for all, or a map.
   * Default: the file of `/models/checkpoints` named like the horde model (any extension).
   */
  model?: BackendModel;
  /**
   * Your workflows instead of the defaults (see `PLACEHOLDERS`): one workflow (for txt2img), or one per kind
   * (`{txt2img, hires?, img2img?, inpainting?}`). A kind you leave out is not served: without `img2img` the
   * worker refuses img2img requests, without `inpainting` painting ones.
   */
  workflow?: ComfyWorkflow | ComfyWorkflows;
  /** Converts ComfyUI's PNGs to WebP, and reads transparency as a mask: `sharpCodec(sharp)`. */
  codec: ImageCodec;
  /** The WebSocket to use for progress (default: the platform's, when it has one; null: poll only). */
  WebSocket?: (new (url: string) => SocketLike) | null;
}

interface HistoryEntry {
  outputs?: Record<string, { images?: { filename?: unknown; subfolder?: unknown; type?: unknown }[] }>;
  status?: { status_str?: unknown; completed?: unknown; messages?: unknown };
}

/** The ComfyUI backend of an image worker. */
export function comfyuiBackend(options: ComfyuiBackendOptions): ImageBackend {
  const http = new BackendHttp("comfyui", options.url, options.fetch);
  const clock = options.clock ?? systemClock;
  const intervalMs = options.progressIntervalMs ?? 1000;
  const workflows: ComfyWorkflows =
    options.workflow === undefined ? DEFAULT_COMFY_WORKFLOWS : checkWorkflows(options.workflow);
  const Socket =
    options.WebSocket === undefined
      ? ((globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket ?? null)
      : options.WebSocket;
  let checkpoints: Promise<string[]> | undefined;
  let embeddings: Promise<string[]> | undefined;

  const list = (path: string, signal?: AbortSignal) =>
    http.json("GET", path, undefined, signal).then((json) => {
      if (!Array.isArray(json)) throw unexpected("comfyui", `${path} is not a list`);
      return json.filter((x): x is string => typeof x === "string");
    });

  async function checkpointFor(model: string): Promise<string> {
    const chosen = backendModelFor(options.model, model);
    if (chosen !== undefined) return chosen;
    checkpoints ??= list("/models/checkpoints");
    const files = await checkpoints;
    const stem = (file: string) => file.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");
    const found = files.find((f) => stem(f).toLowerCase() === model.toLowerCase());
    if (found === undefined) {
      throw new HordeBackendError(
        `comfyui: no checkpoint for the model '${model}' (name it in the backend's model option, e.g. ${model}=file.safetensors)`,
        "comfyui",
      );
    }
    return found;
  }

  async function upload(bytes: Uint8Array, name: string, signal: AbortSignal): Promise<string> {
    const file = `${name}.${isWebp(bytes) ? "webp" : "png"}`;
    const form = new FormData();
    form.append("image", new Blob([bytes as Uint8Array<ArrayBuffer>]), file);
    form.append("type", "input");
    form.append("overwrite", "true");
    const answer = (await http.form("/upload/image", form, signal)) as {
      name?: unknown;
      subfolder?: unknown;
    } | null;
    if (typeof answer?.name !== "string") throw unexpected("comfyui", "/upload/image named no file");
    return typeof answer.subfolder === "string" && answer.subfolder !== ""
      ? `${answer.subfolder}/${answer.name}`
      : answer.name;
  }

  async function generate(job: ImageWorkerJob, context: GenerateContext): Promise<ImageResult[]> {
    const { signal } = context;
    const settings = await imageSettings(job, options.codec);
    // Painting with nothing to mask (no mask, no transparency) repaints the whole image: img2img.
    const kind = settings.mode === "inpainting" && !settings.mask ? "img2img" : settings.mode;
    const workflow =
      kind === "txt2img" ? (settings.hires && workflows.hires) || workflows.txt2img : workflows[kind];
    if (!workflow) throw new HordeBackendError(`comfyui: no ${kind} workflow`, "comfyui");
    let tis: ReturnType<typeof injectTextualInversions> = {
      prompt: settings.prompt,
      negativePrompt: settings.negativePrompt,
      missing: [],
    };
    if (settings.tis.length > 0) {
      embeddings ??= list("/embeddings");
      tis = injectTextualInversions(
        settings,
        nameLookup(await embeddings),
        (name, strength) => `(embedding:${name}:${strength})`,
      );
    }
    const values = comfyuiPlaceholders(settings, {
      // A workflow may name its checkpoint itself.
      model: placeholdersOf(workflow).has("model") ? await checkpointFor(job.model) : "",
      prompt: tis.prompt,
      negativePrompt: tis.negativePrompt,
    });
    if (kind !== "txt2img" && settings.source) {
      values.source_image = await upload(settings.source, `horde-${job.id}-source`, signal);
    }
    if (kind === "inpainting" && settings.mask) {
      values.source_mask = await upload(settings.mask, `horde-${job.id}-mask`, signal);
    }

    const clientId = `horde-sdk-${job.id}`;
    const socket = openSocket(clientId);
    try {
      const queued = (await http.json(
        "POST",
        "/prompt",
        { prompt: fillWorkflow(workflow, values), client_id: clientId },
        signal,
      )) as { prompt_id?: unknown; node_errors?: unknown } | null;
      if (typeof queued?.prompt_id !== "string") throw unexpected("comfyui", "/prompt gave no prompt_id");
      const promptId = queued.prompt_id;
      socket?.watch(promptId, context);
      let entry: HistoryEntry;
      try {
        entry = await waitFor(promptId, signal, socket);
      } catch (error) {
        if (signal.aborted) void cancel(promptId);
        throw error;
      }
      const images = await imagesOf(entry, settings.n, signal);
      void forget(promptId);
      const notes = notesFor(settings, tis.missing, images.length);
      return Promise.all(
        images.map(async (image, i) => ({
          image: await options.codec.toWebp(image),
          seed: settings.seed,
          gen_metadata: notes(i),
        })),
      );
    } finally {
      socket?.close();
    }
  }

  /** The history entry of a prompt once it ran; a failed run rejects with its node's error. */
  async function waitFor(
    promptId: string,
    signal: AbortSignal,
    socket: JobSocket | null,
  ): Promise<HistoryEntry> {
    // The socket's `executing: null` wakes the first wait early (once: the history may lag a moment behind).
    let early: Promise<unknown> = socket?.done ?? new Promise(() => {});
    for (;;) {
      const history = (await http.json(
        "GET",
        `/history/${encodeURIComponent(promptId)}`,
        undefined,
        signal,
      )) as Record<string, HistoryEntry> | null;
      const entry = history?.[promptId];
      if (entry) {
        const status = entry.status;
        if (status && status.status_str === "error") throw failure(status.messages);
        return entry;
      }
      const woke = await Promise.race([
        clock.sleep(intervalMs, signal).then(() => false),
        early.then(() => true),
      ]);
      if (woke) early = new Promise(() => {});
      if (signal.aborted) throw signal.reason;
    }
  }

  async function imagesOf(entry: HistoryEntry, n: number, signal: AbortSignal): Promise<Uint8Array[]> {
    const refs = Object.keys(entry.outputs ?? {})
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .flatMap((node) => entry.outputs?.[node]?.images ?? []);
    if (refs.length < n) throw unexpected("comfyui", `${refs.length} image(s) for a batch of ${n}`);
    return Promise.all(
      refs.slice(0, n).map((ref) => {
        if (typeof ref.filename !== "string")
          throw unexpected("comfyui", "an output image without a filename");
        return http.bytes(
          "/view",
          {
            filename: ref.filename,
            subfolder: typeof ref.subfolder === "string" ? ref.subfolder : "",
            type: typeof ref.type === "string" ? ref.type : "output",
          },
          signal,
        );
      }),
    );
  }

  /** Take a prompt given up on off the queue, or interrupt it when it runs (best effort). */
  async function cancel(promptId: string): Promise<void> {
    const quick = AbortSignal.timeout(5000);
    try {
      const queue = (await http.json("GET", "/queue", undefined, quick)) as {
        queue_running?: unknown[][];
      } | null;
      const running = (queue?.queue_running ?? []).some(
        (item) => Array.isArray(item) && item[1] === promptId,
      );
      if (running) await http.json("POST", "/interrupt", { prompt_id: promptId }, quick);
      else await http.json("POST", "/queue", { delete: [promptId] }, quick);
    } catch {
      // the job is faulted either way
    }
    await forget(promptId);
  }

  /** Drop the prompt from ComfyUI's history: the images belong to the requester. */
  async function forget(promptId: string): Promise<void> {
    await http.json("POST", "/history", { delete: [promptId] }, AbortSignal.timeout(5000)).catch(() => {});
  }

  function openSocket(clientId: string): JobSocket | null {
    if (!Socket) return null;
    try {
      const url = http.url("/ws", { clientId }).replace(/^http/, "ws");
      return new JobSocket(new Socket(url));
    } catch {
      return null;
    }
  }

  async function probe(signal?: AbortSignal, models: readonly string[] = []): Promise<BackendInfo> {
    embeddings = undefined;
    checkpoints = list("/models/checkpoints", signal);
    const files = await checkpoints;
    const named = Object.values(workflows).some((w) => placeholdersOf(w).has("model"));
    if (named) for (const model of models) await checkpointFor(model);
    return { models: files };
  }

  return {
    kind: "image",
    name: "comfyui",
    url: options.url,
    bridgeAgent: BACKEND_IMAGE_BRIDGE_AGENT,
    supports: {
      img2img: workflows.img2img !== undefined,
      painting: workflows.inpainting !== undefined,
      postProcessing: false,
      lora: false,
      controlnet: false,
    },
    generate,
    probe,
  };
}

/** The placeholder values of a job. */
export function comfyuiPlaceholders(
  s: ImageSettings,
  extra: { model: string; prompt: string; negativePrompt: string },
): PlaceholderValues {
  const { sampler, scheduler } = comfyuiSampler(s.sampler, s.karras);
  return {
    model: extra.model,
    prompt: extra.prompt,
    negative_prompt: extra.negativePrompt,
    seed: s.seed,
    steps: s.steps,
    cfg: s.cfgScale,
    sampler,
    scheduler,
    width: s.width,
    height: s.height,
    batch_size: s.n,
    denoise: s.mode === "txt2img" ? 1 : s.denoise,
    clip_skip: -s.clipSkip,
    hires_width: s.hires?.width ?? s.width,
    hires_height: s.hires?.height ?? s.height,
    hires_denoise: s.hires?.denoise ?? 1,
  };
}

/**
 * What each image's metadata says: the TIs left out, tiling (ComfyUI has no tiling without custom nodes),
 * and its place in the batch — ComfyUI draws the noise of a batch from one seed, so an image is found
 * again by the seed and its batch index.
 */
function notesFor(
  s: ImageSettings,
  missing: schemas.GenerationMetadataStable[],
  count: number,
): (i: number) => schemas.GenerationMetadataStable[] {
  const common: schemas.GenerationMetadataStable[] = [...missing];
  if (s.tiling)
    common.push({ type: "information", value: "see_ref", ref: "tiling is not supported by this worker" });
  return (i) =>
    count > 1 ? [...common, { type: "batch_index", value: "see_ref", ref: String(i) }] : [...common];
}

/** The node error a failed run recorded (`execution_error` in its status messages). */
function failure(messages: unknown): HordeBackendError {
  const list = Array.isArray(messages) ? messages : [];
  for (const m of list) {
    if (!Array.isArray(m) || m[0] !== "execution_error") continue;
    const d = (m[1] ?? {}) as { node_id?: unknown; node_type?: unknown; exception_message?: unknown };
    const where =
      typeof d.node_type === "string" ? ` in node ${String(d.node_id ?? "?")} (${d.node_type})` : "";
    const what = typeof d.exception_message === "string" ? d.exception_message.trim() : "no message";
    return new HordeBackendError(`comfyui: the workflow failed${where}: ${what}`, "comfyui");
  }
  return new HordeBackendError("comfyui: the workflow failed", "comfyui");
}

/** A job's websocket: progress messages for its prompt, and `done` once ComfyUI says it finished. */
class JobSocket {
  readonly done: Promise<void>;
  #finish!: () => void;
  #promptId: string | null = null;
  #context: GenerateContext | null = null;
  /** Messages that came before `/prompt` answered with the prompt's id (the run may start at once). */
  #early: { type?: unknown; data?: Record<string, unknown> }[] = [];

  constructor(readonly socket: SocketLike) {
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
    socket.addEventListener("message", (event) => this.#onMessage(event.data));
    // A socket that fails only costs the progress: the history is polled anyway.
    socket.addEventListener("error", () => {});
  }

  watch(promptId: string, context: GenerateContext): void {
    this.#promptId = promptId;
    this.#context = context;
    for (const message of this.#early.splice(0)) this.#handle(message);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // closed already
    }
  }

  #onMessage(data: unknown): void {
    if (typeof data !== "string") return; // previews are binary
    let message: { type?: unknown; data?: Record<string, unknown> };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return;
    }
    if (this.#promptId === null) this.#early.push(message);
    else this.#handle(message);
  }

  #handle(message: { type?: unknown; data?: Record<string, unknown> }): void {
    const d = message.data ?? {};
    if (d.prompt_id !== undefined && d.prompt_id !== this.#promptId) return;
    if (
      message.type === "progress" &&
      typeof d.value === "number" &&
      typeof d.max === "number" &&
      d.max > 0
    ) {
      this.#context?.progress({
        fraction: Math.min(1, d.value / d.max),
        step: d.value,
        steps: d.max,
        stage: "sampling",
      });
    } else if (
      (message.type === "executing" && d.node === null) ||
      message.type === "execution_error" ||
      message.type === "execution_interrupted"
    ) {
      this.#finish();
    }
  }
}
