export {
  AlchemyDevWorker,
  type AlchemyDevWorkerOptions,
  DEV_ALCHEMIST_BRIDGE_AGENT,
} from "./alchemy.js";
export {
  type BaseDevWorkerOptions,
  DEV_CLIENT_AGENT,
  type DevWorkerConnection,
  type DevWorkerStats,
  type DevWorkerType,
  HordeDevWorker,
} from "./base.js";
export { type DrawInput, drawCensored, drawPicture } from "./draw.js";
export { type FormOutput, runForm } from "./forms.js";
export { DEV_WORKER_BRIDGE_AGENT, DevWorker, type DevWorkerOptions } from "./image.js";
export { type AnyDevWorker, DevWorkerPool, type DevWorkerSpec, devWorkerSpecs } from "./pool.js";
export { DEV_TEXT_BRIDGE_AGENT, TextDevWorker, type TextDevWorkerOptions } from "./text.js";
export { type WriteInput, writeText } from "./write.js";
