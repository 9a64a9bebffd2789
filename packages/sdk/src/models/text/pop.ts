import type * as z from "zod";
import { endpoint, type HordeRequest, type RequestClass } from "../../core/messages.js";
import { AuthenticatedAIHordeRequest, withKeyAndHeaders } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { JobPopResponse } from "../job-pop.js";
import { TextGenerationJobSubmitRequest } from "./submit.js";

/**
 * The answer to a text pop (swagger `GenerationPayloadKobold`). With a job: `ids` (`id` is the obsolete
 * single id), `payload` (the prompt and sampler parameters, `n` is always 1 per job), `model`, `softprompt`,
 * `ttl` and `messages`. Without: `skipped` counts the requests this worker could not take, per reason
 * (`max_context_length`, `max_length`, `matching_softprompt`, `models`, ...).
 */
export interface TextGenerateJobPopResponse extends Readonly<schemas.GenerationPayloadKobold> {}
export class TextGenerateJobPopResponse extends JobPopResponse {
  static override readonly schema: z.ZodType = schemas.GenerationPayloadKobold;

  static override getApiModelName(): string {
    return "GenerationPayloadKobold";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return TextGenerationJobSubmitRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return TextGenerationJobSubmitRequest;
  }

  /** `ids`, or the obsolete single `id`. */
  get jobIds(): string[] {
    if (this.ids && this.ids.length > 0) return [...this.ids];
    return this.id ? [this.id] : [];
  }

  /** When the job goes stale, in epoch seconds (null without `ttl`). */
  get expiresAt(): number | null {
    return typeof this.ttl === "number" ? this.timeConstructed + this.ttl : null;
  }

  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return new Set(["extra_source_images"]);
  }

  protected faultedSubmit(id: string, base: Record<string, unknown>): HordeRequest {
    return new TextGenerationJobSubmitRequest({ ...base, id, state: "faulted", generation: "faulted" });
  }
}

/** The JSON body of POST `/v2/generate/text/pop` (swagger `PopInputKobold`). */
export type TextGenerateJobPopPayload = schemas.PopInputKobold;

/**
 * POST `/v2/generate/text/pop` (worker): ask for text jobs. Only the fields you set are sent.
 * QUIRK(docs/server/workers.md#pop, docs/server/text.md#text): runtime defaults differ from the documented
 * ones: `nsfw` is TRUE and
 * `extra_slow_worker` FALSE when omitted; `max_length` defaults to 512 and `max_context_length` to 2048.
 * `name` is required by the server.
 */
export interface TextGenerateJobPopRequest extends Readonly<TextGenerateJobPopPayload> {
  readonly apikey?: string;
}
export class TextGenerateJobPopRequest extends AuthenticatedAIHordeRequest<TextGenerateJobPopResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/text/pop",
    () => TextGenerateJobPopResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ withKeyAndHeaders(schemas.PopInputKobold);

  constructor(
    input: TextGenerateJobPopPayload & { apikey?: string; client_agent?: string; accept?: string },
  ) {
    super(input);
  }

  static override getApiModelName(): string {
    return "PopInputKobold";
  }

  override getRequiresFollowUp(): boolean {
    return true;
  }

  override getNumberOfResultsExpected(): number {
    return this.amount ?? 1;
  }
}
