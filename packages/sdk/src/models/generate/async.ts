import * as z from "zod";
import { endpoint, HordeResponse, type RequestClass } from "../../core/messages.js";
import { AuthenticatedAIHordeRequest, apikeyShape, commonHeaderShape } from "../base.js";
import { withExplicitRuntimeDefaults } from "../defaults.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { ImageGenerateCheckRequest } from "./check.js";
import { DeleteImageGenerateRequest } from "./status.js";

/** The accepted submit (HTTP 202, swagger `RequestAsync`). `kudos` is the base cost of ONE image (docs/server/image-requests.md#submit), not the total. */
export interface ImageGenerateAsyncResponse extends Readonly<Omit<schemas.RequestAsync, "id">> {
  readonly id: string;
}
export class ImageGenerateAsyncResponse extends HordeResponse {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestAsync.extend({ id: z.string().min(1) }),
  );

  static override getApiModelName(): string {
    return "RequestAsync";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return ImageGenerateCheckRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return DeleteImageGenerateRequest;
  }

  override getFollowUpReturnedParams(): Record<string, unknown>[] {
    return [{ id: this.id }];
  }
}

/** A dry run's answer (HTTP 200): the estimated total kudos. Nothing was queued, so nothing follows. */
export interface ImageGenerateAsyncDryRunResponse {
  readonly kudos: number;
}
export class ImageGenerateAsyncDryRunResponse extends HordeResponse {
  // Not in the contract: the server answers a dry run with a bare `{"kudos": N}`
  // (docs/server/image-requests.md#submit-order step 8).
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    z.looseObject({ kudos: z.number() }),
  );
}

/** The JSON body of POST `/v2/generate/async` (swagger `GenerationInputStable`). */
export type ImageGenerateAsyncPayload = schemas.GenerationInputStable;

/**
 * POST `/v2/generate/async`: queue an image request. Validated against the contract's limits on construction
 * (size 64–3072 in multiples of 64, steps 1–500, n 1–20, …), so a bad request fails before anything is sent.
 * Only the fields you set are sent. NOTE(docs/server/quirks.md#runtime-defaults): the server's runtime
 * defaults differ from the
 * contract's (`nsfw`/`censor_nsfw` true, `cfg_scale` 5, `karras` true); set them explicitly to be sure.
 */
export interface ImageGenerateAsyncRequest extends Readonly<ImageGenerateAsyncPayload> {
  readonly apikey?: string;
}
export class ImageGenerateAsyncRequest extends AuthenticatedAIHordeRequest<
  ImageGenerateAsyncResponse | ImageGenerateAsyncDryRunResponse
> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/async",
    () => ImageGenerateAsyncResponse,
    () => ({ 200: ImageGenerateAsyncDryRunResponse, 202: ImageGenerateAsyncResponse }),
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.GenerationInputStable.extend({
      ...apikeyShape,
      ...commonHeaderShape,
    }),
  );

  constructor(
    input: ImageGenerateAsyncPayload & { apikey?: string; client_agent?: string; accept?: string },
  ) {
    super(input);
  }

  static override getApiModelName(): string {
    return "GenerationInputStable";
  }

  override getNumberOfResultsExpected(): number {
    return this.params?.n ?? 1;
  }

  /**
   * QUIRK(docs/server/quirks.md#runtime-defaults): the server's parser defaults differ from the documented
   * ones (`nsfw` and
   * `censor_nsfw` true, `validated_backends` false, `models` ["stable_diffusion"], `cfg_scale` 5, `karras`
   * true). The body states them explicitly when you leave them out, so what is sent is what will happen.
   */
  override body(): Record<string, unknown> {
    return withExplicitRuntimeDefaults(
      super.body() ?? {},
      "GenerationInputStable",
      "ModelGenerationInputStable",
    );
  }

  /** A queued request (not a dry run) must be polled to completion or cancelled. */
  override getRequiresFollowUp(): boolean {
    return this.dry_run !== true;
  }
}
