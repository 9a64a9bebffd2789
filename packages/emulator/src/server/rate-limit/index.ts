/**
 * The rate limiter in front of the API (docs/server/rate-limits.md#rate-limits): finds the operation of a
 * request, counts it, and answers
 * 429 `{"message": "2 per 1 second"}` (no rc) with `Retry-After` and `X-RateLimit-*` headers when a
 * limit is exceeded. Every response of a limited route carries the headers. OPTIONS preflights are not
 * counted (a choice: browsers send them on their own).
 */
import type { MiddlewareHandler } from "hono";
import type { Clock } from "horde-sdk";
import { ANONYMOUS_API_KEY } from "../../horde/store/users.js";
import { metaOf } from "../../http/meta.js";
import { RateLimiter } from "./limiter.js";
import { buildRouteLimits, type RouteLimits } from "./rules.js";

export type { LimitRule, RouteLimits } from "./rules.js";

/** The `rateLimits` option: tunes the server's rate limits. */
export interface RateLimitOptions {
  /** IPs that get the whitelisted limits (docs/server/rate-limits.md#mechanics: 300/min instead of 90/min, 10/s instead of 2/s, …). */
  whitelist?: string[];
}

/** IPs the horde whitelisted for a while (trusted requesters', docs/server/rate-limits.md#mechanics). */
export type DynamicWhitelist = (ip: string, now: number) => boolean;

/** The emulator's rate limiting, switchable at runtime. */
export interface RateLimitControl {
  enabled: boolean;
  /** Forgets every window. */
  reset(): void;
  /** How many windows are open (finished ones are dropped once a minute). */
  readonly windows: number;
}

const ROUTES = buildRouteLimits();
/** The routes of each method, in table order: a lookup scans only these. */
const ROUTES_BY_METHOD = new Map<string, RouteLimits[]>();
for (const r of ROUTES) {
  const list = ROUTES_BY_METHOD.get(r.method);
  if (list) list.push(r);
  else ROUTES_BY_METHOD.set(r.method, [r]);
}

/** The operation a request hits (`/api` stripped), or undefined for paths outside the contract. */
export function findOperation(method: string, apiPath: string): RouteLimits | undefined {
  const m = method === "HEAD" ? "GET" : method;
  return ROUTES_BY_METHOD.get(m)?.find((r) => r.pattern.test(apiPath));
}

/** Whether some operation of the contract has this path (with any method). */
export function isContractPath(apiPath: string): string[] {
  return ROUTES.filter((r) => r.pattern.test(apiPath)).map((r) => r.method);
}

export function createRateLimiting(
  clock: Clock,
  enabled: boolean,
  options: RateLimitOptions = {},
  dynamicWhitelist: DynamicWhitelist = () => false,
): { control: RateLimitControl; middleware: MiddlewareHandler } {
  const limiter = new RateLimiter();
  const whitelist = new Set(options.whitelist ?? []);
  const control: RateLimitControl = {
    enabled,
    reset: () => limiter.reset(),
    get windows() {
      return limiter.size;
    },
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    if (!control.enabled || c.req.method === "OPTIONS") return next();
    const url = new URL(c.req.url);
    const route = findOperation(c.req.method, url.pathname.replace(/^\/api/, ""));
    if (!route || route.exempt) return next();
    const apikey = c.req.header("apikey") ?? ANONYMOUS_API_KEY;
    const ip = metaOf(c).clientIp;
    const now = clock.now();
    const verdict = limiter.hit(route, {
      ip,
      method: c.req.method,
      path: url.pathname,
      apikey,
      anonymous: apikey === ANONYMOUS_API_KEY,
      whitelisted: whitelist.has(ip) || dynamicWhitelist(ip, now),
      now,
    });
    if (verdict.exceeded) {
      return c.json({ message: verdict.message ?? verdict.exceeded.text }, 429, verdict.headers);
    }
    await next();
    for (const [k, v] of Object.entries(verdict.headers)) c.res.headers.set(k, v);
  };
  return { control, middleware };
}
