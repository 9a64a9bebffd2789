/** Retry policy for requests that are safe to repeat (openai-node-style exponential backoff with jitter). */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). 0 disables retrying. */
  maxRetries?: number;
  /** First backoff (default 500 ms), doubled each retry. */
  initialDelayMs?: number;
  /** Backoff ceiling (default 8 s). A server's Retry-After is honoured up to `maxRetryAfterMs`. */
  maxDelayMs?: number;
  /** The longest Retry-After we wait for instead of failing (default 60 s). */
  maxRetryAfterMs?: number;
}

export type ResolvedRetry = Required<RetryOptions>;

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  if (options === false)
    return { maxRetries: 0, initialDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };
  return {
    maxRetries: options?.maxRetries ?? 3,
    initialDelayMs: options?.initialDelayMs ?? 500,
    maxDelayMs: options?.maxDelayMs ?? 8_000,
    maxRetryAfterMs: options?.maxRetryAfterMs ?? 60_000,
  };
}

/** Backoff before retry number `attempt` (1-based): 0.5 s × 2ⁿ⁻¹, capped, minus up to 25 % jitter. */
export function backoffDelay(
  attempt: number,
  retry: ResolvedRetry,
  random: () => number = Math.random,
): number {
  const base = Math.min(retry.initialDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
  return Math.round(base * (1 - 0.25 * random()));
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in ms; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const value = headers.get("retry-after");
  if (value === null) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Statuses worth retrying for idempotent requests: timeouts, rate limits and gateway/server hiccups. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);
