/**
 * The two error body shapes of the server (§8.1). Route code throws these; `app.ts` renders them.
 */

/** An application error: `{"message", "rc"}` with the status of the server's exception class (§8.2). */
export class HordeApiError extends Error {
  constructor(
    readonly status: number,
    readonly rc: string,
    message: string,
  ) {
    super(message);
  }

  toBody(): { message: string; rc: string } {
    return { message: this.message, rc: this.rc };
  }
}

/** A schema or request-parser failure: 400 `{"message":"Input payload validation failed","errors":{…}}`, no rc. */
export class PayloadValidationError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super("Input payload validation failed");
  }

  toBody(): { message: string; errors: Record<string, string> } {
    return { message: this.message, errors: this.errors };
  }
}

/** An error that the server renders with a bare `{"message"}` (malformed JSON, 404/405 routing, 500). */
export class PlainHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const INTERNAL_SERVER_ERROR = { message: "Internal Server Error" } as const;
export const ROUTE_NOT_FOUND =
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
export const METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL.";

/** Shorthands for the errors this emulator raises; the rc strings are the server's, quirks included. */
export const err = {
  badRequest: (message: string, rc = "BadRequest") => new HordeApiError(400, rc, message),
  forbidden: (message: string, rc = "Forbidden") => new HordeApiError(403, rc, message),
  notFound: (message: string, rc: string) => new HordeApiError(404, rc, message),
  invalidApiKey: (action: string) =>
    new HordeApiError(
      401,
      "InvalidAPIKey",
      `No user matching sent API Key. Have you remembered to register at https://aihorde.net/register ? (${action})`,
    ),
};
