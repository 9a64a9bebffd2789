export { type DrawInput, drawCensored, drawPicture } from "./draw.js";
export {
  DEV_WORKER_BRIDGE_AGENT,
  DevWorker,
  type DevWorkerConnection,
  type DevWorkerOptions,
  type DevWorkerStats,
} from "./worker.js";
