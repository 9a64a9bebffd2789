// Strict validation: one switch that makes every API object schema reject fields it does not declare.
//
// Every object schema of the SDK (the generated ones in `generated/schemas.ts` and the hand-written ones) is
// built with `hordeObject(shape)`: a zod object whose catch-all accepts any unknown field, as the server adds
// fields over time (lenient, the default). When strict validation is on, the same catch-all reports each
// unknown field as an issue at its path instead. One mechanism, no second copy of the schemas; horde_sdk does
// the same with its `TESTS_ONGOING` switch (extra="forbid" in tests).

import * as z from "zod";
import { setLenientCatchall } from "../core/fast-parse.js";

let forced = false;
let scoped = 0;

/** True while strict validation is on (unknown fields are rejected). */
export function isStrictValidation(): boolean {
  return forced || scoped > 0;
}

/** Turn strict validation on or off for the whole process (e.g. in a test setup file). */
export function setStrictValidation(on: boolean): void {
  forced = on;
}

/**
 * Run `fn` with strict validation on: every model parsed or constructed inside it rejects unknown fields.
 * For an async `fn`, strictness lasts until its promise settles (and applies to anything else that validates
 * meanwhile: meant for tests, not for production code paths).
 */
export function withStrictValidation<T>(fn: () => T): T {
  scoped++;
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scoped--;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      scoped--;
    }) as T;
  }
  scoped--;
  return result;
}

/** The catch-all of every API object: anything goes, unless strict validation is on. */
const unknownField = z.unknown().check((ctx) => {
  if (isStrictValidation()) {
    ctx.issues.push({
      code: "custom",
      message: "unknown field (strict validation rejects fields the contract does not declare)",
      input: ctx.value,
    });
  }
});

setLenientCatchall(unknownField, isStrictValidation);

/**
 * An API object schema: the declared fields, plus any other field kept as is (lenient) or rejected
 * (strict validation). `.extend()` keeps this behaviour, so derived schemas inherit it.
 */
export function hordeObject<const S extends z.core.$ZodLooseShape>(shape: S): z.ZodObject<S, z.core.$strip> {
  // Typed without the catch-all's `[k: string]: unknown` index signature: unknown fields are kept at run time
  // (and reach toJSON), but the static type lists the contract's fields only, so `Omit<>`/`Pick<>` and
  // autocomplete keep working on every model.
  return z.object(shape).catchall(unknownField) as unknown as z.ZodObject<S, z.core.$strip>;
}
