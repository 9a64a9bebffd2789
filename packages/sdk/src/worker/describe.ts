import { HordeValidationError } from "../core/errors.js";

/** A human reason for a failure, for logs and `faulted` events; validation issues included. */
export function describe(error: unknown): string {
  if (error instanceof HordeValidationError) {
    return `malformed job: ${error.issues
      .slice(0, 5)
      .map((i) => `${i.path || "(root)"}: ${i.message}`)
      .join("; ")}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
