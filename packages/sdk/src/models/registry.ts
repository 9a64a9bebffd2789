// Every operation of the contract -> its request class (generated or hand-written): the operation table in
// class form. The request class knows the rest: method, path, field placement and, per HTTP status, the
// response class (`getSuccessStatusResponsePairs()`).
import type { HttpMethod, RequestClass } from "../core/messages.js";
import { AlchemyAsyncRequest } from "./alchemy/async.js";
import { AlchemyPopRequest } from "./alchemy/pop.js";
import { AlchemyDeleteRequest, AlchemyStatusRequest } from "./alchemy/status.js";
import { AlchemyJobSubmitRequest } from "./alchemy/submit.js";
import { ImageGenerateAsyncRequest } from "./generate/async.js";
import { ImageGenerateCheckRequest } from "./generate/check.js";
import { ImageGenerateJobPopRequest } from "./generate/pop.js";
import { DeleteImageGenerateRequest, ImageGenerateStatusRequest } from "./generate/status.js";
import { ImageGenerationJobSubmitRequest } from "./generate/submit.js";
import { generatedRequestClasses } from "./generated/classes.js";
import type { OperationId } from "./generated/operations.js";
import { AIHordeHeartbeatRequest } from "./status/heartbeat.js";
import { TextGenerateAsyncRequest } from "./text/async.js";
import { TextGenerateJobPopRequest } from "./text/pop.js";
import { DeleteTextGenerateRequest, TextGenerateStatusRequest } from "./text/status.js";
import { TextGenerationJobSubmitRequest } from "./text/submit.js";

/** The request class of every operation, by operationId. */
export const requestClasses = {
  ...generatedRequestClasses,
  post_image_async_generate: ImageGenerateAsyncRequest,
  get_image_async_check: ImageGenerateCheckRequest,
  get_image_async_status: ImageGenerateStatusRequest,
  delete_image_async_status: DeleteImageGenerateRequest,
  post_image_job_pop: ImageGenerateJobPopRequest,
  post_image_job_submit: ImageGenerationJobSubmitRequest,
  post_text_async_generate: TextGenerateAsyncRequest,
  get_text_async_status: TextGenerateStatusRequest,
  delete_text_async_status: DeleteTextGenerateRequest,
  post_text_job_pop: TextGenerateJobPopRequest,
  post_text_job_submit: TextGenerationJobSubmitRequest,
  post_interrogate: AlchemyAsyncRequest,
  get_interrogation_status: AlchemyStatusRequest,
  delete_interrogation_status: AlchemyDeleteRequest,
  post_interrogate_pop: AlchemyPopRequest,
  post_interrogate_submit: AlchemyJobSubmitRequest,
  get_heartbeat: AIHordeHeartbeatRequest,
} as const satisfies Record<OperationId, RequestClass>;

/** The request class for a method and a path template (`/v2/workers/{worker_id}`), if the API has one. */
export function requestClassFor(method: HttpMethod, pathTemplate: string): RequestClass | undefined {
  for (const cls of Object.values(requestClasses) as RequestClass[]) {
    if (cls.getHttpMethod() === method && cls.getApiEndpointSubpath() === pathTemplate) return cls;
  }
  return undefined;
}
