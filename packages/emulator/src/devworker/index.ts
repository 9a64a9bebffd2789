export { type FormOutput, runForm } from "./alchemy.js";
export {
  AlchemyDevWorker,
  type AlchemyDevWorkerOptions,
  DEV_ALCHEMIST_BRIDGE_AGENT,
} from "./alchemy-worker.js";
export {
  type BaseDevWorkerOptions,
  DEV_CLIENT_AGENT,
  type DevWorkerConnection,
  type DevWorkerStats,
  type DevWorkerType,
  HordeDevWorker,
} from "./base.js";
export { type DrawInput, drawCensored, drawPicture } from "./draw.js";
export { type WriteInput, writeText } from "./text.js";
export { DEV_TEXT_BRIDGE_AGENT, TextDevWorker, type TextDevWorkerOptions } from "./text-worker.js";
export { DEV_WORKER_BRIDGE_AGENT, DevWorker, type DevWorkerOptions } from "./worker.js";
