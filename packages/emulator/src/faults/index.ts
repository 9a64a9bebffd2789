/**
 * Fault injection (5xx, connection resets, latency, 429 storms, malformed bodies) arrives in a later
 * issue. `app.ts` already routes every request through this middleware, so fault plans plug in here
 * without touching the routes. Today it lets everything through.
 */
import type { MiddlewareHandler } from "hono";
import type { EmulatorContext } from "../context.js";

export function faultMiddleware(_ctx: EmulatorContext): MiddlewareHandler {
  return async (_c, next) => {
    await next();
  };
}
