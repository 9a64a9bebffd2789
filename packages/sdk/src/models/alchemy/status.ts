import * as z from "zod";
import { endpoint, HordeResponse, type ResponseWithProgress } from "../../core/messages.js";
import { HordeAPIObject } from "../../core/model.js";
import { JobRequest } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { lazySchema } from "../lazy.js";
import { isPostProcessorForm } from "./forms.js";

/** Form states in which nothing more will happen to the form. */
const FINISHED_FORM_STATES: ReadonlySet<string> = new Set(["done", "faulted", "cancelled"]);

/**
 * One form of an alchemy request (swagger `InterrogationFormStatus`): `form` (its name), `state` (`waiting`,
 * `processing`, `done`, `cancelled`, `faulted`; an open string) and `result`, an object keyed by form name:
 * `{caption: "…"}`, `{nsfw: true}`, `{interrogation: {...}}`, and for post-processors
 * `{<post-processor name>: <R2 download URL>}`.
 */
export interface AlchemyFormStatus extends Readonly<schemas.InterrogationFormStatus> {}
export class AlchemyFormStatus extends HordeAPIObject {
  static override readonly schema: z.ZodType = schemas.InterrogationFormStatus;

  static override getApiModelName(): string {
    return "InterrogationFormStatus";
  }

  /** The form finished with a result. */
  get isDone(): boolean {
    return this.state === "done";
  }

  /** Nothing more will happen to this form: done, faulted or cancelled. */
  get isFinished(): boolean {
    return typeof this.state === "string" && FINISHED_FORM_STATES.has(this.state);
  }

  /** The caption of a done `caption` form. */
  get caption(): string | undefined {
    const v = this.isDone ? this.result?.caption : undefined;
    return typeof v === "string" ? v : undefined;
  }

  /** The verdict of a done `nsfw` form. */
  get nsfw(): boolean | undefined {
    const v = this.isDone ? this.result?.nsfw : undefined;
    return typeof v === "boolean" ? v : undefined;
  }

  /** The download URL of a done post-processor form (upscaler, face fixer, strip_background). */
  get imageUrl(): string | undefined {
    if (!this.isDone || typeof this.form !== "string" || !isPostProcessorForm(this.form)) return undefined;
    const v = this.result?.[this.form];
    return typeof v === "string" ? v : undefined;
  }
}

/**
 * The status of an alchemy request (swagger `InterrogationStatus`): the request `state` (`waiting`,
 * `processing`, `done`, `faulted`, `partial`) and every form with its result. There is no /check for alchemy:
 * this endpoint is polled and carries the results (10/s per id).
 */
export interface AlchemyStatusResponse extends Readonly<Omit<schemas.InterrogationStatus, "forms">> {
  readonly forms: readonly AlchemyFormStatus[];
}
export class AlchemyStatusResponse extends HordeResponse implements ResponseWithProgress {
  // QUIRK: the contract marks `forms` optional, but the server always sends it; without it nothing can be decided.
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    schemas.InterrogationStatus.extend({
      forms: z.array(schemas.InterrogationFormStatus),
    }),
  );

  static override getApiModelName(): string {
    return "InterrogationStatus";
  }

  static override isFinalFollowUp(): boolean {
    return true;
  }

  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    const forms = (data.forms as unknown[]).map((f) => AlchemyFormStatus.fromValidated(f));
    return { ...data, forms: Object.freeze(forms) };
  }

  /**
   * Complete when every form is finished (done, faulted or cancelled) and there are at least `n` of them
   * (`AlchemyAsyncRequest.getNumberOfResultsExpected()` is the number of forms asked for). A faulted form
   * never gets done: waiting for all forms to be `done` would poll until the timeout.
   */
  isJobComplete(numberOfResultsExpected: number): boolean {
    return this.forms.length >= numberOfResultsExpected && this.forms.every((f) => f.isFinished);
  }

  /** Alchemy has no `is_possible`: the server does not report impossible forms. */
  isJobPossible(): boolean {
    return true;
  }

  /**
   * Every form is finished, the same as `isJobComplete(forms.length)`: the alchemy counterpart of the `done`
   * field of image and text statuses (sessions read it to stop tracking a job).
   */
  get done(): boolean {
    return this.forms.length > 0 && this.forms.every((f) => f.isFinished);
  }

  /** Every form faulted (the request `state` is then `faulted`). */
  get faulted(): boolean {
    return (
      this.state === "faulted" || (this.forms.length > 0 && this.forms.every((f) => f.state === "faulted"))
    );
  }

  /** The forms that finished with a result. */
  get doneForms(): AlchemyFormStatus[] {
    return this.forms.filter((f) => f.isDone);
  }

  /** The captions of the done `caption` forms. */
  get captions(): string[] {
    return this.forms.flatMap((f) => (f.caption === undefined ? [] : [f.caption]));
  }

  /** The download URLs of the done post-processor forms, with their form names. */
  get imageUrls(): { form: string; url: string }[] {
    return this.forms.flatMap((f) =>
      f.imageUrl === undefined ? [] : [{ form: String(f.form), url: f.imageUrl }],
    );
  }
}

/** GET `/v2/interrogate/status/{id}`: progress and results of an alchemy request (10/s per id). */
export interface AlchemyStatusRequest {
  readonly id: string;
}
export class AlchemyStatusRequest extends JobRequest<AlchemyStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v2/interrogate/status/{id}",
    () => AlchemyStatusResponse,
  );
}

/**
 * DELETE `/v2/interrogate/status/{id}`: cancel an alchemy request. Waiting forms are cancelled for free;
 * forms being processed are settled as if submitted (the worker is paid). Answers the status.
 */
export interface AlchemyDeleteRequest {
  readonly id: string;
}
export class AlchemyDeleteRequest extends JobRequest<AlchemyStatusResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "DELETE",
    "/v2/interrogate/status/{id}",
    () => AlchemyStatusResponse,
  );
}
