import * as z from "zod";
import { endpoint, HordeResponse, type ResponseWithProgress } from "../../core/messages.js";
import { JobRequest } from "../base.js";
import { type ProgressFields, progressShape } from "../generate/progress.js";
import { Generation, generationShape } from "../generate/status.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";

const generationKoboldSchema = /* @__PURE__ */ lazySchema(() =>
  schemas.GenerationKobold.extend(generationShape),
);

/**
 * One delivered text of a request (swagger `GenerationKobold`): `text`, `seed` (an integer, unlike images),
 * `gen_metadata`. `state` is meaningful for text: `censored`, or `csam` when the worker reported it.
 */
export interface GenerationKobold extends Readonly<schemas.GenerationKobold> {}
export class GenerationKobold extends Generation {
  static override readonly schema: z.ZodType = generationKoboldSchema;

  static override getApiModelName(): string {
    return "GenerationKobold";
  }
}

/**
 * The status of a text request, with every delivered text (swagger `RequestStatusKobold`). There is no
 * /check for text: this one endpoint is polled and also carries the results (60/min per id).
 */
export interface TextGenerateStatusResponse
  extends ProgressFields,
    Readonly<Omit<schemas.RequestStatusKobold, keyof ProgressFields | "generations">> {
  readonly generations: readonly GenerationKobold[];
}
export class TextGenerateStatusResponse extends HordeResponse implements ResponseWithProgress {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestStatusKobold.extend({
      ...progressShape,
      // As the image status (the seed): empty when absent.
      generations: z.array(generationKoboldSchema).default([]),
    }),
  );

  static override getApiModelName(): string {
    return "RequestStatusKobold";
  }

  /** The status is both the poll and the result: nothing follows it. */
  static override isFinalFollowUp(): boolean {
    return true;
  }

  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    const generations = (data.generations as unknown[]).map((g) => GenerationKobold.fromValidated(g));
    return { ...data, generations: Object.freeze(generations) };
  }

  /**
   * Complete when `n` texts have been delivered (`params.n`, see TextGenerateAsyncRequest's
   * getNumberOfResultsExpected; several may arrive between two polls), or when the server says the request is
   * done (e.g. cancelled with fewer results) with nothing in flight: nothing more will come either way.
   * QUIRK(docs/server/progress.md#counters): after a restart `done` counts faulted rows as finished, so it
   * can be true while a re-queued text is still processing; that text is waited for.
   */
  isJobComplete(numberOfResultsExpected: number): boolean {
    if (this.generations.length >= numberOfResultsExpected) return true;
    return this.done && (this.processing === 0 || this.faulted);
  }

  /** The server's `is_possible`: false when no worker can serve the request as it is. */
  isJobPossible(): boolean {
    return this.is_possible;
  }

  /** Delivered texts, in order. */
  get texts(): string[] {
    return this.generations.map((g) => g.text ?? "");
  }
}

/** GET `/v2/generate/text/status/{id}`: progress and results of a text request (60/min per id). */
export interface TextGenerateStatusRequest {
  readonly id: string;
}
export class TextGenerateStatusRequest extends JobRequest<TextGenerateStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v2/generate/text/status/{id}",
    () => TextGenerateStatusResponse,
  );
}

/**
 * DELETE `/v2/generate/text/status/{id}`: cancel a text request. Answers the status from just before the
 * cancel; texts already being generated are still delivered (and charged).
 */
export interface DeleteTextGenerateRequest {
  readonly id: string;
}
export class DeleteTextGenerateRequest extends JobRequest<TextGenerateStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "DELETE",
    "/v2/generate/text/status/{id}",
    () => TextGenerateStatusResponse,
  );
}
