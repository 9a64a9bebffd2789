import type * as z from "zod";
import { endpoint, type HordeRequest, type RequestClass } from "../../core/messages.js";
import { AuthenticatedAIHordeRequest, withKeyAndHeaders } from "../base.js";
import * as schemas from "../generated/schemas.js";
import { JobPopResponse } from "../job-pop.js";
import { AlchemyJobSubmitRequest } from "./submit.js";

/**
 * The answer to an alchemy pop (swagger `InterrogationPopPayload`): `forms`, one job per form (`id`, `form`,
 * `payload`, `source_image`, and `r2_upload` for post-processors), or `skipped` when there was none
 * (`untrusted`, `kudos`, ...). A popped form has 3 minutes to be submitted.
 */
export interface AlchemyJobPopResponse extends Readonly<schemas.InterrogationPopPayload> {}
export class AlchemyJobPopResponse extends JobPopResponse {
  static override readonly schema: z.ZodType = schemas.InterrogationPopPayload;

  static override getApiModelName(): string {
    return "InterrogationPopPayload";
  }

  static override getFollowUpDefaultRequestType(): RequestClass {
    return AlchemyJobSubmitRequest;
  }

  static override getFollowUpFailureCleanupRequestType(): RequestClass {
    return AlchemyJobSubmitRequest;
  }

  /** The ids of the popped forms. */
  get jobIds(): string[] {
    return (this.forms ?? []).flatMap((f) => (f.id ? [f.id] : []));
  }

  /** The popped form with this id. */
  formFor(id: string): schemas.InterrogationPopFormPayload | undefined {
    return (this.forms ?? []).find((f) => f.id === id);
  }

  /** One faulted submit per form (with an empty result, which the server requires). */
  protected faultedSubmit(id: string, base: Record<string, unknown>): HordeRequest {
    return new AlchemyJobSubmitRequest({ ...base, id, result: {}, state: "faulted" });
  }
}

/** The JSON body of POST `/v2/interrogate/pop` (swagger `InterrogationPopInput`). */
export type AlchemyPopPayload = schemas.InterrogationPopInput;

/**
 * POST `/v2/interrogate/pop` (worker): ask for alchemy forms. Only the fields you set are sent.
 * QUIRK(docs/server/alchemy.md#alchemy): `max_tiles` defaults to 80 at runtime (the contract documents 16); a
 * worker that
 * lists no `forms` gets `caption` forms. `name` is required by the server.
 */
export interface AlchemyPopRequest extends Readonly<AlchemyPopPayload> {
  readonly apikey?: string;
}
export class AlchemyPopRequest extends AuthenticatedAIHordeRequest<AlchemyJobPopResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v2/interrogate/pop",
    () => AlchemyJobPopResponse,
  );

  static override readonly schema: z.ZodType = /* @__PURE__ */ withKeyAndHeaders(
    schemas.InterrogationPopInput,
  );

  constructor(input: AlchemyPopPayload & { apikey?: string; client_agent?: string; accept?: string }) {
    super(input);
  }

  static override getApiModelName(): string {
    return "InterrogationPopInput";
  }

  override getRequiresFollowUp(): boolean {
    return true;
  }

  override getNumberOfResultsExpected(): number {
    return this.amount ?? 1;
  }
}
