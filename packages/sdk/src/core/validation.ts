import type * as z from "zod";
import { HordeValidationError, type ValidationIssue } from "./errors.js";
import { fastParser, NOT_SURE } from "./fast-parse.js";

/** zod issue path → the dotted form the server uses in its `errors` map (`params.loras.0.name`). */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: dottedPath(issue.path), message: issue.message }));
}

/** Validate `input` against `schema`; throw a HordeValidationError naming `model` and the fields. */
export function validateWith<S extends z.ZodType>(model: string, schema: S, input: unknown): z.output<S> {
  const fast = fastParser(schema);
  if (fast) {
    const output = fast(input);
    if (output !== NOT_SURE) return output as z.output<S>;
  }
  const result = schema.safeParse(input);
  if (!result.success) throw new HordeValidationError(model, issuesOf(result.error));
  return result.data;
}
