import type { Clock } from "../core/clock.js";
import { HordeAbortError, HordeTimeoutError } from "../core/errors.js";

/**
 * One AbortSignal that fires when the caller's signal aborts or `timeoutMs` elapses, whichever comes first,
 * with a HordeAbortError / HordeTimeoutError as its reason. `dispose()` clears the timer and listeners.
 * Written by hand rather than AbortSignal.any/timeout so it runs on every Node 20 and browser. With a
 * `clock`, the timeout runs on it (job timeouts follow a virtual clock); without, on real timers (network).
 */
export function linkSignals(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  what: string,
  clock?: Clock,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Only a clock timeout needs a way to stop its sleep; created lazily (every AbortController and abort()
  // costs a DOMException and transferable bookkeeping, and this runs once per HTTP attempt).
  let stopTimer: AbortController | undefined;
  const onAbort = () => controller.abort(asAbortError(signal?.reason, what));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && !controller.signal.aborted) {
    const fire = () => controller.abort(new HordeTimeoutError(`${what} timed out after ${timeoutMs} ms`));
    if (clock) {
      stopTimer = new AbortController();
      clock.sleep(Math.max(0, timeoutMs), stopTimer.signal).then(fire, () => {});
    } else {
      timer = setTimeout(fire, Math.max(0, timeoutMs));
    }
  }
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      stopTimer?.abort();
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** The caller's abort reason as a HordeAbortError (kept as is when it already is one of ours). */
export function asAbortError(reason: unknown, what: string): HordeAbortError | HordeTimeoutError {
  if (reason instanceof HordeAbortError || reason instanceof HordeTimeoutError) return reason;
  return new HordeAbortError(`${what} was aborted`, { cause: reason });
}

/** Wait for `promise`, or reject with the abort reason as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // given up on: its outcome no longer matters
    return Promise.reject(asAbortError(signal.reason, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(asAbortError(signal.reason, what));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
