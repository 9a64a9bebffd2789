import type * as z from "zod";
import { endpoint, type HordeRequest, type RequestClass } from "../../core/messages.js";
import { isFacefixer, isUpscaler } from "../alchemy/forms.js";
import { AuthenticatedAIHordeRequest, withKeyAndHeaders } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { JobPopResponse } from "../job-pop.js";
import { ImageGenerationJobSubmitRequest } from "./submit.js";

/**
 * The answer to an image pop (swagger `GenerationPayloadStable`). With a job: `ids` (one per image of the
 * batch; `id` is the obsolete single id), `payload`, `model`, the source images, `r2_uploads` (one presigned
 * PUT URL per id), `ttl` (seconds before the job is considered stale and given to another worker) and
 * `messages` (from the horde's moderators to this worker). Without a job: `skipped` counts, per reason, the
 * requests this worker could not take (`max_pixels`, `models`, `nsfw`, `bridge_version`, `kudos`, ...).
 */
export interface ImageGenerateJobPopResponse extends Readonly<schemas.GenerationPayloadStable> {}
export class ImageGenerateJobPopResponse extends JobPopResponse {
  static override readonly schema: z.ZodType = schemas.GenerationPayloadStable;

  static override getApiModelName(): string {
    return "GenerationPayloadStable";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return ImageGenerationJobSubmitRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return ImageGenerationJobSubmitRequest;
  }

  /** `ids`, or the obsolete single `id` from servers that send only that. */
  get jobIds(): string[] {
    if (this.ids && this.ids.length > 0) return [...this.ids];
    return this.id ? [this.id] : [];
  }

  /** The presigned R2 upload URL for job `id` (`r2_uploads[i]` for `ids[i]`, else the single `r2_upload`). */
  r2UploadFor(id: string): string | null {
    const i = this.jobIds.indexOf(id);
    if (i < 0) return null;
    return this.r2_uploads?.[i] ?? this.r2_upload ?? null;
  }

  /** When the job goes stale, in epoch seconds (null without `ttl`). */
  get expiresAt(): number | null {
    return typeof this.ttl === "number" ? this.timeConstructed + this.ttl : null;
  }

  /** The payload asks for at least one upscaler. */
  get hasUpscaler(): boolean {
    return (this.payload?.post_processing ?? []).some(isUpscaler);
  }

  /** The payload asks for at least one face fixer. */
  get hasFacefixer(): boolean {
    return (this.payload?.post_processing ?? []).some(isFacefixer);
  }

  /** Source images are large base64 blobs (or URLs): kept out of log dumps. */
  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return new Set(["source_image", "source_mask", "extra_source_images"]);
  }

  /** `state: "faulted"` with the payload's seed (the submit requires an integer seed). */
  protected faultedSubmit(id: string, base: Record<string, unknown>): HordeRequest {
    const seed = Number.parseInt(this.payload?.seed ?? "", 10);
    return new ImageGenerationJobSubmitRequest({
      ...base,
      id,
      state: "faulted",
      generation: "faulted",
      seed: Number.isSafeInteger(seed) ? seed : 0,
    });
  }
}

/** The JSON body of POST `/v2/generate/pop` (swagger `PopInputStable`). */
export type ImageGenerateJobPopPayload = schemas.PopInputStable;

/**
 * POST `/v2/generate/pop` (worker): ask for image jobs. Only the fields you set are sent.
 * QUIRK(docs/server/workers.md#pop): the server's runtime defaults differ from the documented ones: `nsfw` is
 * TRUE,
 * and `allow_controlnet`, `allow_sdxl_controlnet`, `allow_lora`, `limit_max_steps` and `extra_slow_worker`
 * are FALSE when omitted (see SERVER_RUNTIME_DEFAULTS); send every capability flag explicitly. `name` is
 * required by the server. A pop that hands out jobs must be followed by one submit per job (a session sends a
 * faulted submit for each job left unsubmitted when it closes).
 */
export interface ImageGenerateJobPopRequest extends Readonly<ImageGenerateJobPopPayload> {
  readonly apikey?: string;
}
export class ImageGenerateJobPopRequest extends AuthenticatedAIHordeRequest<ImageGenerateJobPopResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/pop",
    () => ImageGenerateJobPopResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ withKeyAndHeaders(schemas.PopInputStable);

  constructor(
    input: ImageGenerateJobPopPayload & { apikey?: string; client_agent?: string; accept?: string },
  ) {
    super(input);
  }

  static override getApiModelName(): string {
    return "PopInputStable";
  }

  /** Jobs handed out must be submitted (or released with a faulted submit). */
  override getRequiresFollowUp(): boolean {
    return true;
  }

  override getNumberOfResultsExpected(): number {
    return this.amount ?? 1;
  }
}
