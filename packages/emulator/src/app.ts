/**
 * The HTTP surface: the API under `/api`, the local R2 bucket under `/_r2`, the admin API under
 * `/_emulator`. Every error is rendered in one of the server's shapes (§8.1); an unexpected exception is
 * logged and answered like the server's 500, never leaked.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { EmulatorContext } from "./context.js";
import { EMULATED_HORDE_VERSION } from "./context.js";
import {
  HordeApiError,
  INTERNAL_SERVER_ERROR,
  METHOD_NOT_ALLOWED,
  PayloadValidationError,
  PlainHttpError,
  ROUTE_NOT_FOUND,
} from "./http/errors.js";
import { captureMeta } from "./http/meta.js";
import { isContractPath } from "./ratelimit/index.js";
import { type AdminDeps, adminRoutes } from "./routes/admin.js";
import { generateAsyncRoutes } from "./routes/generate-async.js";
import { generatePopRoutes } from "./routes/generate-pop.js";
import { generateRateRoutes } from "./routes/generate-rate.js";
import { generateStatusRoutes } from "./routes/generate-status.js";
import { generateSubmitRoutes } from "./routes/generate-submit.js";
import { interrogateRoutes } from "./routes/interrogate.js";
import { interrogateWorkerRoutes } from "./routes/interrogate-worker.js";
import { r2Routes } from "./routes/r2.js";
import { statsRoutes } from "./routes/stats.js";
import { statusRoutes } from "./routes/status.js";
import { textGenerateRoutes } from "./routes/text-generate.js";
import { textWorkerRoutes } from "./routes/text-worker.js";
import { userRoutes } from "./routes/users.js";
import { workerRoutes } from "./routes/workers.js";

/** The CORS headers every server response carries (§3.4). */
export const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE, PATCH",
  "Access-Control-Allow-Headers":
    "Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, apikey, Client-Agent, X-Fields, " +
    "X-Forwarded-For, Proxied-For, Proxy-Authorization",
};

const COMMON_HEADERS: Record<string, string> = {
  ...CORS_HEADERS,
  "Horde-Node": `horde-emulator:0:${EMULATED_HORDE_VERSION}`,
};

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/** werkzeug's 413 text. */
export const PAYLOAD_TOO_LARGE = "The data value transmitted exceeds the capacity limit.";

export interface AppOptions {
  admin: AdminDeps;
  rateLimit: MiddlewareHandler;
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
}

export function buildApp(ctx: EmulatorContext, options: AppOptions): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await captureMeta(c, next);
    for (const [k, v] of Object.entries(COMMON_HEADERS)) c.res.headers.set(k, v);
    if (c.res.headers.get("Content-Type") === "application/json") {
      c.res.headers.set("Content-Type", "application/json; charset=utf-8");
    }
  });
  // Preflights: 200 with the methods of the route, like Flask's automatic OPTIONS, plus the CORS headers.
  app.options("*", (c) => {
    const methods = isContractPath(new URL(c.req.url).pathname.replace(/^\/api/, ""));
    if (methods.length > 0) c.header("Allow", [...new Set([...methods, "HEAD", "OPTIONS"])].join(", "));
    return c.body(null, 200);
  });
  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: (c) => c.json({ message: PAYLOAD_TOO_LARGE }, 413),
  });
  // Only methods with a body: reading `c.req.raw.body` would make the socket server build a full Request.
  app.use("*", (c, next) => (BODYLESS.has(c.req.method) ? next() : limitBody(c, next)));
  app.use("/api/*", options.rateLimit);

  const api = new Hono();
  for (const routes of [
    generateAsyncRoutes(ctx),
    generateStatusRoutes(ctx),
    generatePopRoutes(ctx),
    generateSubmitRoutes(ctx),
    generateRateRoutes(ctx),
    textGenerateRoutes(ctx),
    textWorkerRoutes(ctx),
    interrogateRoutes(ctx),
    interrogateWorkerRoutes(ctx),
    userRoutes(ctx),
    workerRoutes(ctx),
    statusRoutes(ctx),
    statsRoutes(ctx),
  ]) {
    api.route("/", routes);
  }
  app.route("/api", api);
  app.route("/", r2Routes(ctx));
  app.route("/_emulator", adminRoutes(options.admin));

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith("/api/")) {
      const methods = isContractPath(path.slice(4));
      if (methods.length > 0 && !methods.includes(c.req.method)) {
        c.header("Allow", [...methods, "OPTIONS"].join(", "));
        return c.json({ message: METHOD_NOT_ALLOWED }, 405);
      }
      if (methods.length > 0) {
        // A route of the contract the emulator does not emulate (teams, styles, …): say so plainly.
        return c.json({ message: `horde-emulator does not emulate ${c.req.method} ${path.slice(4)}.` }, 501);
      }
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
