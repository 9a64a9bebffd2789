/**
 * horde-emulator: a faithful local AI Horde — the same HTTP API and semantics, in memory, with dev
 * workers that draw real WebP pictures, write text and do alchemy, a virtual clock, rate limits and
 * fault injection.
 *
 * Start with {@link createEmulator}.
 *
 * @packageDocumentation
 * @module horde-emulator
 */

export { type Clock, holdClock, systemClock, VirtualClock, type VirtualClockOptions } from "./clock.js";
export {
  AlchemyDevWorker,
  type AlchemyDevWorkerOptions,
  type BaseDevWorkerOptions,
  DEV_ALCHEMIST_BRIDGE_AGENT,
  DEV_TEXT_BRIDGE_AGENT,
  DEV_WORKER_BRIDGE_AGENT,
  DevWorker,
  type DevWorkerConnection,
  type DevWorkerOptions,
  type DevWorkerStats,
  type DevWorkerType,
  type DrawInput,
  drawPicture,
  type FormOutput,
  HordeDevWorker,
  runForm,
  TextDevWorker,
  type TextDevWorkerOptions,
  type WriteInput,
  writeText,
} from "./devworker/index.js";
export {
  type AnyDevWorker,
  createEmulator,
  type DevWorkerSpec,
  type Emulator,
  type EmulatorDescription,
  type EmulatorOptions,
  type FaultControl,
  IN_PROCESS_ORIGIN,
  isLoopbackHost,
  type ListenInfo,
  type ListenOptions,
  SOCKET_LIMITS,
  type SocketLimits,
  type WebhookControl,
} from "./emulator.js";
// The bundled model reference: `horde worker` reads it against a horde on this machine (offline).
export { IMAGE_MODEL_FACTS } from "./horde/reference/model-data.js";
export type { ImageModelFact } from "./horde/reference/model-facts.js";
export type { HordeModes } from "./horde/store/store.js";
export type { CreateUserInput } from "./horde/store/users.js";
export { ANONYMOUS_API_KEY } from "./horde/store/users.js";
export type { WebhookOptions, WebhookOutcome } from "./horde/store/webhooks.js";
export type {
  EmulatorStats,
  JobSummary,
  OutcomeCounts,
  RequestOutcome,
  RequestSummary,
} from "./horde/views/admin.js";
export { consoleLogger, type EmulatorLogger, silentLogger } from "./logger.js";
export { seedUser } from "./seed.js";
export type { AdminUserView, CreatedUser, EmulatorAdmin, UserPatch } from "./server/admin.js";
export {
  FAULT_KINDS,
  type FaultCounts,
  type FaultEvent,
  type FaultKind,
  type FaultPlan,
  type FaultRule,
} from "./server/faults/index.js";
export type { RateLimitControl, RateLimitOptions } from "./server/rate-limit/index.js";
export type { ResponseCacheControl } from "./server/response-cache.js";
