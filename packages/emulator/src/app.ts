/**
 * The HTTP surface: the API under `/api`, the local R2 bucket under `/_r2`, the admin API under
 * `/_emulator`. Every error is rendered in one of the server's shapes (§8.1); an unexpected exception is
 * logged and answered like the server's 500, never leaked.
 */
import { type Context, Hono } from "hono";
import type { EmulatorContext } from "./context.js";
import { EMULATED_HORDE_VERSION } from "./context.js";
import { faultMiddleware } from "./faults/index.js";
import {
  HordeApiError,
  INTERNAL_SERVER_ERROR,
  METHOD_NOT_ALLOWED,
  PayloadValidationError,
  PlainHttpError,
  ROUTE_NOT_FOUND,
} from "./http/errors.js";
import { type AdminDeps, adminRoutes } from "./routes/admin.js";
import { generateAsyncRoutes } from "./routes/generate-async.js";
import { generatePopRoutes } from "./routes/generate-pop.js";
import { generateStatusRoutes } from "./routes/generate-status.js";
import { generateSubmitRoutes } from "./routes/generate-submit.js";
import { r2Routes } from "./routes/r2.js";
import { statusRoutes } from "./routes/status.js";

/** The headers every server response carries (§3.4). */
const COMMON_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE, PATCH",
  "Access-Control-Allow-Headers":
    "Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, apikey, Client-Agent, X-Fields, " +
    "X-Forwarded-For, Proxied-For, Proxy-Authorization",
  "Horde-Node": `horde-emulator:0:${EMULATED_HORDE_VERSION}`,
};

/** API routes and their methods, to answer 405 (not 404) for a known path with the wrong method. */
const API_ROUTES: [RegExp, string[]][] = [
  [/^\/api\/v2\/generate\/async$/, ["POST"]],
  [/^\/api\/v2\/generate\/check\/[^/]+$/, ["GET"]],
  [/^\/api\/v2\/generate\/status\/[^/]+$/, ["GET", "DELETE"]],
  [/^\/api\/v2\/generate\/pop$/, ["POST"]],
  [/^\/api\/v2\/generate\/submit$/, ["POST"]],
  [/^\/api\/v2\/status\/heartbeat$/, ["GET"]],
];

export function buildApp(ctx: EmulatorContext, admin: AdminDeps): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(COMMON_HEADERS)) c.res.headers.set(k, v);
    if (c.res.headers.get("Content-Type") === "application/json") {
      c.res.headers.set("Content-Type", "application/json; charset=utf-8");
    }
  });
  app.options("*", (c) => c.body(null, 200));
  app.use("/api/*", faultMiddleware(ctx));

  const api = new Hono();
  for (const routes of [
    generateAsyncRoutes(ctx),
    generateStatusRoutes(ctx),
    generatePopRoutes(ctx),
    generateSubmitRoutes(ctx),
    statusRoutes(ctx),
  ]) {
    api.route("/", routes);
  }
  app.route("/api", api);
  app.route("/", r2Routes(ctx));
  app.route("/_emulator", adminRoutes(admin));

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const known = API_ROUTES.find(([re]) => re.test(path));
    if (known && !known[1].includes(c.req.method)) {
      c.header("Allow", [...known[1], "OPTIONS"].join(", "));
      return c.json({ message: METHOD_NOT_ALLOWED }, 405);
    }
    return c.json({ message: ROUTE_NOT_FOUND }, 404);
  });
  app.onError((e, c) => renderError(ctx, e, c));
  return app;
}

function renderError(ctx: EmulatorContext, e: unknown, c: Context): Response {
  if (e instanceof HordeApiError) return c.json(e.toBody(), e.status as 400);
  if (e instanceof PayloadValidationError) return c.json(e.toBody(), 400);
  if (e instanceof PlainHttpError) return c.json({ message: e.message }, e.status as 400);
  ctx.logger.error?.(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}`, {
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  return c.json(INTERNAL_SERVER_ERROR, 500);
}
