// The one retry policy of the SDK: `classify` decides, for one attempt's outcome, whether to send the
// request again and after how long; `retrying` runs attempts until it says stop. Every request the SDK
// sends goes through them (http/pipeline.ts): API calls, job polls and cancels, downloads, uploads, and
// the worker's pops and submits. A change to what is retried is made here, and only here.
import type { Clock } from "../core/clock.js";
import { HordeConnectionError, HordeTimeoutError } from "../core/errors.js";
import type { HttpMethod } from "../core/messages.js";
import { asAbortError } from "./signals.js";

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
  /** Where the backoff's jitter comes from (default `Math.random`); a seeded source makes a run repeatable. */
  random?: () => number;
}

export type ResolvedRetry = Required<RetryOptions>;

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  return {
    maxRetries: options === false ? 0 : (options?.maxRetries ?? 3),
    initialDelayMs: (options || undefined)?.initialDelayMs ?? 500,
    maxDelayMs: (options || undefined)?.maxDelayMs ?? 8_000,
    maxRetryAfterMs: (options || undefined)?.maxRetryAfterMs ?? 60_000,
    random: (options || undefined)?.random ?? Math.random,
  };
}

/** An exponential pace: `firstMs × factorⁿ⁻¹`, capped at `maxMs`, minus up to `jitter` (a fraction) at random. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
  /** Growth per step (default 2). */
  factor?: number;
  /** Up to this fraction is taken off at random, so clients that failed together do not retry together. */
  jitter?: number;
}

/** The wait before step `n` (1-based) of `backoff`. */
export function backoffDelay(backoff: Backoff, n: number, random: () => number = Math.random): number {
  const base = Math.min(backoff.firstMs * (backoff.factor ?? 2) ** (n - 1), backoff.maxMs);
  return Math.round(base * (1 - (backoff.jitter ?? 0) * random()));
}

/** Retries of a failed attempt: 0.5 s doubling (default), capped, minus up to 25 % jitter. */
function retryBackoff(policy: ResolvedRetry): Backoff {
  return { firstMs: policy.initialDelayMs, maxMs: policy.maxDelayMs, jitter: 0.25 };
}

/** While the account's concurrency is full (429 TooManyPrompts): 2 s doubling to 30 s. */
export const TOO_MANY_PROMPTS_BACKOFF: Backoff = { firstMs: 2_000, maxMs: 30_000 };

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

/** Statuses worth repeating an idempotent request for: timeouts, rate limits and gateway/server hiccups. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** What one attempt came to. */
export type Outcome =
  /** The server answered (any status). `rc` is read from error bodies only. */
  | { kind: "answer"; status: number; rc: string | null; retryAfterMs: number | null }
  /** A success status whose body should be JSON and is not (cut off, or a proxy's page). */
  | { kind: "unreadable"; status: number }
  /** No answer: the connection failed, or the attempt's own timeout ran out. */
  | { kind: "failed"; error: unknown };

/** The request as the policy sees it: its method, and whether sending it twice is harmless. */
export interface RetryTarget {
  method: HttpMethod;
  /** Default: by method (GET, PUT, DELETE). A POST the server deduplicates may say true (worker submits). */
  idempotent?: boolean;
}

export interface RetryPolicy extends ResolvedRetry {
  /** Wait out 429 TooManyPrompts (job submits only): resend at TOO_MANY_PROMPTS_BACKOFF for as long as the caller waits. */
  waitOutTooManyPrompts?: boolean;
}

export interface RetryDecision {
  retry: boolean;
  /** How long to wait before the next attempt. */
  afterMs: number;
  /** Why, for the log line. */
  why?: string;
}

const STOP: RetryDecision = { retry: false, afterMs: 0 };

/**
 * Whether to send a request again after `attempt` (1-based) came to `outcome`.
 *
 * The safety rule: a request that is not idempotent (a POST that queues a job, moves kudos, pops work) is
 * repeated only when the server provably did not run it — its rate limiter refused it (429 without an
 * rc), the account's concurrency was full (429 TooManyPrompts, only when waiting it out was asked for), or
 * the connection was refused before anything was sent. Idempotent requests are repeated after any
 * transient failure: a retryable status, no answer, an attempt timeout, or an unreadable success body.
 * A server's Retry-After is honoured (and one longer than `maxRetryAfterMs` is not waited for).
 */
export function classify(
  target: RetryTarget,
  outcome: Outcome,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = policy.random,
): RetryDecision {
  const idempotent = target.idempotent ?? isIdempotentMethod(target.method);
  if (outcome.kind === "answer") {
    const { status, rc } = outcome;
    if (status < 400) return STOP;
    if (status === 429 && rc === "TooManyPrompts") {
      // Refused, so nothing was queued; whether to keep asking is the caller's choice, not bounded by maxRetries.
      if (!policy.waitOutTooManyPrompts) return STOP;
      return { retry: true, afterMs: backoffDelay(TOO_MANY_PROMPTS_BACKOFF, attempt), why: "TooManyPrompts" };
    }
    if (attempt > policy.maxRetries || !RETRYABLE_STATUSES.has(status)) return STOP;
    const notRun = status === 429 && rc === null;
    if (!idempotent && !notRun) return STOP;
    const after = outcome.retryAfterMs;
    if (after !== null && after > policy.maxRetryAfterMs) return STOP;
    return {
      retry: true,
      afterMs: after ?? backoffDelay(retryBackoff(policy), attempt, random),
      why: `${status}`,
    };
  }
  if (attempt > policy.maxRetries) return STOP;
  if (outcome.kind === "unreadable") {
    if (!idempotent) return STOP;
    return {
      retry: true,
      afterMs: backoffDelay(retryBackoff(policy), attempt, random),
      why: `${outcome.status} with a body that is not JSON`,
    };
  }
  const { error } = outcome;
  const noAnswer = error instanceof HordeConnectionError || error instanceof HordeTimeoutError;
  if (!noAnswer || !(idempotent || isConnectionRefused(error))) return STOP;
  return {
    retry: true,
    afterMs: backoffDelay(retryBackoff(policy), attempt, random),
    why: (error as Error).message,
  };
}

function isIdempotentMethod(method: HttpMethod): boolean {
  return method === "GET" || method === "PUT" || method === "DELETE";
}

/** The codes and messages down an error's cause chain (undici puts the reason of `fetch failed` there). */
function causesOf(error: unknown): { code: unknown; message: unknown }[] {
  const out: { code: unknown; message: unknown }[] = [];
  let cause: unknown = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; depth < 6 && typeof cause === "object" && cause !== null; depth++) {
    const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
    out.push({ code: c.code, message: c.message });
    cause = c.cause;
  }
  return out;
}

/** ECONNREFUSED anywhere in the cause chain: the request never left this machine. */
function isConnectionRefused(error: unknown): boolean {
  return causesOf(error).some((c) => c.code === "ECONNREFUSED");
}

/** Failures before a connection to the server was made (or trusted): no name, no route, a refused or bad port. */
const NOT_CONNECTED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
  "HOSTNAME_MISMATCH",
]);

/**
 * Whether a request that got no answer provably never reached the server: the connection (or its TLS
 * handshake) failed before the request was written — a refused connection, an unknown host, an untrusted
 * certificate, a port fetch refuses. A reset or a timeout after connecting proves nothing.
 */
export function neverReachedServer(error: unknown): boolean {
  return causesOf(error).some(
    (c) =>
      (typeof c.code === "string" && (NOT_CONNECTED_CODES.has(c.code) || /^ERR_(SSL|TLS)_/.test(c.code))) ||
      (c.code === undefined && typeof c.message === "string" && /^bad port$/i.test(c.message.trim())),
  );
}

export interface RetryingOptions<O> {
  clock: Clock;
  /** Aborts the wait between attempts (rejecting with a HordeAbortError). */
  signal?: AbortSignal | undefined;
  /** What is being attempted, for the abort error. */
  what: string;
  /** Called before each wait, e.g. to log it. */
  onRetry?: (outcome: O, decision: RetryDecision, attempt: number) => void;
}

/**
 * Run `attempt` (1, 2, …) until `decide` says stop; resolves to the last outcome and the number of
 * attempts. The waits run on `clock` and end early, rejecting, when `signal` aborts.
 */
export async function retrying<O>(
  attempt: (n: number) => Promise<O>,
  decide: (outcome: O, n: number) => RetryDecision,
  options: RetryingOptions<O>,
): Promise<{ outcome: O; attempts: number }> {
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    const decision = decide(outcome, n);
    if (!decision.retry) return { outcome, attempts: n };
    options.onRetry?.(outcome, decision, n);
    await options.clock.sleep(decision.afterMs, options.signal).catch((e: unknown) => {
      throw asAbortError(options.signal?.reason ?? e, options.what);
    });
  }
}
