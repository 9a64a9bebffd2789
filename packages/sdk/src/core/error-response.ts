import * as z from "zod";
import { HordeAPIObject } from "./model.js";

/**
 * The body of an error answer (swagger `RequestError` / `RequestValidationError`). Tolerant on purpose:
 * application errors carry `{message, rc}`, payload validation errors `{message, errors}` with no rc.
 */
export interface RequestErrorResponse {
  readonly message: string;
  readonly rc: string;
  readonly errors?: Readonly<Record<string, string>>;
}

export class RequestErrorResponse extends HordeAPIObject {
  static override readonly schema = z.looseObject({
    message: z.string().catch("(no message)"),
    // horde_sdk uses the same placeholder when the server sent no rc.
    rc: z.string().catch("RC_MISSING"),
    errors: z.record(z.string(), z.string()).optional().catch(undefined),
  });

  static override getApiModelName(): string {
    return "RequestError";
  }
}
