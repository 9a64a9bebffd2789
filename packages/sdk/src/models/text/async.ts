import * as z from "zod";
import { endpoint, HordeResponse, type RequestClass } from "../../core/messages.js";
import { AuthenticatedAIHordeRequest, apikeyShape, commonHeaderShape } from "../base.js";
import { withExplicitRuntimeDefaults } from "../defaults.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { hordeObject } from "../strict.js";
import { DeleteTextGenerateRequest, TextGenerateStatusRequest } from "./status.js";

/**
 * The accepted text request (HTTP 202, swagger `RequestAsync`). It names its follow-up (poll
 * `TextGenerateStatusRequest`: text has no /check) and its cleanup (`DeleteTextGenerateRequest`), so a
 * session cancels it if it is left unfinished. QUIRK(docs/server/text.md#text): `kudos` is 0 here (the server
 * does
 * not compute it outside a dry run); the live cost is in the status.
 */
export interface TextGenerateAsyncResponse extends Readonly<Omit<schemas.RequestAsync, "id">> {
  readonly id: string;
}
export class TextGenerateAsyncResponse extends HordeResponse {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestAsync.extend({ id: z.string().min(1) }),
  );

  static override getApiModelName(): string {
    return "RequestAsync";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return TextGenerateStatusRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return DeleteTextGenerateRequest;
  }

  override getFollowUpReturnedParams(): Record<string, unknown>[] {
    return [{ id: this.id }];
  }
}

/** A text dry run's answer (HTTP 200): the estimated kudos. Nothing was queued, so nothing follows. */
export interface TextGenerateAsyncDryRunResponse {
  readonly kudos: number;
}
export class TextGenerateAsyncDryRunResponse extends HordeResponse {
  // Not in the contract: the server answers a dry run with a bare `{"kudos": N}` and HTTP 200.
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    hordeObject({ kudos: z.number() }),
  );
}

/** The JSON body of POST `/v2/generate/text/async` (swagger `GenerationInputKobold`, plus `nsfw`). */
export type TextGenerateAsyncPayload = schemas.GenerationInputKobold & {
  /** Read by the server's parser but not in the body model; it has no effect on text requests (docs/server/text.md#text). */
  nsfw?: boolean;
};

/**
 * POST `/v2/generate/text/async`: queue a text request. Validated against the contract's limits on
 * construction (n 1–20, max_length 16–4096, max_context_length 80–1048576, ...). Only the fields you set are
 * sent; the server's runtime defaults apply to the rest (`models: []` = any model, `validated_backends`
 * false). The server also checks what the contract cannot: `max_context_length >= max_length`
 * (`TokenOverflow`), a full `sampler_order` (`MissingFullSamplerOrder`), at most 128 stop sequences.
 * Success is 202 (`TextGenerateAsyncResponse`), or 200 for a dry run (`TextGenerateAsyncDryRunResponse`).
 */
export interface TextGenerateAsyncRequest extends Readonly<TextGenerateAsyncPayload> {
  readonly apikey?: string;
}
export class TextGenerateAsyncRequest extends AuthenticatedAIHordeRequest<
  TextGenerateAsyncResponse | TextGenerateAsyncDryRunResponse
> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/generate/text/async",
    () => TextGenerateAsyncResponse,
    () => ({ 200: TextGenerateAsyncDryRunResponse, 202: TextGenerateAsyncResponse }),
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.GenerationInputKobold.extend({
      nsfw: z.boolean().optional(),
      ...apikeyShape,
      ...commonHeaderShape,
    }),
  );

  constructor(input: TextGenerateAsyncPayload & { apikey?: string; client_agent?: string; accept?: string }) {
    super(input);
  }

  static override getApiModelName(): string {
    return "GenerationInputKobold";
  }

  /** `params.n` texts (default 1): the request is complete when that many have been delivered. */
  override getNumberOfResultsExpected(): number {
    return this.params?.n ?? 1;
  }

  /**
   * QUIRK(docs/server/quirks.md#runtime-defaults, docs/server/text.md#text): `validated_backends` is false
   * and `models` is [] (any) at run time, not
   * what the contract documents; the body states them explicitly when you leave them out.
   */
  override body(): Record<string, unknown> {
    return withExplicitRuntimeDefaults(super.body() ?? {}, "GenerationInputKobold");
  }

  /** A queued request (not a dry run) must be polled to completion or cancelled. */
  override getRequiresFollowUp(): boolean {
    return this.dry_run !== true;
  }

  /** Source images for multimodal models are large: kept out of log dumps. */
  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return new Set(["extra_source_images"]);
  }
}
