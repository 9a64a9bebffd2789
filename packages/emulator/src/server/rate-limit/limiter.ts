/**
 * Fixed-window counters keyed like the server's flask-limiter (docs/server/rate-limits.md#mechanics,
 * docs/server/rate-limits.md#429-responses-and-headers):
 * - a window starts at its first hit and lasts the limit's period (the `limits` library's fixed window);
 * - every hit counts, refused ones included; limits are checked shortest window first and the first one
 *   exceeded refuses the request (the ones before it have counted it, the ones after it have not);
 * - counters are per limit as it applies to this request (a whitelisted IP's 10/second counts apart from
 *   the 2/second it had before), per key (IP; IP+method+path; API-key hash+method+path) and per resource;
 * - the headers describe the first limit checked, or the one exceeded.
 * Time is the emulator's clock, so a virtual clock moves the windows too.
 */
import { createHash } from "node:crypto";
import type { LimitRule, RouteLimits } from "./rules.js";

export interface LimitContext {
  ip: string;
  method: string;
  /** The concrete request path, e.g. `/api/v2/generate/check/<id>`. */
  path: string;
  /** The `apikey` header, or the anonymous key when missing (docs/server/rate-limits.md#mechanics). */
  apikey: string;
  anonymous: boolean;
  whitelisted: boolean;
  now: number;
}

export interface LimitVerdict {
  /** The limit that refused the request, if any. */
  exceeded: LimitRule | null;
  /** flask-limiter's description of the exceeded limit, with the amount that applied: "2 per 1 second". */
  message?: string;
  headers: Record<string, string>;
}

interface Window {
  start: number;
  count: number;
  windowMs: number;
}

/** How often finished windows are dropped, like the keys of the server's limiter storage expiring. */
const PRUNE_EVERY_MS = 60_000;

export class RateLimiter {
  private windows = new Map<string, Window>();
  private prunedAt = Number.NEGATIVE_INFINITY;

  reset(): void {
    this.windows.clear();
    this.prunedAt = Number.NEGATIVE_INFINITY;
  }

  get size(): number {
    return this.windows.size;
  }

  private keyValue(rule: LimitRule, ctx: LimitContext): string {
    if (rule.key === "ip") return ctx.ip;
    if (rule.key === "ip+method+path") return `${ctx.ip}@${ctx.method}@${ctx.path}`;
    const hash = createHash("sha256").update(ctx.apikey).digest("hex").slice(0, 32);
    return `${hash}@${ctx.method}@${ctx.path}`;
  }

  private amount(rule: LimitRule, ctx: LimitContext): number {
    if (ctx.whitelisted && rule.whitelistedCount !== undefined) return rule.whitelistedCount;
    if (ctx.anonymous && rule.anonymousCount !== undefined) return rule.anonymousCount;
    return rule.count;
  }

  /** Counts the request against every limit of the route, stopping at the first one exceeded. */
  hit(route: RouteLimits, ctx: LimitContext): LimitVerdict {
    let header: { rule: LimitRule; amount: number; w: Window } | null = null;
    for (const rule of route.rules) {
      const amount = this.amount(rule, ctx);
      const key = `${amount}/${rule.windowMs}/${this.keyValue(rule, ctx)}/${route.resource}`;
      let w = this.windows.get(key);
      if (!w || ctx.now >= w.start + w.windowMs) {
        w = { start: ctx.now, count: 0, windowMs: rule.windowMs };
        this.windows.set(key, w);
      }
      w.count++;
      const candidate = { rule, amount, w };
      header ??= candidate;
      if (w.count > amount) {
        this.prune(ctx.now);
        const message = rule.text.replace(/^\d+/, String(amount));
        return { exceeded: rule, message, headers: headersFor(candidate, ctx.now) };
      }
    }
    this.prune(ctx.now);
    return { exceeded: null, headers: header ? headersFor(header, ctx.now) : {} };
  }

  /**
   * Forgets finished windows once a minute: the server's limiter keeps each window in its storage with an
   * expiry, so a per-id window (one per polled request) is gone soon after its last hit
   * (docs/server/retention.md#rate-limit-windows).
   */
  private prune(now: number): void {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    for (const [key, w] of this.windows) if (now >= w.start + w.windowMs) this.windows.delete(key);
  }
}

/**
 * flask-limiter's headers: `X-RateLimit-Reset` is 1 + the window's reset time (epoch s) and
 * `Retry-After` is that minus now, in whole seconds (docs/server/rate-limits.md#429-responses-and-headers).
 */
function headersFor(h: { amount: number; w: Window }, now: number): Record<string, string> {
  const resetAt = h.w.start + h.w.windowMs;
  return {
    "X-RateLimit-Limit": String(h.amount),
    "X-RateLimit-Remaining": String(Math.max(0, h.amount - h.w.count)),
    "X-RateLimit-Reset": String(Math.floor(resetAt / 1000) + 1),
    "Retry-After": String(Math.floor(1 + (resetAt - now) / 1000)),
  };
}
