// horde-sdk/worker: run an AI Horde worker in TypeScript — pop jobs, call your generator, upload and
// submit the results. fetch only (no Node built-ins), so it runs in Node, Deno, Bun and browsers.

// Types only (no runtime import): `await using` for consumers whose lib lacks esnext.disposable.
export type {} from "../core/disposable.js";
export { HordeJobDeadlineError, HordeWorkerStoppedError } from "../core/errors.js";
export { TypedEmitter } from "./events.js";
export { DEFAULT_IMAGE_MODEL, DEFAULT_MAX_PIXELS } from "./kinds/image.js";
export { DEFAULT_BRIDGE_AGENT, DEFAULT_IMAGE_BRIDGE_AGENT } from "./options.js";
export type {
  AlchemyGenerateOutput,
  AlchemyWorkerJob,
  AlchemyWorkerOptions,
  CommonWorkerOptions,
  FaultReason,
  GenerateContext,
  HordeWorkerEventName,
  HordeWorkerEvents,
  HordeWorkerOptions,
  HordeWorkerStats,
  ImageBytes,
  ImageGenerateOutput,
  ImageJobPayload,
  ImageResult,
  ImageWorkerJob,
  ImageWorkerOptions,
  TextGenerateOutput,
  TextJobPayload,
  TextWorkerJob,
  TextWorkerOptions,
  WorkerJob,
  WorkerKind,
  WorkerMessage,
  WorkerState,
} from "./types.js";
export { HordeWorker } from "./worker.js";
