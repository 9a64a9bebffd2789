/**
 * The horde's refusals, as values that carry what the server answers (docs/server/errors.md#body-shapes,
 * docs/server/errors.md#status-per-exception). The domain throws
 * them; the HTTP layer renders them (`server/app.ts`), so no domain code knows about responses.
 */

/** An application error: `{"message", "rc"}` with the status of the server's exception class (docs/server/errors.md#status-per-exception). */
export class HordeError extends Error {
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

/** An error that the server renders with a bare `{"message"}` (malformed JSON, 404/405 routing, its own 500s). */
export class BareError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  toBody(): { message: string } {
    return { message: this.message };
  }
}

export const INTERNAL_SERVER_ERROR = "Internal Server Error";

/** Shorthands for the errors this emulator raises; the rc strings are the server's, quirks included. */
export const err = {
  badRequest: (message: string, rc = "BadRequest") => new HordeError(400, rc, message),
  forbidden: (message: string, rc = "Forbidden") => new HordeError(403, rc, message),
  notFound: (message: string, rc: string) => new HordeError(404, rc, message),
  /**
   * QUIRK(docs/server/errors.md#return-codes): the server still sends its old address in this message. `_action`
   * names the operation, as the server's log line does; it is not sent.
   */
  invalidApiKey: (_action: string) =>
    new HordeError(
      401,
      "InvalidAPIKey",
      "No user matching sent API Key. Have you remembered to register at https://stablehorde.net/register ?",
    ),
  /** `AnonForbidden` and its variants (`AnonForbiddenWorker`, …): one message. */
  anonForbidden: (rc = "AnonForbidden") =>
    new HordeError(403, rc, "Anonymous user is forbidden from performing this operation"),
  /** A deleted user's key is refused everywhere it is looked up for an action. */
  deletedUser: () =>
    new HordeError(403, "DeletedUser", "This account has been scheduled for deletion and is disabled."),
  /** A NUL byte in a string the server hands to its database (docs/server/errors.md#nul-bytes). */
  nulByte: () => nulByteError(),
  /** The server's own crash: a bare 500 (where its code fails on a path the doc describes, docs/server/workers.md#submit). */
  internal: () => new BareError(500, INTERNAL_SERVER_ERROR),
};

/** 400 `NulByteInPayload`: what the server answers when its database refuses a string with a NUL byte. */
export function nulByteError(): HordeError {
  return new HordeError(400, "NulByteInPayload", "Request payload may not contain NUL (0x00) bytes.");
}
