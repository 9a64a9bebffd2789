import type * as z from "zod";
import {
  endpoint,
  HordeResponse,
  type RequestClass,
  type ResponseWithProgress,
} from "../../core/messages.js";
import { JobRequest } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { type ProgressFields, progressShape } from "./progress.js";
import { ImageGenerateStatusRequest } from "./status.js";

/** The light progress of an image request, without images (swagger `RequestStatusCheck`). */
export interface ImageGenerateCheckResponse
  extends ProgressFields,
    Readonly<Omit<schemas.RequestStatusCheck, keyof ProgressFields>> {}
export class ImageGenerateCheckResponse extends HordeResponse implements ResponseWithProgress {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.RequestStatusCheck.extend(progressShape),
  );

  static override getApiModelName(): string {
    return "RequestStatusCheck";
  }

  /** Once done, the results are fetched with one `/status` call. */
  static override getFinalizeSuccessRequestType(): RequestClass {
    return ImageGenerateStatusRequest;
  }

  /** The server says the request is done (complete, cancelled with nothing in flight, or faulted). */
  isJobComplete(_numberOfResultsExpected: number): boolean {
    return this.done;
  }

  /** The server's `is_possible`: false when no worker can serve the request as it is. */
  isJobPossible(): boolean {
    return this.is_possible;
  }
}

/** GET `/v2/generate/check/{id}`: cheap progress polling (cached 1 s server-side; 10/s per id). */
export interface ImageGenerateCheckRequest {
  readonly id: string;
}
export class ImageGenerateCheckRequest extends JobRequest<ImageGenerateCheckResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v2/generate/check/{id}",
    () => ImageGenerateCheckResponse,
  );
}
