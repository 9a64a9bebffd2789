// The one retry policy (http/retry.ts): what is sent again, after how long — and what never is.
import { HordeAbortError, HordeConnectionError, HordeTimeoutError } from "horde-sdk";
import { instantClock } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  classify,
  type Outcome,
  type RetryPolicy,
  resolveRetry,
  retrying,
} from "../../../src/http/retry.js";

const policy: RetryPolicy = resolveRetry(undefined);
const noJitter = () => 0;
const GET = { method: "GET" as const };
const POST = { method: "POST" as const };
const answer = (status: number, rc: string | null = null, retryAfterMs: number | null = null): Outcome => ({
  kind: "answer",
  status,
  rc,
  retryAfterMs,
});
const refused = new HordeConnectionError("POST x failed", "POST", "x", {
  cause: Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
});
const reset = new HordeConnectionError("POST x failed", "POST", "x", { cause: { code: "ECONNRESET" } });

describe("classify", () => {
  it.each([408, 425, 429, 500, 502, 503, 504])(
    "repeats an idempotent request after %i, with backoff",
    (status) => {
      expect(classify(GET, answer(status), 1, policy, noJitter)).toMatchObject({ retry: true, afterMs: 500 });
      expect(classify(GET, answer(status), 3, policy, noJitter)).toMatchObject({
        retry: true,
        afterMs: 2000,
      });
    },
  );

  it("never repeats a success, a client error, or an attempt past maxRetries", () => {
    for (const status of [200, 202, 400, 401, 403, 404, 501])
      expect(classify(GET, answer(status), 1, policy).retry, `${status}`).toBe(false);
    expect(classify(GET, answer(503), 4, policy).retry).toBe(false);
    expect(classify(GET, answer(503), 1, resolveRetry(false)).retry).toBe(false);
  });

  it("never repeats a POST the server may have run (5xx, reset, timeout, unreadable answer)", () => {
    for (const status of [408, 500, 502, 503, 504])
      expect(classify(POST, answer(status), 1, policy).retry, `${status}`).toBe(false);
    expect(classify(POST, { kind: "failed", error: reset }, 1, policy).retry).toBe(false);
    const timeout = new HordeTimeoutError("POST x timed out");
    expect(classify(POST, { kind: "failed", error: timeout }, 1, policy).retry).toBe(false);
    expect(classify(POST, { kind: "unreadable", status: 202 }, 1, policy).retry).toBe(false);
  });

  it("repeats a POST the server provably did not run: a rate-limiter 429 (no rc), a refused connection", () => {
    expect(classify(POST, answer(429, null, 1500), 1, policy)).toMatchObject({ retry: true, afterMs: 1500 });
    expect(classify(POST, { kind: "failed", error: refused }, 1, policy, noJitter)).toMatchObject({
      retry: true,
      afterMs: 500,
    });
    expect(classify(POST, answer(429, "SomethingElse"), 1, policy).retry).toBe(false);
  });

  it("a POST the server deduplicates (a worker submit) is idempotent", () => {
    const submit = { method: "POST" as const, idempotent: true };
    expect(classify(submit, answer(503), 1, policy).retry).toBe(true);
    expect(classify(submit, { kind: "failed", error: reset }, 1, policy).retry).toBe(true);
  });

  it("honours Retry-After, but not one longer than maxRetryAfterMs", () => {
    expect(classify(GET, answer(503, null, 7000), 1, policy)).toMatchObject({ retry: true, afterMs: 7000 });
    expect(classify(GET, answer(503, null, 61_000), 1, policy).retry).toBe(false);
  });

  it("waits out TooManyPrompts only when asked (job submits), at 2 s doubling to 30 s, beyond maxRetries", () => {
    const tooMany = answer(429, "TooManyPrompts");
    expect(classify(POST, tooMany, 1, policy).retry).toBe(false);
    const waiting = { ...policy, waitOutTooManyPrompts: true };
    expect([1, 2, 3, 4, 5, 9].map((n) => classify(POST, tooMany, n, waiting).afterMs)).toEqual([
      2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it("never repeats what is not a failure of the exchange (the caller's abort, a bug)", () => {
    const abort = new HordeAbortError("aborted");
    expect(classify(GET, { kind: "failed", error: abort }, 1, policy).retry).toBe(false);
    expect(classify(GET, { kind: "failed", error: new TypeError("bug") }, 1, policy).retry).toBe(false);
  });

  it("an unreadable success body of an idempotent request is asked again", () => {
    expect(classify(GET, { kind: "unreadable", status: 200 }, 1, policy).retry).toBe(true);
  });
});

describe("backoff", () => {
  it("doubles from the first wait to the cap, minus up to the jitter", () => {
    const b = { firstMs: 500, maxMs: 8000, jitter: 0.25 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(b, n, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(backoffDelay(b, 1, () => 1)).toBe(375);
    expect(backoffDelay({ firstMs: 1000, maxMs: 10_000, factor: 1.5 }, 3)).toBe(2250);
  });
});

describe("retrying", () => {
  it("runs attempts until the decision says stop, sleeping on the clock in between", async () => {
    const clock = instantClock();
    const seen: number[] = [];
    const { outcome, attempts } = await retrying(
      async (n) => {
        seen.push(n);
        return n;
      },
      (n) => ({ retry: n < 3, afterMs: n * 100 }),
      { clock, what: "test" },
    );
    expect([outcome, attempts, seen, clock.slept]).toEqual([3, 3, [1, 2, 3], [100, 200]]);
  });

  it("an abort during a wait rejects with a HordeAbortError and sends nothing more", async () => {
    const controller = new AbortController();
    let sent = 0;
    const clock = {
      now: () => 0,
      // a wait that only an abort ends
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason));
        }),
    };
    const running = retrying(
      async () => {
        sent++;
        controller.abort();
      },
      () => ({ retry: true, afterMs: 1000 }),
      { clock, signal: controller.signal, what: "GET x" },
    );
    await expect(running).rejects.toBeInstanceOf(HordeAbortError);
    expect(sent).toBe(1);
  });
});
