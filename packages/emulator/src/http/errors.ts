/** The errors of reading a request, before the domain sees it (docs/server/errors.md#validation-errors). `server/app.ts` renders them. */

/** A schema or request-parser failure: 400 `{"message":"Input payload validation failed","errors":{…}}`, no rc. */
export class PayloadValidationError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super("Input payload validation failed");
  }

  toBody(): { message: string; errors: Record<string, string> } {
    return { message: this.message, errors: this.errors };
  }
}

/**
 * What the server's request parser says about a missing required argument: the argument's help text,
 * then "Missing required parameter in <where>" (flask-restx reqparse, inferred).
 */
export function missingParameter(name: string, help: string, where: "the HTTP headers" | "the JSON body") {
  return new PayloadValidationError({ [name]: `${help} Missing required parameter in ${where}` });
}
