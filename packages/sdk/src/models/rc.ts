// Return codes (`rc`) as the server really sends them (docs/server/errors.md#errors). An rc is an OPEN
// string: the SDK never
// rejects one it does not know, and `AIHordeRequestError.rc` carries it verbatim. What is encoded here:
// the codes the server raises but does not list, the ones it sends with a trailing dot, and the ones a server
// bug replaces by the generic `BadRequest` / `Forbidden`.
import { AIHordeRequestError } from "../core/errors.js";
import type { KNOWN_RC } from "./generated/schemas.js";

/** rcs the server raises that its own `KNOWN_RC` list (and so the contract's enum) lacks (docs/server/errors.md#return-codes). */
export const UNLISTED_RC = [
  "AnonForbiddenUser",
  "BannedClientAgent",
  "CollectionNotFound",
  "ControlNetInpaintingMismatch",
  "IdempotencyKeyConflict",
  "Image styleNotFound",
  "InvalidKudosTransferAmount",
  "InvalidRemix",
  "InvalidTargetUsername",
  "Style exampleNotFound",
  "StyleNotFound",
  "Text styleNotFound",
  "TooManyWorkers",
  "TooManyWorkersTrusted",
  "WorkermessageNotFound",
] as const;

/** Every rc known to the SDK (the contract's list plus UNLISTED_RC). */
export type KnownRc = (typeof KNOWN_RC)[number] | (typeof UNLISTED_RC)[number];

/** An rc as received: a known one (autocompleted) or any other string. */
export type Rc = KnownRc | (string & {});

/** rcs the server sends with a trailing dot (`"TooManyExtraSourceImages."`), without it. */
export const RC_WITH_TRAILING_DOT = [
  "ControlNetMismatch",
  "InvalidExtraSourceImages",
  "InvalidExtraTexts",
  "MissingExtraTexts",
  "MoreThanMinExtraSourceImage",
  "TooManyExtraSourceImages",
] as const;

/**
 * rcs that a server bug loses: the error is raised with this code but arrives with the generic rc given here
 * (the HTTP status is kept). Branch on the message too when one of these matters to you.
 */
export const LOST_RC: Readonly<Record<string, "BadRequest" | "Forbidden">> = {
  ExampleURLAlreadyInUse: "BadRequest",
  SharedKeyInvalid: "BadRequest",
  SpecialFieldNeedsSpecialUser: "BadRequest",
  SpecialForbidden: "Forbidden",
  SpecialModelNeedsSpecialUser: "Forbidden",
  StyleMismatch: "BadRequest",
  StylePromptMissingVars: "BadRequest",
  TooManyStyleExamples: "Forbidden",
};

/** The rc without surrounding blanks and without one trailing dot; `null` stays `null`. */
export function normalizeRc(rc: string | null | undefined): string | null {
  if (rc === null || rc === undefined) return null;
  return rc.trim().replace(/\.$/, "");
}

/**
 * Whether a received rc is `expected`, ignoring a trailing dot. With `includeLost`, the generic rc that a
 * server bug sends instead of `expected` (LOST_RC) matches too.
 */
export function rcMatches(
  actual: string | null | undefined,
  expected: Rc,
  options: { includeLost?: boolean } = {},
): boolean {
  const a = normalizeRc(actual);
  if (a === null) return false;
  if (a === normalizeRc(expected)) return true;
  return options.includeLost === true && LOST_RC[expected] === a;
}

/** `error` is an AIHordeRequestError whose rc is `expected` (see rcMatches). */
export function hasRc(error: unknown, expected: Rc, options: { includeLost?: boolean } = {}): boolean {
  return error instanceof AIHordeRequestError && rcMatches(error.rc, expected, options);
}
