import * as z from "zod";
import { endpoint } from "../../core/messages.js";
import { WorkerSubmitRequest, withKeyAndHeaders } from "../base.js";
import { JobSubmitResponse } from "../generated/classes.js";
import * as schemas from "../generated/schemas.js";

/** The JSON body of POST `/v2/generate/text/submit` (swagger `SubmitInputKobold`, plus `seed`). */
export type TextGenerationJobSubmitPayload = schemas.SubmitInputKobold & {
  /** The seed used; read by the server's parser (default 0) but not in the body model. */
  seed?: number;
};

/**
 * POST `/v2/generate/text/submit` (worker): deliver one popped text job. `state: "faulted"` gives the job
 * back to the queue (reward 0); `censored` / `csam` mark it censored and the requester is not charged.
 * Answers `{reward}`. Never retried automatically.
 */
export interface TextGenerationJobSubmitRequest extends Readonly<TextGenerationJobSubmitPayload> {
  readonly apikey?: string;
}
export class TextGenerationJobSubmitRequest extends WorkerSubmitRequest<JobSubmitResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/text/submit",
    () => JobSubmitResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ withKeyAndHeaders(schemas.SubmitInputKobold, {
    seed: z.number().int().optional(),
  });

  constructor(
    input: TextGenerationJobSubmitPayload & { apikey?: string; client_agent?: string; accept?: string },
  ) {
    super(input);
  }

  static override getApiModelName(): string {
    return "SubmitInputKobold";
  }
}
