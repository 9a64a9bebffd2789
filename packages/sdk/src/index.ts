/**
 * horde-sdk: typed, validated models of the AI Horde v2 API and a client that never loses a job.
 *
 * Start with {@link AIHordeAPIClient} (one-call `generateImage`/`generateText`/`runAlchemy`, or
 * `submitImage` for a {@link HordeJob} you can wait on, resume and cancel). Guides: the docs index of the repository.
 *
 * @packageDocumentation
 * @module horde-sdk
 */

// client
export { AIHordeAPIClient, type AIHordeClientOptions, type SendOptions } from "./client/client.js";
export { DEFAULT_READ_TTL_MS, type ReadCacheOptions } from "./client/read-cache.js";
export { AIHordeAPISession, type SessionCloseReport, type TrackedJob } from "./client/session.js";
// core: base classes, errors, logging, time, constants (no dependencies)
export { decodeBase64, encodeBase64 } from "./core/base64.js";
export { type Clock, systemClock } from "./core/clock.js";
export { ANONYMOUS_API_KEY, DEFAULT_BASE_URL, DEFAULT_CLIENT_AGENT } from "./core/constants.js";
// Types only (no runtime import): `await using` for consumers whose lib lacks esnext.disposable.
export type {} from "./core/disposable.js";
export { RequestErrorResponse } from "./core/error-response.js";
export * from "./core/errors.js";
export { consoleLogger, type Logger, setModelLogger, silentLogger } from "./core/logger.js";
export {
  HordeRequest,
  HordeResponse,
  type HttpMethod,
  type HttpRequestSpec,
  type RequestClass,
  type ResponseClass,
  type ResponseWithProgress,
  type SubmitOptions,
} from "./core/messages.js";
export { HordeAPIObject, type HordeModelClass } from "./core/model.js";
export { maskSecret, redactDeep } from "./core/redact.js";
export { dottedPath } from "./core/validation.js";
export { VERSION } from "./core/version.js";
// http: the one request pipeline (the transport itself is private)
export type { FetchUrlOptions } from "./http/pipeline.js";
export {
  type LimitRule,
  parseRateLimit,
  RateLimiter,
  type RateLimitOptions,
  type RateLimitText,
} from "./http/rate-limiter.js";
export type { RawResponse } from "./http/response.js";
export type { RetryOptions } from "./http/retry.js";
export type { FetchLike } from "./http/transport.js";
// jobs: one job type, one option shape and one progress event for image, text and alchemy
export type { AlchemyImage, AlchemyJob, RunAlchemyOptions, RunAlchemyResult } from "./jobs/alchemy.js";
export type { DownloadedImage } from "./jobs/download.js";
export type {
  GenerateImageOptions,
  GenerateImageResult,
  ImageJob,
  SubmitImageOptions,
} from "./jobs/image.js";
export { HordeJob, type HordeJobInit, type JobKind, type JobState } from "./jobs/job.js";
export type { JobTracker } from "./jobs/ledger.js";
export type {
  JobProgressEvent,
  JobType,
  JobWaitOptions,
  RunJobOptions,
  SubmitJobOptions,
} from "./jobs/options.js";
export { nextPollDelay, type PollPacing } from "./jobs/polling.js";
export type { NotResumedJob, ResumedJob, ResumeOptions } from "./jobs/resume.js";
export type { GenerateTextOptions, GenerateTextResult, TextJob } from "./jobs/text.js";
// models: hand-written semantics under models/<area>/, every other operation generated (generated/classes.ts)
export {
  type AlchemyAsyncPayload,
  AlchemyAsyncRequest,
  AlchemyAsyncResponse,
} from "./models/alchemy/async.js";
export {
  isFacefixer,
  isPostProcessorForm,
  isUpscaler,
  KNOWN_ALCHEMY_ANALYSIS_FORMS,
  KNOWN_FACEFIXERS,
  KNOWN_MISC_POST_PROCESSORS,
  KNOWN_UPSCALERS,
} from "./models/alchemy/forms.js";
export { AlchemyJobPopResponse, type AlchemyPopPayload, AlchemyPopRequest } from "./models/alchemy/pop.js";
export {
  AlchemyDeleteRequest,
  AlchemyFormStatus,
  AlchemyStatusRequest,
  AlchemyStatusResponse,
} from "./models/alchemy/status.js";
export { type AlchemyJobSubmitPayload, AlchemyJobSubmitRequest } from "./models/alchemy/submit.js";
export {
  AuthenticatedAIHordeRequest,
  BaseAIHordeRequest,
  JobRequest,
  WorkerSubmitRequest,
} from "./models/base.js";
export {
  type RuntimeDefault,
  runtimeDefaultsOf,
  SERVER_RUNTIME_DEFAULTS,
} from "./models/defaults.js";
export {
  ImageGenerateAsyncDryRunResponse,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
} from "./models/generate/async.js";
export { ImageGenerateCheckRequest, ImageGenerateCheckResponse } from "./models/generate/check.js";
export {
  type ImageGenerateJobPopPayload,
  ImageGenerateJobPopRequest,
  ImageGenerateJobPopResponse,
} from "./models/generate/pop.js";
export {
  DeleteImageGenerateRequest,
  Generation,
  ImageGenerateStatusRequest,
  ImageGenerateStatusResponse,
  ImageGeneration,
} from "./models/generate/status.js";
export {
  type ImageGenerationJobSubmitPayload,
  ImageGenerationJobSubmitRequest,
} from "./models/generate/submit.js";
export * from "./models/generated/classes.js";
export { defaultRateLimit, operations } from "./models/generated/operations.js";
export * as schemas from "./models/generated/schemas.js";
export { ReadShortcuts } from "./models/generated/shortcuts.js";
export { JobPopResponse } from "./models/job-pop.js";
export { HordeListResponse, type ListItemClass } from "./models/list.js";
export {
  hasRc,
  type KnownRc,
  LOST_RC,
  normalizeRc,
  RC_WITH_TRAILING_DOT,
  type Rc,
  rcMatches,
  UNLISTED_RC,
} from "./models/rc.js";
export { requestClasses, requestClassFor } from "./models/registry.js";
export { type SourceImageInput, toSourceImage } from "./models/source-image.js";
export { AIHordeHeartbeatRequest, AIHordeHeartbeatResponse } from "./models/status/heartbeat.js";
export { isStrictValidation, setStrictValidation, withStrictValidation } from "./models/strict.js";
export type { KnownFields, RequestInput, XFieldsMask } from "./models/support.js";
export {
  TextGenerateAsyncDryRunResponse,
  type TextGenerateAsyncPayload,
  TextGenerateAsyncRequest,
  TextGenerateAsyncResponse,
} from "./models/text/async.js";
export {
  type TextGenerateJobPopPayload,
  TextGenerateJobPopRequest,
  TextGenerateJobPopResponse,
} from "./models/text/pop.js";
export {
  DeleteTextGenerateRequest,
  GenerationKobold,
  TextGenerateStatusRequest,
  TextGenerateStatusResponse,
} from "./models/text/status.js";
export {
  type TextGenerationJobSubmitPayload,
  TextGenerationJobSubmitRequest,
} from "./models/text/submit.js";
// Ratings API (https://ratings.aihorde.net/api)
export { RatingsAPIClient } from "./ratings/client.js";
export * from "./ratings/models.js";
export {
  type ImageModelRecord,
  ImageModelRecordSchema,
  type ImageModelRequirements,
  type SkippedRecord,
  type TextModelRecord,
  TextModelRecordSchema,
} from "./reference/records.js";
// The AI Horde's model references, joined with the live model counts
export {
  baselineId,
  DEFAULT_MODEL_REFERENCE_TTL_MS,
  IMAGE_MODEL_REFERENCE_URL,
  type ImageModelFilter,
  type LiveModel,
  ModelReference,
  type ModelReferenceOptions,
  type ModelUsage,
  TEXT_MODEL_REFERENCE_URL,
  type TextModelFilter,
  type UsagePeriod,
} from "./reference/reference.js";
// store: where a client keeps its jobs so a process that dies loses none (FileJobStore: horde-sdk/node)
export { IndexedDBJobStore } from "./store/indexeddb.js";
export type {
  JobStore,
  StoredJob,
  StoredJobKind,
  StoredJobPatch,
  StoredJobState,
  StoredProgress,
} from "./store/job-store.js";
export { MemoryJobStore } from "./store/memory.js";
export {
  type AlchemyWebhook,
  type HordeWebhook,
  type ImageWebhook,
  parseWebhook,
  type TextWebhook,
} from "./webhooks/delivery.js";
export {
  createWebhookHandler,
  DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  type WebhookReceiverOptions,
} from "./webhooks/receiver.js";
