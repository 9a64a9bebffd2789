// horde-sdk: typed, validated models of the AI Horde v2 API and a client that never loses a job.

export type {
  AlchemyImage,
  AlchemyJob,
  RunAlchemyOptions,
  RunAlchemyResult,
} from "./client/alchemy-job.js";
// client
export { decodeBase64, encodeBase64 } from "./client/base64.js";
export {
  AIHordeAPIClient,
  type AIHordeClientOptions,
  DEFAULT_CLIENT_AGENT,
  type SubmitOptions,
} from "./client/client.js";
export type { DownloadedImage } from "./client/download.js";
export type {
  GenerateImageOptions,
  GenerateImageResult,
  ImageJob,
  ImageProgressEvent,
  SubmitImageOptions,
} from "./client/image-job.js";
export { HordeJob, type JobKind, type JobState, type JobWaitOptions } from "./client/job.js";
export { nextPollDelay, type PollPacing } from "./client/polling.js";
export { type LimitRule, parseLimit, RateLimiter, type RateLimitOptions } from "./client/rate-limit.js";
export type { RetryOptions } from "./client/retry.js";
export { AIHordeAPISession, type SessionCloseReport, type TrackedJob } from "./client/session.js";
export { type SourceImageInput, toSourceImage } from "./client/source-image.js";
export type { GenerateTextOptions, GenerateTextResult, TextJob } from "./client/text-job.js";
export type { FetchLike } from "./client/transport.js";
export { type ImageWebhook, parseWebhook, type TextWebhook } from "./client/webhook.js";
// Types only (no runtime import): `await using` for consumers whose lib lacks esnext.disposable.
export type {} from "./disposable.js";
// generic layer
export type { Clock } from "./generic/clock.js";
export { systemClock } from "./generic/clock.js";
export { RequestErrorResponse } from "./generic/error-response.js";
export * from "./generic/errors.js";
export type { Logger } from "./generic/logger.js";
export { consoleLogger, setModelLogger, silentLogger } from "./generic/logger.js";
export { HordeAPIObject, type HordeModelClass } from "./generic/model.js";
export { maskSecret, redactDeep } from "./generic/redact.js";
export {
  ANONYMOUS_API_KEY,
  DEFAULT_BASE_URL,
  HordeRequest,
  type HttpMethod,
  type HttpRequestSpec,
  type RequestClass,
  type ResponseClass,
} from "./generic/request.js";
export { HordeResponse, type ResponseWithProgress } from "./generic/response.js";
export { dottedPath } from "./generic/validation.js";
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
} from "./models/alchemy/consts.js";
export { AlchemyJobPopResponse, type AlchemyPopPayload, AlchemyPopRequest } from "./models/alchemy/pop.js";
export {
  AlchemyDeleteRequest,
  AlchemyFormStatus,
  AlchemyStatusRequest,
  AlchemyStatusResponse,
} from "./models/alchemy/status.js";
export { type AlchemyJobSubmitPayload, AlchemyJobSubmitRequest } from "./models/alchemy/submit.js";
export * from "./models/api-methods.js";
export { AuthenticatedAIHordeRequest, BaseAIHordeRequest, JobRequest } from "./models/base.js";
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
export { VERSION } from "./version.js";
