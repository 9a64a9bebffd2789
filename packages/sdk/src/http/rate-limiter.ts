import type { Clock } from "../core/clock.js";
import { HordeValidationError } from "../core/errors.js";
import type { HttpMethod } from "../core/messages.js";
import { defaultRateLimits, routeRateLimits } from "../models/generated/rate-limits.js";

/** One limit as the server declares it: `count` requests per `windowMs`, counted per `scope`. */
export interface LimitRule {
  count: number;
  windowMs: number;
  /** What the server counts by: the client IP (per route), IP + method + concrete path (so per job id), or the API key (+ method + path). */
  scope: "ip" | "path" | "apikey";
}

/** The client option `rateLimit`: the client spaces its requests to fit the server's per-route limits, so it rarely sees a 429. */
export interface RateLimitOptions {
  /** Turn client-side throttling off (default on). */
  enabled?: boolean;
  /** Added to every window so requests that travel at different speeds still land in separate server windows (default 40 ms). */
  marginMs?: number;
  /** Override the limits of one operation by operationId (e.g. for a whitelisted service IP). */
  overrides?: Record<string, LimitRule[]>;
}

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** A limit as flask-limiter writes it, read: `count` requests per `multiple` `unit`s, i.e. per `windowMs`. */
export interface RateLimitText {
  count: number;
  multiple: number;
  unit: keyof typeof UNIT_MS;
  windowMs: number;
}

/**
 * Read a limit as the contract's `x-rate-limit` (flask-limiter) writes it: "2/second", "90 per minute",
 * "10 per 2 minutes" (docs/server/rate-limits.md#mechanics). Throws a HordeValidationError for anything else.
 */
export function parseRateLimit(text: string): RateLimitText {
  const match = /^\s*(\d+)\s*(?:\/|per)\s*(\d+\s*)?(second|minute|hour|day)s?\s*$/.exec(text);
  if (!match) {
    throw new HordeValidationError("RateLimit", [{ path: "", message: `unreadable rate limit "${text}"` }]);
  }
  const multiple = match[2] ? Number(match[2]) : 1;
  const unit = match[3] as keyof typeof UNIT_MS;
  return { count: Number(match[1]), multiple, unit, windowMs: multiple * UNIT_MS[unit] };
}

/** The part of a parsed limit the client's buckets use. */
function countPerWindow(text: string): { count: number; windowMs: number } {
  const { count, windowMs } = parseRateLimit(text);
  return { count, windowMs };
}

function scopeOf(key: string): LimitRule["scope"] {
  if (key.startsWith("apikey")) return "apikey";
  if (key.includes("path")) return "path";
  return "ip";
}

interface RouteLimits {
  operationId: string;
  method: string;
  pattern: RegExp;
  rules: LimitRule[];
}

/** The contract's `x-rate-limit` of every operation, as rules, with a matcher for concrete paths. */
function buildRouteTable(overrides: Record<string, LimitRule[]>): RouteLimits[] {
  const table: RouteLimits[] = [];
  // flask-limiter scopes default limits per route and IP (docs/server/rate-limits.md#mechanics).
  const defaults = defaultRateLimits.map((limit) => ({ ...countPerWindow(limit), scope: "ip" as const }));
  for (const [operationId, method, path, limits] of routeRateLimits) {
    const declared =
      limits === null
        ? defaults
        : limits.map(([limit, key]) => ({ ...countPerWindow(limit), scope: scopeOf(key) }));
    const rules = overrides[operationId] ?? declared;
    const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{\w+\\?\}|\{\w+\}/g, "[^/]+");
    table.push({ operationId, method, pattern: new RegExp(`^${source}$`), rules });
  }
  // Literal paths before templated ones, so /v2/workers/messages never matches /v2/workers/{id}.
  return table.sort((a, b) => placeholders(a) - placeholders(b));
}

function placeholders(route: RouteLimits): number {
  return (route.pattern.source.match(/\[\^\/\]\+/g) ?? []).length;
}

/**
 * One send in a bucket's log. The server opens its fixed window when it *handles* a request, which can be
 * well after the client sent it (a busy server picks requests up late), so an entry is anchored on the
 * answer: while the request is in flight it occupies its slot indefinitely; once answered it counts from
 * the moment the answer arrived — never earlier than the server can have counted it.
 */
interface Entry {
  at: number;
  open: boolean;
}

/** A sliding log of sends: never more than `count` in any `windowMs` interval, hence in any server window. */
class Window {
  readonly log: Entry[] = [];
  blockedUntil = 0;
  constructor(
    readonly count: number,
    readonly windowMs: number,
  ) {}

  /** Milliseconds to wait before a send at `now` fits. */
  delay(now: number): number {
    while (this.log.length > 0 && !this.log[0]?.open && now - (this.log[0] as Entry).at >= this.windowMs) {
      this.log.shift();
    }
    let byLog = 0;
    if (this.log.length >= this.count) {
      // The oldest entries that must leave the log before there is room; an open one has not started counting.
      const blocking = this.log.slice(0, this.log.length - this.count + 1);
      byLog = blocking.some((e) => e.open)
        ? this.windowMs
        : Math.max(...blocking.map((e) => e.at)) + this.windowMs - now;
    }
    return Math.max(byLog, this.blockedUntil - now, 0);
  }
}

/** What `acquire` hands back: settle it when the answer (or the failure) arrives. */
export interface RatePermit {
  /** The request is over: anchor its entries on now, and follow the server's X-RateLimit-* headers if any. */
  settle(headers?: Headers): void;
}

const NO_PERMIT: RatePermit = { settle() {} };

/**
 * Client-side throttling from the contract's limits, keyed the way the server keys them, shared by every job
 * of one client — so a well-behaved program never meets a 429. A 429 that comes anyway blocks the bucket for
 * the server's `Retry-After`.
 */
export class RateLimiter {
  readonly #routes: RouteLimits[];
  readonly #windows = new Map<string, Window>();
  readonly #queues = new Map<string, Promise<void>>();
  #acquiresSincePrune = 0;
  readonly #clock: Clock;
  readonly #enabled: boolean;
  readonly #marginMs: number;

  constructor(clock: Clock, options: RateLimitOptions = {}) {
    this.#clock = clock;
    this.#enabled = options.enabled ?? true;
    this.#marginMs = options.marginMs ?? 40;
    this.#routes = buildRouteTable(options.overrides ?? {});
  }

  /** The operation a concrete API path belongs to (path relative to the base URL, e.g. `/v2/generate/check/abc`). */
  route(method: HttpMethod, path: string): RouteLimits | undefined {
    return this.#routes.find((r) => r.method === method && r.pattern.test(path));
  }

  /**
   * Wait until a request may be sent, then record it. Requests on one bucket go out in call order. Settle
   * the returned permit when the request is over (answered or failed).
   */
  async acquire(
    method: HttpMethod,
    path: string,
    apiKeyId: string,
    signal?: AbortSignal,
  ): Promise<RatePermit> {
    if (!this.#enabled) return NO_PERMIT;
    if (++this.#acquiresSincePrune >= 1000) {
      this.#acquiresSincePrune = 0;
      this.prune();
    }
    const route = this.route(method, path);
    if (!route || route.rules.length === 0) return NO_PERMIT;
    const windows = route.rules.map((rule) => this.#window(route, rule, method, path, apiKeyId));
    const queueKey = windows.map((w) => w.key).join("|");
    const previous = this.#queues.get(queueKey) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#queues.set(queueKey, tail);
    try {
      await previous;
      for (;;) {
        const now = this.#clock.now();
        const wait = Math.max(...windows.map((w) => w.window.delay(now)));
        if (wait <= 0) break;
        await this.#clock.sleep(wait, signal);
      }
      const entry: Entry = { at: this.#clock.now(), open: true };
      for (const w of windows) w.window.log.push(entry);
      return {
        settle: (headers) => {
          if (!entry.open) return;
          entry.open = false;
          entry.at = this.#clock.now();
          if (headers)
            this.#follow(
              windows.map((w) => w.window),
              headers,
            );
        },
      };
    } finally {
      release();
      if (this.#queues.get(queueKey) === tail) this.#queues.delete(queueKey);
    }
  }

  /**
   * The server's own count: when it says none are left in the window it describes (`X-RateLimit-Limit`
   * names its size), hold that bucket until the window's `X-RateLimit-Reset` (epoch seconds, read against
   * the answer's `Date` so clock skew does not matter).
   */
  #follow(windows: Window[], headers: Headers): void {
    if (headers.get("x-ratelimit-remaining") !== "0") return;
    const limit = Number(headers.get("x-ratelimit-limit"));
    const reset = Number(headers.get("x-ratelimit-reset"));
    if (!Number.isFinite(limit) || !Number.isFinite(reset) || reset <= 0) return;
    const now = this.#clock.now();
    const date = Date.parse(headers.get("date") ?? "");
    const serverNow = Number.isFinite(date) ? date : now;
    for (const w of windows) {
      if (w.count !== limit) continue;
      // Date has whole seconds: add one so the hold never ends before the server's window does. The window
      // began before this answer, so it ends within one window length (plus margin) from now: without that
      // cap the rounding held every 1-second bucket for up to 2 s, halving a 2/s submit rate.
      const hold = Math.min(Math.max(reset * 1000 - serverNow + 1000, 0), w.windowMs);
      w.blockedUntil = Math.max(w.blockedUntil, now + hold);
    }
  }

  /** The server said 429: hold every bucket of that route until `retryAfterMs` has passed. */
  penalize(method: HttpMethod, path: string, apiKeyId: string, retryAfterMs: number): void {
    const route = this.route(method, path);
    if (!route) return;
    const until = this.#clock.now() + Math.max(1000, retryAfterMs);
    for (const rule of route.rules) {
      const w = this.#window(route, rule, method, path, apiKeyId).window;
      w.blockedUntil = Math.max(w.blockedUntil, until);
    }
  }

  #window(route: RouteLimits, rule: LimitRule, method: string, path: string, apiKeyId: string) {
    const where =
      rule.scope === "ip"
        ? route.operationId
        : rule.scope === "path"
          ? `${method} ${path}`
          : `${apiKeyId} ${method} ${path}`;
    const key = `${rule.count}/${rule.windowMs}@${rule.scope}:${where}`;
    let window = this.#windows.get(key);
    if (!window) {
      window = new Window(rule.count, rule.windowMs + this.#marginMs);
      this.#windows.set(key, window);
    }
    return { key, window };
  }

  /** Drop per-id buckets that have been idle for longer than their window (keeps long-running clients small). */
  prune(): void {
    const now = this.#clock.now();
    for (const [key, w] of this.#windows) {
      if (w.delay(now) === 0 && w.log.length === 0 && w.blockedUntil <= now) this.#windows.delete(key);
    }
  }
}
