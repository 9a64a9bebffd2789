// horde-sdk: typed, validated models of the AI Horde v2 API and a client that never loses a job.

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
export type { FetchLike } from "./client/transport.js";
export { type ImageWebhook, parseWebhook, type TextWebhook } from "./client/webhook.js";
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
// models
export { AuthenticatedAIHordeRequest, BaseAIHordeRequest, JobRequest } from "./models/base.js";
export {
  ImageGenerateAsyncDryRunResponse,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
} from "./models/generate/async.js";
export { ImageGenerateCheckRequest, ImageGenerateCheckResponse } from "./models/generate/check.js";
export {
  DeleteImageGenerateRequest,
  Generation,
  ImageGenerateStatusRequest,
  ImageGenerateStatusResponse,
  ImageGeneration,
} from "./models/generate/status.js";
export { operations } from "./models/generated/operations.js";
export * as schemas from "./models/generated/schemas.js";
export { VERSION } from "./version.js";
