/**
 * horde-sdk/worker: run an AI Horde worker in TypeScript — pop jobs, call your generator, upload and
 * submit the results. fetch only (no Node built-ins), so it runs in Node, Deno, Bun and browsers.
 *
 * @packageDocumentation
 * @module horde-sdk/worker
 */

// Types only (no runtime import): `await using` for consumers whose lib lacks esnext.disposable.
export type {} from "../core/disposable.js";
export { HordeBackendError, HordeJobDeadlineError, HordeWorkerStoppedError } from "../core/errors.js";
export { type A1111BackendOptions, a1111Backend, a1111Payload } from "./backends/a1111.js";
export {
  BACKEND_IMAGE_BRIDGE_AGENT,
  type BackendModel,
  type BackendOptions,
  type PollingBackendOptions,
} from "./backends/backend.js";
export { type ImageCodec, type SharpLike, sharpCodec } from "./backends/codec.js";
export {
  type ComfyuiBackendOptions,
  comfyuiBackend,
  comfyuiPlaceholders,
  type SocketLike,
} from "./backends/comfyui.js";
export {
  type ComfyWorkflow,
  type ComfyWorkflows,
  checkWorkflows,
  DEFAULT_COMFY_WORKFLOWS,
  fillWorkflow,
  PLACEHOLDERS,
  type Placeholder,
} from "./backends/comfyui-workflow.js";
export { type ImageSettings, imageSettings } from "./backends/image-settings.js";
export {
  KOBOLDCPP_FIELDS,
  type KoboldcppBackendOptions,
  koboldcppBackend,
  koboldcppPayload,
} from "./backends/koboldcpp.js";
export { type OpenaiBackendOptions, openaiBackend, openaiPayload } from "./backends/openai.js";
export { A1111_SAMPLERS, a1111Sampler, COMFYUI_SAMPLERS, comfyuiSampler } from "./backends/samplers.js";
export { TypedEmitter } from "./events.js";
export { DEFAULT_IMAGE_MODEL, DEFAULT_MAX_PIXELS } from "./kinds/image.js";
export { DEFAULT_BRIDGE_AGENT, DEFAULT_IMAGE_BRIDGE_AGENT } from "./options.js";
export type { ImageModelSource } from "./served-models.js";
export { describeSkipped } from "./skipped.js";
export type {
  AlchemyGenerateOutput,
  AlchemyWorkerJob,
  AlchemyWorkerOptions,
  BackendInfo,
  CommonWorkerOptions,
  FaultReason,
  GenerateContext,
  HordeWorkerEventName,
  HordeWorkerEvents,
  HordeWorkerOptions,
  HordeWorkerStats,
  ImageBackend,
  ImageBackendSupport,
  ImageBytes,
  ImageGenerateOutput,
  ImageJobPayload,
  ImageResult,
  ImageWorkerJob,
  ImageWorkerOptions,
  JobProgress,
  TextBackend,
  TextGenerateOutput,
  TextJobPayload,
  TextWorkerJob,
  TextWorkerOptions,
  WorkerBackend,
  WorkerJob,
  WorkerKind,
  WorkerMessage,
  WorkerState,
} from "./types.js";
export { HordeWorker } from "./worker.js";
