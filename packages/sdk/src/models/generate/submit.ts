import type * as z from "zod";
import { endpoint } from "../../core/messages.js";
import { WorkerSubmitRequest, withKeyAndHeaders } from "../base.js";
import { JobSubmitResponse } from "../generated/classes.js";
import * as schemas from "../generated/schemas.js";

/** The JSON body of POST `/v2/generate/submit` (swagger `SubmitInputStable`). */
export type ImageGenerationJobSubmitPayload = schemas.SubmitInputStable;

/**
 * POST `/v2/generate/submit` (worker): deliver one popped image job. `generation` is `"R2"` after a PUT of
 * the WebP to the job's `r2_uploads` URL, or the base64 WebP (the server then uploads it itself).
 * `state: "faulted"` gives the job back to the queue (reward 0). QUIRK(docs/server/workers.md#submit):
 * `censored` is
 * ignored for images; report censorship in `gen_metadata` (`{type: "censorship", value: "nsfw" | "csam"}`).
 * Answers `{reward}`. Never retried automatically: a repeat is a 400 `DuplicateGen`.
 */
export interface ImageGenerationJobSubmitRequest extends Readonly<ImageGenerationJobSubmitPayload> {
  readonly apikey?: string;
}
export class ImageGenerationJobSubmitRequest extends WorkerSubmitRequest<JobSubmitResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/submit",
    () => JobSubmitResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ withKeyAndHeaders(schemas.SubmitInputStable);

  constructor(
    input: ImageGenerationJobSubmitPayload & { apikey?: string; client_agent?: string; accept?: string },
  ) {
    super(input);
  }

  static override getApiModelName(): string {
    return "SubmitInputStable";
  }

  /** A base64 image stays out of log dumps. */
  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return this.generation && this.generation !== "R2" ? new Set(["generation"]) : new Set();
  }
}
