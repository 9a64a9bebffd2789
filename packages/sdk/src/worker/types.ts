// The public types of horde-sdk/worker: options per worker kind, the jobs handed to `generate`, what
// `generate` returns, the statistics snapshot and the events.
import type { AIHordeAPIClient, AIHordeClientOptions } from "../client/client.js";
import type { Logger } from "../core/logger.js";
import type { AlchemyJobPopResponse } from "../models/alchemy/pop.js";
import type { ImageGenerateJobPopResponse } from "../models/generate/pop.js";
import type * as schemas from "../models/generated/schemas.js";
import type { TextGenerateJobPopResponse } from "../models/text/pop.js";
import type { ImageModelRecord } from "../reference/records.js";
import type { ImageModelSource } from "./served-models.js";

/** Which queue the worker serves: image generation, text generation or alchemy (interrogation forms). */
export type WorkerKind = "image" | "text" | "alchemy";

/** Where a worker is in its life. */
export type WorkerState = "idle" | "running" | "stopping" | "stopped";

/** Image bytes as a generator may hand them back (WebP for image jobs and post-processing forms). */
export type ImageBytes = Uint8Array | ArrayBuffer | Blob;

/**
 * Why a job was reported faulted (the horde re-queues it for another worker):
 * - `invalid`: the pop handed out a job with missing or malformed fields;
 * - `source`: a source image, mask or extra source image could not be downloaded or decoded;
 * - `error`: `generate` threw (or rejected);
 * - `result`: `generate` returned nothing usable for this job (e.g. fewer images than ids, or `null`);
 * - `ttl`: the job's time ran out (the worker gives up a little before the server would abort it);
 * - `upload`: the PUT to the presigned R2 URL failed (after retries);
 * - `submit`: the horde refused or never answered the result submit (after retries);
 * - `stopped`: the worker was stopped without draining.
 */
export type FaultReason = "invalid" | "source" | "error" | "result" | "ttl" | "upload" | "submit" | "stopped";

/** What `generate` gets besides the job. */
export interface GenerateContext {
  /**
   * Aborts when the worker gives up on the job: its `ttl` is about to run out, or the worker is stopped
   * without draining. Pass it on to your backend (fetch, child process, …); the job is reported faulted.
   */
  signal: AbortSignal;
  /** When the worker gives up on the job, in epoch ms on the client's clock. */
  deadline: number;
  logger: Logger;
  /**
   * Report how far the job is (the worker emits it as a `progress` event; the horde itself has no progress
   * field for workers). Call it as often as your backend tells; it never throws.
   */
  progress(update: JobProgress): void;
}

/** How far a job is, as its backend reports it. */
export interface JobProgress {
  /** Done so far, from 0 to 1. */
  fraction: number;
  /** The sampling step and the total, when the backend counts steps. */
  step?: number;
  steps?: number;
  /** Seconds left, when the backend estimates them. */
  etaSeconds?: number;
  /** What the backend is doing: `queued`, `sampling`, `hires fix`, … */
  stage?: string;
}

/** A moderator's message to this worker, from the pop response (docs/server/workers.md#pop). */
export interface WorkerMessage {
  id: string;
  message: string;
  origin: string | null;
  expiry: string | null;
}

/** The options every kind of worker shares. */
export interface CommonWorkerOptions
  extends Pick<
    AIHordeClientOptions,
    "baseUrl" | "apiKey" | "clientAgent" | "fetch" | "timeoutMs" | "retry" | "rateLimit" | "clock" | "logger"
  > {
  /**
   * The client to talk through (its transport, retries, rate limiter, clock and logger). Without one, a
   * client is built from `baseUrl`, `apiKey`, `fetch`, `clock`, … With one, `apiKey` (when given) is sent
   * with the worker's requests instead of the client's key, and `logger` replaces the client's for the
   * worker's own messages.
   */
  client?: AIHordeAPIClient;
  /**
   * The worker's name on the horde (unique there; a new name registers a new worker, and an untrusted
   * account may only have 3). Default: a random `horde-sdk-worker-xxxxxxxx`, fine for a local emulator;
   * give a stable name on a real horde.
   */
  name?: string;
  /** Jobs worked on at the same time (`threads` in the pop; default 1). An image batch counts once. */
  threads?: number;
  /**
   * Jobs asked for per pop (default 1): for images the batch size (`ids` of one request,
   * docs/server/workers.md#batch-size), for text
   * and alchemy capped by the free threads.
   */
  amount?: number;
  /** The bridge agent `name:version:url`; it decides which requests the horde sends (docs/server/workers.md#bridge-capabilities). */
  bridgeAgent?: string;
  /** Users whose requests this worker serves first (`alias#id`), besides its owner. */
  priorityUsernames?: string[];
  /** Only take requests whose requester can pay upfront (default false). */
  requireUpfrontKudos?: boolean;
  /** Declare an extra-slow worker (default false): longer ttl, fewer requests. */
  extraSlowWorker?: boolean;
  /**
   * Wait after a pop that found nothing (default 1000 ms), growing by half up to `maxPopIntervalMs`: an
   * idle worker asks about every 2 s, as the reference workers do, far below the pop limit (60/s per IP).
   */
  popIntervalMs?: number;
  /** Longest wait between pops while idle (default 2 s): a new request waits at most this long for it. */
  maxPopIntervalMs?: number;
  /**
   * After this long without a job (default 60 s, then again every 60 s while idle), log why — the pops'
   * `skipped` counters, e.g. "12 requests need a model you do not serve" — and emit `idle`. `Infinity`:
   * never.
   */
  idleReportMs?: number;
  /**
   * Give up on a job this long before its `ttl` runs out (default 10 s), so the faulted submit reaches
   * the horde before the server aborts the job itself (which counts against the worker). Never more than
   * half the ttl.
   */
  ttlMarginMs?: number;
  /**
   * Stop the worker (draining what is in flight) after this many jobs in a row failed in `generate`
   * (thrown, unusable result or out of time) — a broken backend should not fault the queue away
   * (default 10; `Infinity` never stops).
   */
  maxConsecutiveFaults?: number;
}

// ---------------------------------------------------------------------------------------------- image

/** An image job's payload (swagger `ModelPayloadStable`): sampler, cfg, size, post-processing, loras, … */
export type ImageJobPayload = schemas.ModelPayloadStable;

/** An image job: one pop, one request, one or more ids (a batch of `n` images sharing the payload). */
export interface ImageWorkerJob {
  readonly kind: "image";
  /** The first id of the batch. */
  readonly id: string;
  /** Every id of the batch; `generate` returns one image per id, in this order. */
  readonly ids: readonly string[];
  /** `ids.length`: how many images to make. */
  readonly n: number;
  readonly model: string;
  /**
   * What the model reference says about `model` — baseline, inpainting, NSFW, requirements (steps, cfg,
   * samplers, clip skip), … — when the worker has a `reference` that knows it; null otherwise.
   */
  readonly modelInfo: ImageModelRecord | null;
  /** The prompt as sent (the negative prompt follows `###`). */
  readonly prompt: string;
  /** The prompt before `###`. */
  readonly positivePrompt: string;
  /** The prompt after `###` ("" when none). */
  readonly negativePrompt: string;
  readonly width: number;
  readonly height: number;
  /** `ddim_steps`. */
  readonly steps: number;
  /** The payload's seed as an integer. */
  readonly seed: number;
  /** The seed of each image: `seed + i` (submitted unless the result says otherwise). */
  readonly seeds: readonly number[];
  /** A SFW request that asked for censoring: an NSFW result must be censored and reported in `gen_metadata`. */
  readonly censorNsfw: boolean;
  /** `img2img`, `inpainting`, `outpainting` or `remix` (always present, even for txt2img). */
  readonly sourceProcessing: string;
  /** The downloaded (or decoded) source image, for img2img and painting; null otherwise. */
  readonly sourceImage: Uint8Array | null;
  /** The downloaded (or decoded) mask, when the request sent one. */
  readonly sourceMask: Uint8Array | null;
  readonly extraSourceImages: readonly { image: Uint8Array; strength: number }[];
  readonly payload: ImageJobPayload;
  /** Seconds the horde gives this job (null when the server did not say). */
  readonly ttl: number | null;
  /** When the worker gives up on the job (epoch ms on the client's clock). */
  readonly deadline: number;
  /** The pop response the job came from. */
  readonly pop: ImageGenerateJobPopResponse;
}

/** One image: its WebP bytes, optionally with the seed used and metadata (e.g. censorship). */
export interface ImageResult {
  image: ImageBytes;
  seed?: number;
  /** e.g. `[{ type: "censorship", value: "nsfw" }]` for a censored image (docs/server/workers.md#submit: `censored` is ignored). */
  gen_metadata?: schemas.GenerationMetadataStable[];
}

/** What an image `generate` returns: one entry per id (bytes, or an ImageResult; `null` faults that id). */
export type ImageGenerateOutput = ImageBytes | ImageResult | readonly (ImageBytes | ImageResult | null)[];

export interface ImageWorkerOptions extends CommonWorkerOptions {
  kind: "image";
  /** Make the images of one job (a batch). Honour `context.signal`. Give this or `backend`. */
  generate?: (
    job: ImageWorkerJob,
    context: GenerateContext,
  ) => Promise<ImageGenerateOutput> | ImageGenerateOutput;
  /**
   * Make the images with a local server instead of `generate`: `a1111Backend(…)` (AUTOMATIC1111/Forge) or
   * `comfyuiBackend(…)`. What the backend cannot do is not advertised in the pop (post-processing, LoRAs,
   * ControlNet, …), and its bridge agent is the default.
   */
  backend?: ImageBackend;
  /** Models served (default `["stable_diffusion"]`, the requests' default model). */
  models?: string[];
  /**
   * The AI Horde's image model reference (a `ModelReference`, or its records), read once before the first
   * pop: served models it does not know are warned about (the horde keeps only names of its reference),
   * `allow_painting` is declared only when a served model is an inpainting model (unless `allowPainting`
   * is given), and each job carries its model's record as `job.modelInfo` (backends use its baseline). A
   * reference that cannot be loaded is reported once (`reference` event, a warning) and the worker goes on
   * with its options.
   */
  reference?: ImageModelSource;
  /** Largest width × height accepted (default 512 × 512 = 262144, the server's default). */
  maxPixels?: number;
  /** Take NSFW requests (default true, as the server; requests are NSFW by default). */
  nsfw?: boolean;
  /** Words whose prompts this worker refuses. */
  blacklist?: string[];
  /** Accept img2img requests (default true). */
  allowImg2img?: boolean;
  /**
   * Accept inpainting/outpainting (default true; with a `reference`, true only when a served model is an
   * inpainting model, as the horde gives painting jobs to those only).
   */
  allowPainting?: boolean;
  /** Accept post-processing (upscalers, face fixers; default true). */
  allowPostProcessing?: boolean;
  /** Accept requests from IPs the horde considers unsafe (default true). */
  allowUnsafeIpaddr?: boolean;
  /** Accept ControlNet requests (default false). */
  allowControlnet?: boolean;
  /** Accept SDXL ControlNet / layer-diffuse requests (default false). */
  allowSdxlControlnet?: boolean;
  /** Accept LoRA requests (default false). */
  allowLora?: boolean;
  /** Refuse requests with more steps than the model's average (default false). */
  limitMaxSteps?: boolean;
}

// ----------------------------------------------------------------------------------------------- text

/** A text job's payload (swagger `ModelPayloadKobold`): prompt, max_length and the sampler settings. */
export type TextJobPayload = schemas.ModelPayloadKobold;

/** A text job as a text worker's `generate` or backend gets it: the prompt, the limits and the raw payload. */
export interface TextWorkerJob {
  readonly kind: "text";
  readonly id: string;
  readonly model: string;
  readonly prompt: string;
  /** Tokens to generate at most. */
  readonly maxLength: number;
  readonly maxContextLength: number;
  readonly softprompt: string | null;
  readonly extraSourceImages: readonly { image: Uint8Array; strength: number }[];
  readonly payload: TextJobPayload;
  readonly ttl: number | null;
  readonly deadline: number;
  readonly pop: TextGenerateJobPopResponse;
}

/** One text: the string, or with its seed, state (`censored`/`csam`) and metadata. */
export type TextGenerateOutput =
  | string
  | {
      text: string;
      seed?: number;
      state?: "ok" | "censored" | "csam";
      gen_metadata?: schemas.GenerationMetadataKobold[];
    };

export interface TextWorkerOptions extends CommonWorkerOptions {
  kind: "text";
  /** Write the text of one job. Honour `context.signal`. Give this or `backend`. */
  generate?: (
    job: TextWorkerJob,
    context: GenerateContext,
  ) => Promise<TextGenerateOutput> | TextGenerateOutput;
  /** Write the texts with a local server instead of `generate`: `openaiBackend(…)` or `koboldcppBackend(…)`. */
  backend?: TextBackend;
  /** Models served (text model names, e.g. `koboldcpp/…`). */
  models?: string[];
  /** Largest `max_length` accepted (default 512). */
  maxLength?: number;
  /** Largest `max_context_length` accepted (default 2048). */
  maxContextLength?: number;
  softprompts?: string[];
  /** Take NSFW requests (default true, as the server). */
  nsfw?: boolean;
  blacklist?: string[];
}

// -------------------------------------------------------------------------------------------- alchemy

/** One alchemy form as an alchemy worker's `generate` gets it: the form's name and the source image. */
export interface AlchemyWorkerJob {
  readonly kind: "alchemy";
  readonly id: string;
  /** The form's name: `caption`, `nsfw`, `interrogation`, … or a post-processor such as `RealESRGAN_x4plus`. */
  readonly form: string;
  /** True when the form has an upload URL: return the processed image's bytes. */
  readonly expectsImage: boolean;
  readonly payload: Record<string, unknown>;
  /** The downloaded (or decoded) source image. */
  readonly sourceImage: Uint8Array;
  /** Forms get 3 minutes (docs/server/alchemy.md#alchemy). */
  readonly ttl: number;
  readonly deadline: number;
  readonly pop: AlchemyJobPopResponse;
}

/**
 * What an alchemy `generate` returns: the form's value (`"a cat"` for caption, `true` for nsfw, an object
 * for interrogation) — submitted as `{ [form]: value }` — or, for a post-processor form, the image's bytes
 * (uploaded to the form's R2 URL and submitted as `{ [form]: "R2" }`).
 */
export type AlchemyGenerateOutput =
  | ImageBytes
  | string
  | number
  | boolean
  | Record<string, unknown>
  | unknown[];

/** Options of an alchemy worker (`kind: "alchemy"`): the forms it serves and the function that runs one. */
export interface AlchemyWorkerOptions extends CommonWorkerOptions {
  kind: "alchemy";
  /** Run one form on the source image and return its result. Honour `context.signal`. */
  generate: (
    job: AlchemyWorkerJob,
    context: GenerateContext,
  ) => Promise<AlchemyGenerateOutput> | AlchemyGenerateOutput;
  /** Forms served (default `caption` only; the server hands a pop that names none nothing). */
  forms?: string[];
  /** Largest source image accepted, in 512×512 tiles (default 80, the server's runtime default). */
  maxTiles?: number;
}

/** What `new HordeWorker(…)` takes: one option shape per kind of worker, told apart by `kind`. */
export type HordeWorkerOptions = ImageWorkerOptions | TextWorkerOptions | AlchemyWorkerOptions;
/** Any job a worker runs, told apart by `kind`. */
export type WorkerJob = ImageWorkerJob | TextWorkerJob | AlchemyWorkerJob;

// ------------------------------------------------------------------------------------ stats and events

/** A snapshot of what the worker did (`worker.stats`). */
export interface HordeWorkerStats {
  name: string;
  kind: WorkerKind;
  state: WorkerState;
  /** Epoch ms on the client's clock. */
  startedAt: number | null;
  stoppedAt: number | null;
  /** Pops sent, pops that found nothing, pops that failed. */
  pops: number;
  emptyPops: number;
  popErrors: number;
  /** Job ids received. */
  popped: number;
  /** Job ids held now (popped, neither submitted nor faulted yet). */
  inFlight: number;
  completed: number;
  faulted: number;
  faultedBy: Partial<Record<FaultReason, number>>;
  /** Submits the horde refused because the job was done or aborted already (`DuplicateGen`, `AbortedGen`, …). */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** Kudos earned by submits (uptime kudos are not reported to the worker). */
  kudos: number;
  /**
   * Why the last empty pop found nothing: requests skipped per reason (only the non-zero ones), e.g.
   * `{ models: 12, max_pixels: 3 }` — the queue as this worker sees it now.
   */
  skipped: Record<string, number>;
  /** The `skipped` counters of every empty pop added up, per reason: which refusals cost this worker most. */
  skippedTotal: Record<string, number>;
  /** Since when (epoch ms) the pops found nothing; null while jobs come. */
  idleSince: number | null;
  /** Moderator messages received, latest last. */
  messages: WorkerMessage[];
}

/** The events of a `HordeWorker` (`worker.on(name, listener)`) and what each listener receives. */
export interface HordeWorkerEvents {
  start: { name: string; kind: WorkerKind };
  /**
   * An image worker with a `reference` read it, before its first pop: the served models it knows and those
   * it does not, and whether the pops take painting jobs. `error` when it could not be loaded (the worker
   * goes on with its options).
   */
  reference: { known: string[]; unknown: string[]; allowPainting: boolean; error?: unknown };
  /** A pop handed out jobs. `forms` for alchemy. */
  popped: { ids: string[]; model: string | null; ttl: number | null; forms?: string[] };
  /** A pop found nothing; `reasons` counts the requests this worker could not take. */
  skipped: { reasons: Record<string, number> };
  /**
   * The worker got no job for `idleReportMs` (and again every `idleReportMs` while that lasts): `summary`
   * says why in words ("12 requests need a model you do not serve, 3 need more pixels than you allow"),
   * from the last pop's `skipped` counters.
   */
  idle: { idleMs: number; pops: number; skipped: Record<string, number>; summary: string };
  /** A job's backend reported progress (`context.progress`). */
  progress: { id: string; ids: string[] } & JobProgress;
  completed: { id: string; reward: number; kudos: number; model: string | null };
  /** Kudos earned by one submit, and the total so far. */
  kudos: { id: string; reward: number; total: number };
  faulted: { id: string; reason: FaultReason; message: string; error?: unknown };
  /** The horde refused a submit (`DuplicateGen`: already done; `AbortedGen`: aborted as too slow; …). */
  rejected: { id: string; rc: string; message: string };
  /** A moderator's message to this worker (once per message id). */
  message: WorkerMessage;
  /** The worker is in maintenance (403 `WorkerMaintenance`): it keeps asking, at the error backoff. */
  maintenance: { message: string };
  /** Something failed that the worker survives (pop, release of a job, a listener). */
  error: { error: unknown; phase: "pop" | "release" | "listener" };
  /** The worker stopped; `error` when it stopped itself (fatal pop error, too many faults). */
  stop: { stats: HordeWorkerStats; error?: unknown };
}

/** The name of a `HordeWorker` event. */
export type HordeWorkerEventName = keyof HordeWorkerEvents;

// ------------------------------------------------------------------------------------------- backends

/** What a backend's server says about itself (`probe`). */
export interface BackendInfo {
  /** The models it has loaded or lists, in its own names. */
  models: string[];
  /** The largest context it takes (text backends, when it says). */
  maxContextLength?: number;
  /** The largest `max_length` it is configured for (KoboldCpp's horde setting, when it says). */
  maxLength?: number;
}

interface BackendBase {
  /** Its short name: `a1111`, `comfyui`, `koboldcpp`, `openai`. */
  readonly name: string;
  /** The server's base URL. */
  readonly url: string;
  /**
   * Ask the server what it serves (and so check it answers); with `models`, also check that it can serve
   * each of them (e.g. a checkpoint for each image model). Rejects with a HordeBackendError — before the
   * worker pops, so a misconfigured backend does not fault other people's jobs.
   */
  probe(signal?: AbortSignal, models?: readonly string[]): Promise<BackendInfo>;
}

/** The image features a backend can do; the worker does not advertise the others in its pops. */
export interface ImageBackendSupport {
  img2img: boolean;
  /** Inpainting and outpainting. */
  painting: boolean;
  postProcessing: boolean;
  lora: boolean;
  controlnet: boolean;
}

/** A local image server that runs an image worker's jobs: `a1111Backend(…)` or `comfyuiBackend(…)`. */
export interface ImageBackend extends BackendBase {
  readonly kind: "image";
  readonly supports: ImageBackendSupport;
  /**
   * The bridge agent whose capabilities (docs/server/workers.md#bridge-capabilities) the backend honours, so
   * the horde does not send what it cannot do. The worker's `bridgeAgent` option overrides it.
   */
  readonly bridgeAgent: string;
  /** One WebP image per id of the batch, with its seed (and metadata, e.g. a TI it could not apply). */
  generate(job: ImageWorkerJob, context: GenerateContext): Promise<ImageResult[]>;
}

/** A local text server that runs a text worker's jobs: `openaiBackend(…)` or `koboldcppBackend(…)`. */
export interface TextBackend extends BackendBase {
  readonly kind: "text";
  /** The text of one job, written by the backend's server. */
  generate(job: TextWorkerJob, context: GenerateContext): Promise<TextGenerateOutput>;
}

/** Any backend a worker can run its jobs on. */
export type WorkerBackend = ImageBackend | TextBackend;
