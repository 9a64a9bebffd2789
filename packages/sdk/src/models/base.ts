import * as z from "zod";
import type { HordeResponse } from "../core/messages.js";
import { HordeRequest } from "../core/messages.js";
import { lazySchema } from "./lazy.js";

/** Header fields every AI Horde request may carry. */
export const commonHeaderShape = {
  accept: z.string().optional(),
  client_agent: z.string().optional(),
};

/** `apikey`: sensitive; the client fills it in from its options when the request does not carry one. */
export const apikeyShape = {
  apikey: z.string().min(1, "the API key must not be empty").optional(),
};

/** A job id as it appears in a path: a non-empty string (the client URI-encodes it). */
export const jobIdSchema = z.string({ error: "the id must be a string" }).min(1, "the id must not be empty");

/**
 * A worker request's schema: the contract's body model `base` (plus `extra` fields), the API key and the common
 * headers; built on first use (see lazy.ts).
 */
export function withKeyAndHeaders(base: z.ZodObject, extra: z.core.$ZodLooseShape = {}): z.ZodType {
  return lazySchema(() => base.extend({ ...extra, ...apikeyShape, ...commonHeaderShape }));
}

/** Base of AI Horde requests: `accept` and `Client-Agent` headers. */
export abstract class BaseAIHordeRequest<R extends HordeResponse = HordeResponse> extends HordeRequest<R> {}

/** A request that needs the user's API key (sent as the `apikey` header, never in a body or a log). */
export abstract class AuthenticatedAIHordeRequest<
  R extends HordeResponse = HordeResponse,
> extends BaseAIHordeRequest<R> {
  /** The API key for this one request (the `apikey` header); unset: the client's key is used. */
  declare readonly apikey?: string;

  static override getHeaderFields(): string[] {
    return [...super.getHeaderFields(), "apikey"];
  }
}

/** A request about one job, addressed by `{id}` in its path (mirrors horde_sdk's JobRequestMixin). */
export abstract class JobRequest<R extends HordeResponse = HordeResponse> extends BaseAIHordeRequest<R> {
  declare readonly id: string;

  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    z.looseObject({ id: jobIdSchema, ...commonHeaderShape }),
  );

  /** Requests are equal when they are of the same class and address the same job. */
  override hashKey(): string {
    return `${this.constructor.name}:${this.id}`;
  }
}

/**
 * A worker's submit of one popped job (image, text, alchemy). The horde stores a job's first submit only
 * and answers a repeat with `DuplicateGen`, so a submit may be sent again after a failure that leaves in
 * doubt whether it arrived (docs/server/workers.md#submit). Submits are equal when they deliver the same job.
 */
export abstract class WorkerSubmitRequest<
  R extends HordeResponse = HordeResponse,
> extends AuthenticatedAIHordeRequest<R> {
  declare readonly id: string;

  static override isIdempotent(): boolean {
    return true;
  }

  override hashKey(): string {
    return `${this.constructor.name}:${this.id}`;
  }
}
