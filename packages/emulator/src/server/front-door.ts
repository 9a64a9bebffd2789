/**
 * The front door every request passes before the app handles it, as the app's outermost middleware:
 * the fault plan is applied first, with its latency slept on the clock OUTSIDE the hold (a hold with a
 * pending sleep would stop an auto-advancing clock forever); then handling an API or R2 request takes no
 * virtual time — the clock is held while the app runs. Admin calls are left out of both (`clock/advance`
 * must not wait on itself, and the admin API is never faulted). A dropped connection is thrown as
 * `ConnectionDropped`, which the entry points turn into a reset.
 */
import type { MiddlewareHandler } from "hono";
import { type Clock, holdClock } from "../clock.js";
import { metaOf } from "../http/meta.js";
import {
  ConnectionDropped,
  errorResponse,
  type FaultInjector,
  htmlResponse,
  malformed,
  rateLimitResponse,
} from "./faults/index.js";
import { findOperation } from "./rate-limit/index.js";

/** The CORS headers every server response carries (docs/server/rate-limits.md#429-responses-and-headers). */
export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE, PATCH",
  "Access-Control-Allow-Headers":
    "Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, apikey, Client-Agent, X-Fields, " +
    "X-Forwarded-For, Proxied-For, Proxy-Authorization",
};

export function frontDoor(clock: Clock, faults: FaultInjector): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path.startsWith("/_emulator/")) return next();
    const meta = metaOf(c);
    const decision = meta.faultable !== false && faults.active ? decide(faults, c.req.raw, clock) : null;
    if (decision && decision.latencyMs > 0) await clock.sleep(decision.latencyMs);
    const outcome = decision?.outcome ?? null;
    switch (outcome?.kind) {
      case "reset":
        throw new ConnectionDropped();
      case "error":
        return withCors(errorResponse(outcome));
      case "html":
        return htmlResponse(outcome);
      case "rate-limit":
        return withCors(rateLimitResponse(outcome, clock.now()));
      case "maintenance":
        meta.maintenance = true;
        break;
      default:
        break;
    }
    await holdClock(clock, async () => next());
    if (outcome?.kind === "lost-response") {
      await c.res.body?.cancel();
      throw new ConnectionDropped();
    }
    if (outcome?.kind === "malformed") {
      const cut = await malformed(c.res);
      // Unset first: assigning over a response merges the old headers back in (Content-Length included).
      c.res = undefined;
      c.res = cut;
    }
  };
}

/** Which faults fire for this request; rules match the path as sent (`/api` stripped), not decoded. */
function decide(faults: FaultInjector, request: Request, clock: Clock) {
  const path = new URL(request.url).pathname;
  const apiPath = path.startsWith("/api/") ? path.slice(4) : path;
  const route = findOperation(request.method, apiPath)?.resource ?? apiPath;
  return faults.decide(request.method, apiPath, route, clock.now());
}

/** Application errors carry the CORS headers (the server's after-request hook adds them). */
function withCors(response: Response): Response {
  for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
  return response;
}
