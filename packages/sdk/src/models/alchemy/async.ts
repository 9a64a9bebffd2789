import * as z from "zod";
import { endpoint, HordeResponse, type RequestClass } from "../../core/messages.js";
import { AuthenticatedAIHordeRequest, apikeyShape, commonHeaderShape } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { AlchemyDeleteRequest, AlchemyStatusRequest } from "./status.js";

/**
 * The accepted alchemy request (HTTP 202, swagger `RequestInterrogationResponse`: `{id}`, `message` usually
 * absent). It names its follow-up (poll `AlchemyStatusRequest`) and its cleanup (`AlchemyDeleteRequest`), so
 * a session cancels it if it is left unfinished.
 */
export interface AlchemyAsyncResponse extends Readonly<Omit<schemas.RequestInterrogationResponse, "id">> {
  readonly id: string;
}
export class AlchemyAsyncResponse extends HordeResponse {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestInterrogationResponse.extend({
      id: z.string().min(1),
    }),
  );

  static override getApiModelName(): string {
    return "RequestInterrogationResponse";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return AlchemyStatusRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return AlchemyDeleteRequest;
  }

  override getFollowUpReturnedParams(): Record<string, unknown>[] {
    return [{ id: this.id }];
  }
}

/** The JSON body of POST `/v2/interrogate/async` (swagger `ModelInterrogationInputStable`, plus `trusted_workers`). */
export type AlchemyAsyncPayload = Omit<schemas.ModelInterrogationInputStable, "forms" | "source_image"> & {
  /** At least one form: `caption`, `interrogation`, `nsfw`, ..., or a post-processor name. */
  forms: schemas.ModelInterrogationFormStable[];
  /** The image: an http(s) URL or base64. */
  source_image: string;
  /** Only trusted workers (runtime default false); read by the server's parser, not in the body model. */
  trusted_workers?: boolean;
};

/**
 * POST `/v2/interrogate/async`: queue alchemy (caption, interrogation, nsfw check, upscaling, ...) on one
 * image. QUIRK: the contract marks `forms` and `source_image` optional; the server rejects a request without
 * them, so they are required here (at least one form, a non-empty image). Success is 202 only (there is no
 * dry run). Only the fields you set are sent (`slow_workers` defaults to true at runtime).
 */
export interface AlchemyAsyncRequest extends Readonly<AlchemyAsyncPayload> {
  readonly apikey?: string;
}
export class AlchemyAsyncRequest extends AuthenticatedAIHordeRequest<AlchemyAsyncResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/interrogate/async",
    () => AlchemyAsyncResponse,
    () => ({ 202: AlchemyAsyncResponse }),
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.ModelInterrogationInputStable.extend({
      forms: z.array(schemas.ModelInterrogationFormStable).min(1, "at least one form is required"),
      source_image: z.string().min(1, "the source image (URL or base64) is required"),
      trusted_workers: z.boolean().optional(),
      ...apikeyShape,
      ...commonHeaderShape,
    }),
  );

  constructor(input: AlchemyAsyncPayload & { apikey?: string; client_agent?: string; accept?: string }) {
    super(input);
  }

  static override getApiModelName(): string {
    return "ModelInterrogationInputStable";
  }

  /** One result per form. */
  override getNumberOfResultsExpected(): number {
    return this.forms.length;
  }

  /** Every accepted request must be polled to completion or cancelled. */
  override getRequiresFollowUp(): boolean {
    return true;
  }

  /** A base64 source image stays out of log dumps. */
  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return /^https?:\/\//i.test(this.source_image) ? new Set() : new Set(["source_image"]);
  }
}
