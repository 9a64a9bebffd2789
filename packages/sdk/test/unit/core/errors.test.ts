// Errors in one naming scheme, immutable, carrying what the server said (headers and attempts included).
import * as sdk from "horde-sdk";
import {
  AIHordeKudosUpfrontError,
  AIHordeRateLimitError,
  AIHordeRequestError,
  HordeAbortError,
  HordeError,
  HordeTimeoutError,
  HordeValidationError,
  HordeWorkerStoppedError,
  requestErrorFor,
  withPartial,
} from "horde-sdk";
import * as worker from "horde-sdk/worker";
import { describe, expect, it } from "vitest";

const exported = { ...sdk, ...worker } as Record<string, unknown>;
const errorClasses = Object.entries(exported).filter(
  ([, value]) => typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Error,
) as [string, new (...args: never[]) => Error][];

describe("one naming scheme", () => {
  it("server answers are AIHorde…Error (AIHordeRequestError and its subclasses), the rest Horde…Error", () => {
    expect(errorClasses.length).toBeGreaterThan(10);
    for (const [name, Class] of errorClasses) {
      if (Class !== HordeError) expect(Class.prototype, name).toBeInstanceOf(HordeError);
      const isAnswer = Class === AIHordeRequestError || Class.prototype instanceof AIHordeRequestError;
      expect(name, name).toMatch(isAnswer ? /^AIHorde\w+Error$/ : /^Horde\w*Error$/);
    }
  });

  it("no alias clashes with the DOMException names (AbortError, TimeoutError) or drops the prefix", () => {
    for (const alias of [
      "AbortError",
      "TimeoutError",
      "ConnectionError",
      "RateLimitError",
      "JobFaultedError",
    ])
      expect(exported[alias], alias).toBeUndefined();
  });

  it("an error's name is its class's (a field, so it survives minified bundles that rename classes)", () => {
    for (const [name, Class] of errorClasses) {
      const isAnswer = Class === AIHordeRequestError || Class.prototype instanceof AIHordeRequestError;
      const args = isAnswer
        ? [{ status: 400, message: "m", method: "GET", url: "u" }]
        : Class === HordeValidationError
          ? ["Model", []]
          : ["m", "id", "faulted"];
      expect(new (Class as unknown as new (...a: unknown[]) => Error)(...args).name).toBe(name);
    }
  });
});

describe("immutable after construction", () => {
  it("a request error carries status, rc, errors, headers and attempts, all read-only", () => {
    const error = requestErrorFor({
      status: 429,
      message: "2 per 1 second",
      method: "POST",
      url: "https://h/api/v2/generate/async",
      headers: { "retry-after": "1" },
      attempts: 4,
    });
    expect(error).toBeInstanceOf(AIHordeRateLimitError);
    expect(error).toMatchObject({ status: 429, rc: null, errors: null, attempts: 4 });
    expect(error.headers).toEqual({ "retry-after": "1" });
    expect(Object.isFrozen(error.headers)).toBe(true);
    expect(() => {
      (error.headers as Record<string, string>)["retry-after"] = "9";
    }).toThrow(TypeError);
    const withRc = requestErrorFor({
      status: 403,
      message: "m",
      rc: "KudosUpfront.",
      method: "POST",
      url: "u",
    });
    expect(withRc).toBeInstanceOf(AIHordeKudosUpfrontError);
    expect(withRc.attempts).toBe(1);
  });

  it("a job's partial snapshot is given to the constructor; withPartial makes a new error of the same class", () => {
    const cause = new Error("the caller's reason");
    const abort = new HordeAbortError("image job j1 was aborted", { cause });
    expect(abort.partial).toBeUndefined();
    const snapshot = { finished: 1 };
    const copy = withPartial(abort, snapshot);
    expect(copy).not.toBe(abort);
    expect(copy).toBeInstanceOf(HordeAbortError);
    expect([copy.message, copy.cause, copy.partial]).toEqual([abort.message, cause, snapshot]);
    expect(abort.partial).toBeUndefined();
    const stopped = withPartial(new HordeWorkerStoppedError("stopped"), 1);
    expect(stopped).toBeInstanceOf(HordeWorkerStoppedError);
    expect(new HordeTimeoutError("t", { partial: 2 }).partial).toBe(2);
  });
});
