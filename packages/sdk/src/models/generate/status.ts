// The seed module: horde_sdk.ai_horde_api.apimodels.generate.status, in TypeScript.
import * as z from "zod";
import { getModelLogger } from "../../core/logger.js";
import { endpoint, HordeResponse, type ResponseWithProgress } from "../../core/messages.js";
import { HordeAPIObject } from "../../core/model.js";
import { JobRequest } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { type ProgressFields, progressShape } from "./progress.js";

/**
 * `worker_id` is any string, as in horde_sdk (`str | WorkerID`): the contract's 36-character length is a
 * UUID's, but a generation is still readable when a server (or an emulator) names its worker otherwise.
 */
export const generationShape = { worker_id: z.string().nullish() };

/** Common fields of a generation in a status response (swagger `Generation`). */
export interface Generation extends Readonly<schemas.Generation> {}
export class Generation extends HordeAPIObject {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.Generation.extend(generationShape),
  );

  static override getApiModelName(): string {
    return "Generation";
  }
}

const imageGenerationSchema = /* @__PURE__ */ lazySchema(() =>
  schemas.GenerationStable.extend(generationShape),
);

/** One delivered image of a request (swagger `GenerationStable`): `img` is an R2 URL, or base64 WebP when `r2` was false. */
export interface ImageGeneration extends Readonly<Omit<schemas.GenerationStable, "id">> {
  /** The job id; never empty (see `hydrate`). */
  readonly id: string;
}
export class ImageGeneration extends Generation {
  static override readonly schema: z.ZodType = imageGenerationSchema;

  static override getApiModelName(): string {
    return "GenerationStable";
  }

  /** As horde_sdk's validate_id: an empty id is logged and replaced by a fresh UUID, so results stay distinguishable. */
  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    if (typeof data.id === "string" && data.id !== "") return data;
    getModelLogger().warn("ImageGeneration received an empty id; a random UUID was assigned in its place");
    return { ...data, id: globalThis.crypto.randomUUID() };
  }

  /** The image is a URL to download (r2) rather than inline base64. */
  get isUrl(): boolean {
    return typeof this.img === "string" && /^https?:\/\//i.test(this.img);
  }

  /** Generations are equal when their ids are. */
  override hashKey(): string {
    return `ImageGeneration:${this.id}`;
  }

  /** Large base64 images stay out of log dumps. */
  override getExtraFieldsToExcludeFromLog(): Set<string> {
    return this.isUrl ? new Set() : new Set(["img"]);
  }
}

/**
 * The full status of an image request, with every delivered image (swagger `RequestStatusStable`). As in
 * the seed's source, `generations` is empty and `shared` false when absent (and `faulted` false,
 * `is_possible` true: see progressShape).
 */
export interface ImageGenerateStatusResponse
  extends ProgressFields,
    Readonly<Omit<schemas.RequestStatusStable, keyof ProgressFields | "generations">> {
  readonly generations: readonly ImageGeneration[];
}
export class ImageGenerateStatusResponse extends HordeResponse implements ResponseWithProgress {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestStatusStable.extend({
      ...progressShape,
      generations: z.array(imageGenerationSchema).default([]),
      shared: z.boolean().nullish().default(false),
    }),
  );

  static override getApiModelName(): string {
    return "RequestStatusStable";
  }

  static override isFinalFollowUp(): boolean {
    return true;
  }

  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    const generations = (data.generations as unknown[]).map((g) => ImageGeneration.fromValidated(g));
    return { ...data, generations: Object.freeze(generations) };
  }

  /** All `n` images have been delivered. */
  isJobComplete(numberOfResultsExpected: number): boolean {
    return this.generations.length === numberOfResultsExpected;
  }

  /** The server's `is_possible`: false when no worker can serve the request as it is. */
  isJobPossible(): boolean {
    return this.is_possible;
  }

  /**
   * Equality as the seed defines it: `other` is a status response holding every generation of this one
   * (generations compare by id). Note that this is containment, so it is not symmetric: a status with
   * fewer generations equals a later one of the same request, not the other way round.
   */
  override equals(other: unknown): boolean {
    if (!(other instanceof ImageGenerateStatusResponse)) return false;
    return this.generations.every((g) => other.generations.some((o) => o.equals(g)));
  }

  /** As the seed's `__hash__`: the generations in order (so equal statuses may hash apart; see `equals`). */
  override hashKey(): string {
    return `ImageGenerateStatusResponse:${this.generations.map((g) => g.id).join(",")}`;
  }

  /** Base64 images are kept out of log dumps; URLs are fine. */
  override logSafeModelDump(extraExclude?: Iterable<string>): Record<string, unknown> {
    const dump = super.logSafeModelDump(extraExclude);
    if (Array.isArray(dump.generations)) {
      dump.generations = this.generations.map((g) => g.logSafeModelDump());
    }
    return dump;
  }
}

/** GET `/v2/generate/status/{id}`: the full status with images. Rate-limited (10/min per id): poll `/check` instead. */
export interface ImageGenerateStatusRequest {
  readonly id: string;
}
export class ImageGenerateStatusRequest extends JobRequest<ImageGenerateStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v2/generate/status/{id}",
    () => ImageGenerateStatusResponse,
  );
}

/** DELETE `/v2/generate/status/{id}`: cancel. The server answers with the status from just before the cancel. */
export interface DeleteImageGenerateRequest {
  readonly id: string;
}
export class DeleteImageGenerateRequest extends JobRequest<ImageGenerateStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "DELETE",
    "/v2/generate/status/{id}",
    () => ImageGenerateStatusResponse,
  );
}
