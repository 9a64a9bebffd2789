// The one request pipeline: throttle → send once → classify the outcome → wait and send again, or stop.
// Every HTTP request of the SDK goes through `Pipeline.send` (the client's API calls, job polls and
// cancels, image downloads, and the worker's pops, submits, source downloads and uploads).
import type { Clock } from "../core/clock.js";
import { ANONYMOUS_API_KEY } from "../core/constants.js";
import type { Logger } from "../core/logger.js";
import { fingerprint } from "../core/redact.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { RawResponse } from "./response.js";
import { rcOf } from "./response.js";
import {
  classify,
  type Outcome,
  type ResolvedRetry,
  type RetryDecision,
  retryAfterMs,
  retrying,
} from "./retry.js";
import { asAbortError } from "./signals.js";
import type { Exchange, Transport } from "./transport.js";

export interface PipelineConfig {
  transport: Transport;
  /** Client-side throttle shared by every request of the client; none = no throttling. */
  limiter: RateLimiter | undefined;
  retry: ResolvedRetry;
  clock: Clock;
  logger: Logger;
}

/** One request through the pipeline. */
export interface Call extends Exchange {
  /** Sending it twice does no more than once (default: by method, see `classify`). */
  idempotent?: boolean | undefined;
  /** Success statuses whose body must be JSON: an unreadable one is a failed attempt (repeated when idempotent). */
  expectsJson?: ((status: number) => boolean) | undefined;
  /** Resend while the account's concurrency is full (429 TooManyPrompts): job submits that asked for it. */
  waitOutTooManyPrompts?: boolean | undefined;
  /** Called before each wait for another attempt. */
  onRetry?: ((decision: RetryDecision, outcome: Outcome) => void) | undefined;
}

/** A request to a URL outside the API (`client.fetchUrl`): an image download, a presigned upload. */
export interface FetchUrlOptions {
  /** GET (default) or PUT; both are idempotent, so both are retried after transient failures. */
  method?: "GET" | "PUT";
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer> | string;
  signal?: AbortSignal;
  /** Per-attempt timeout (default: the client's). */
  timeoutMs?: number;
}

export class Pipeline {
  readonly #config: PipelineConfig;

  constructor(config: PipelineConfig) {
    this.#config = config;
  }

  /**
   * Send `call` until the retry policy says stop; resolves to the last answer, whatever its status (the
   * caller decides what a status means), or rejects with the last failure (no answer) or the caller's abort.
   */
  async send(call: Call): Promise<RawResponse> {
    const { transport, limiter, retry, clock, logger } = this.#config;
    const what = `${call.method} ${call.url}`;
    const path = limiter && transport.apiPath(call.url);
    const throttle = path
      ? { path, keyId: fingerprint(transport.keyFor(call) ?? ANONYMOUS_API_KEY) }
      : undefined;
    const target = { method: call.method, idempotent: call.idempotent };
    const policy = call.waitOutTooManyPrompts ? { ...retry, waitOutTooManyPrompts: true } : retry;
    let last: RawResponse | undefined;

    const attempt = async (n: number): Promise<Outcome> => {
      const permit =
        throttle && limiter
          ? await limiter
              .acquire(call.method, throttle.path, throttle.keyId, call.signal)
              .catch((e: unknown) => {
                throw asAbortError(call.signal?.reason ?? e, what);
              })
          : undefined;
      try {
        last = await transport.exchange(call, n);
      } catch (error) {
        permit?.settle();
        // The caller's abort ends everything; only failures of the exchange itself are classified. An
        // uninterruptible exchange was not cut by the abort: its failure is the exchange's own (for a submit,
        // "the answer was lost", which the job layer must know to look for the request).
        if (call.signal?.aborted && !call.uninterruptible) throw asAbortError(call.signal.reason, what);
        return { kind: "failed", error };
      }
      permit?.settle(last.headers);
      const { status } = last;
      if (status < 400) {
        if (call.expectsJson?.(status)) {
          try {
            last.json();
          } catch {
            return { kind: "unreadable", status };
          }
        }
        return { kind: "answer", status, rc: null, retryAfterMs: null };
      }
      const rc = rcOf(last);
      const after = retryAfterMs(last.headers, clock.now());
      // The server's rate limiter refused it: hold this bucket for as long as the server asks.
      if (throttle && status === 429 && rc === null) {
        limiter?.penalize(call.method, throttle.path, throttle.keyId, after ?? 1000);
      }
      return { kind: "answer", status, rc, retryAfterMs: after };
    };

    const { outcome } = await retrying(attempt, (o, n) => classify(target, o, n, policy), {
      clock,
      signal: call.signal,
      what,
      onRetry: (o, decision, n) => {
        logger.warn(`${what}: ${decision.why ?? o.kind}; retry ${n} in ${decision.afterMs} ms`);
        call.onRetry?.(decision, o);
      },
    });
    if (outcome.kind === "failed") throw outcome.error;
    return last as RawResponse;
  }
}
