import type * as z from "zod";
import { endpoint } from "../../core/messages.js";
import { apikeyShape, commonHeaderShape, WorkerSubmitRequest } from "../base.js";
import { JobSubmitResponse } from "../generated/classes.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { openString } from "../support.js";

/** The JSON body of POST `/v2/interrogate/submit`. */
export interface AlchemyJobSubmitPayload {
  /** The form id (from the pop's `forms[].id`). */
  id: string;
  /**
   * The form's result, keyed by form name: `{caption: "…"}`, `{nsfw: true}`, `{interrogation: {...}}`, or
   * `{<post-processor>: "R2"}` after uploading to the form's `r2_upload`. `{}` with `state: "faulted"`.
   */
  result: Record<string, unknown>;
  /** `ok` (default) or `faulted` (the form goes back to the queue, and is faulted after its 4th abort). */
  state?: "ok" | "faulted" | (string & {});
}

/** POST `/v2/interrogate/submit` (worker): deliver one popped alchemy form. Answers `{reward}`. */
export interface AlchemyJobSubmitRequest extends Readonly<AlchemyJobSubmitPayload> {
  readonly apikey?: string;
}
export class AlchemyJobSubmitRequest extends WorkerSubmitRequest<JobSubmitResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/interrogate/submit",
    () => JobSubmitResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.inlineBodySchemas.post_interrogate_submit.extend({
      state: openString(["ok", "faulted"]).optional(),
      ...apikeyShape,
      ...commonHeaderShape,
    }),
  );

  constructor(input: AlchemyJobSubmitPayload & { apikey?: string; client_agent?: string; accept?: string }) {
    super(input);
  }
}
