/**
 * The server's response caches (docs/server/directory.md#response-caches): many GETs are wrapped in
 * flask-caching's `@cache.cached(timeout=…)`, so for that long every caller gets the first answer — a
 * `/generate/check` is a second old at worst, the stats 50 seconds. The table is the contract's `x-cache`
 * (through the operation table); time is the emulator's clock.
 *
 * Keyed as flask-caching keys them: the decoded path alone (whoever asks, whatever the method of a cached
 * operation), or the path and the sorted query pairs where the query string counts. An error the view
 * raises is not cached; an answer is, whatever it says.
 *
 * The server's cache is Redis, where each entry is stored with its timeout as expiry: an answer is gone
 * once its timeout has passed. Here expired answers are dropped once a minute (as the rate-limit windows
 * are), so the per-id answers of `/generate/check/{id}` do not outlive the traffic that asked for them.
 */
import type { MiddlewareHandler } from "hono";
import type { Clock } from "../clock.js";
import { decodedPath } from "./not-found-help.js";
import { findOperation } from "./rate-limit/index.js";

interface Entry {
  until: number;
  status: number;
  headers: [string, string][];
  /** Bytes, not an ArrayBuffer: the socket server writes a Response over a Uint8Array straight out. */
  body: Uint8Array<ArrayBuffer>;
}

/** Switchable at run time: tests that read right after a write turn it off. */
export interface ResponseCacheControl {
  enabled: boolean;
  /** Forgets every cached answer. */
  clear(): void;
  /** How many answers are kept (expired ones are dropped once a minute). */
  readonly entries: number;
}

/** How often expired answers are dropped. */
const PRUNE_EVERY_MS = 60_000;

/** Headers that belong to the answer itself; the others (limits, CORS) are added fresh to each response. */
const KEPT_HEADERS = ["content-type"];

export function createResponseCache(
  clock: Clock,
  enabled: boolean,
): { control: ResponseCacheControl; middleware: MiddlewareHandler } {
  const entries = new Map<string, Entry>();
  let prunedAt = Number.NEGATIVE_INFINITY;
  const control: ResponseCacheControl = {
    enabled,
    clear: () => entries.clear(),
    get entries() {
      return entries.size;
    },
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    const now = clock.now();
    if (now - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now;
      for (const [key, e] of entries) if (e.until <= now) entries.delete(key);
    }
    if (!control.enabled) return next();
    const url = new URL(c.req.url);
    const cache = findOperation(c.req.method, url.pathname.replace(/^\/api/, ""))?.cache;
    if (!cache) return next();
    const key = cacheKey(url, cache.queryString);
    const hit = entries.get(key);
    if (hit && hit.until > now) {
      c.res = new Response(c.req.method === "HEAD" ? null : hit.body, {
        status: hit.status,
        headers: hit.headers,
      });
      return;
    }
    await next();
    if (c.res.status >= 400) return;
    const body = new Uint8Array(await c.res.clone().arrayBuffer());
    const headers = KEPT_HEADERS.flatMap((h): [string, string][] => {
      const v = c.res.headers.get(h);
      return v === null ? [] : [[h, v]];
    });
    if (c.req.method !== "HEAD")
      entries.set(key, { until: now + cache.timeoutMs, status: c.res.status, headers, body });
  };
  return { control, middleware };
}

/** flask-caching's keys: `view/<path>`, or `<path><md5 of the sorted query pairs>` (here the pairs themselves). */
function cacheKey(url: URL, queryString: boolean): string {
  const path = decodedPath(url.pathname);
  if (!queryString) return `view/${path}`;
  const pairs = [...url.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
  );
  return `${path}${JSON.stringify(pairs)}`;
}
