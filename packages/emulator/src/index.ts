/**
 * horde-emulator: a faithful local AI Horde — the same HTTP API and semantics, in memory, with dev
 * workers that draw real WebP pictures and a virtual clock.
 */
export type { AdminUserView, CreatedUser, EmulatorAdmin } from "./admin.js";
export { type Clock, holdClock, systemClock, VirtualClock, type VirtualClockOptions } from "./clock.js";
export {
  DEV_WORKER_BRIDGE_AGENT,
  DevWorker,
  type DevWorkerConnection,
  type DevWorkerOptions,
  type DevWorkerStats,
  type DrawInput,
  drawPicture,
} from "./devworker/index.js";
export {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type ListenInfo,
  type ListenOptions,
} from "./emulator.js";
export { ANONYMOUS_API_KEY } from "./http/request.js";
export { consoleLogger, type EmulatorLogger, silentLogger } from "./logger.js";
export type { EmulatorStats } from "./state/stats.js";
