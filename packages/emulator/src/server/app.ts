/**
 * The HTTP surface: the API under `/api`, the local R2 bucket under `/_r2`, the admin API under
 * `/_emulator`. Cross-cutting work is middleware, outermost first: the request's meta, the front door
 * (faults, clock hold), the common headers, preflights, the body cap, the rate limits. Every error is
 * rendered in one of the server's shapes (docs/server/errors.md#body-shapes); an unexpected exception is
 * logged and answered like the
 * server's 500, never leaked.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Clock } from "../clock.js";
import { SWAGGER_DOCUMENT } from "../generated/swagger-document.js";
import { BareError, HordeError, INTERNAL_SERVER_ERROR } from "../horde/errors.js";
import type { HordeStore } from "../horde/store/store.js";
import { EMULATED_HORDE_VERSION } from "../horde/views/horde-status.js";
import { PayloadValidationError } from "../http/errors.js";
import { captureMeta } from "../http/meta.js";
import { alchemyRoutes } from "../routes/alchemy.js";
import { documentRoutes } from "../routes/documents.js";
import { imageRoutes } from "../routes/image.js";
import { sharedKeyRoutes } from "../routes/sharedkeys.js";
import { statsRoutes } from "../routes/stats.js";
import { statusRoutes } from "../routes/status.js";
import { styleRoutes } from "../routes/styles.js";
import { teamRoutes } from "../routes/teams.js";
import { textRoutes } from "../routes/text.js";
import { userRoutes } from "../routes/users.js";
import { workerRoutes } from "../routes/workers.js";
import { type AdminDeps, adminRoutes } from "./admin-routes.js";
import { ADMIN_PREFIX, isAdminPath } from "./admin-token.js";
import { ConnectionDropped, type FaultInjector } from "./faults/index.js";
import { CORS_HEADERS, frontDoor } from "./front-door.js";
import { decodedPath, withNotFoundHelp } from "./not-found-help.js";
import { r2Routes } from "./r2-routes.js";
import { isContractPath } from "./rate-limit/index.js";

const HORDE_NODE = { "Horde-Node": `horde-emulator:0:${EMULATED_HORDE_VERSION}` };
const COMMON_HEADERS: Record<string, string> = { ...CORS_HEADERS, ...HORDE_NODE };

const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/** werkzeug's 413 text. */
export const PAYLOAD_TOO_LARGE = "The data value transmitted exceeds the capacity limit.";
export const ROUTE_NOT_FOUND =
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
/** werkzeug's page for a URL no rule matches (docs/server/errors.md#body-shapes). */
export const ROUTE_NOT_FOUND_PAGE = `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>${ROUTE_NOT_FOUND}</p>
`;
export const METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL.";

/** The API's areas, each a thin adapter over the domain; adding an area is one line here. */
const API_ROUTES = [
  imageRoutes,
  textRoutes,
  alchemyRoutes,
  userRoutes,
  workerRoutes,
  statusRoutes,
  statsRoutes,
  teamRoutes,
  sharedKeyRoutes,
  documentRoutes,
  styleRoutes,
];

export interface AppOptions {
  store: HordeStore;
  clock: Clock;
  faults: FaultInjector;
  admin: AdminDeps;
  rateLimit: MiddlewareHandler;
  /** The server's response caches, after the limiter (a cached answer still counts against the limits). */
  responseCache: MiddlewareHandler;
  /** Largest request body accepted, in bytes (413 above it). */
  maxBodyBytes: number;
}

export function buildApp(options: AppOptions): Hono {
  const { store } = options;
  const app = new Hono();

  // First: middleware such as the body limit replaces `c.req.raw`, which carries the meta.
  app.use("*", captureMeta);
  app.use("*", frontDoor(options.clock, options.faults));
  app.use("*", async (c, next) => {
    await next();
    // The admin API is never open to other origins: no CORS headers, so a browser's preflight fails.
    const headers = isAdminPath(c.req.path) ? HORDE_NODE : COMMON_HEADERS;
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
    if (c.res.headers.get("Content-Type") === "application/json") {
      c.res.headers.set("Content-Type", "application/json; charset=utf-8");
    }
  });
  // Preflights: 200 with the methods of the route, like Flask's automatic OPTIONS, plus the CORS headers.
  app.options("*", (c) => {
    const path = new URL(c.req.url).pathname;
    const methods = isContractPath(path.replace(/^\/api/, ""));
    // An API path no rule matches is werkzeug's 404, preflight or not.
    if (methods.length === 0 && path.startsWith("/api/")) return c.html(ROUTE_NOT_FOUND_PAGE, 404);
    if (methods.length > 0) c.header("Allow", [...new Set([...methods, "HEAD", "OPTIONS"])].join(", "));
    // Flask's automatic answer: an empty HTML body.
    return c.body(null, 200, { "Content-Type": "text/html; charset=utf-8" });
  });
  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: (c) => c.json({ message: PAYLOAD_TOO_LARGE }, 413),
  });
  // Only methods with a body: reading `c.req.raw.body` would make the socket server build a full Request.
  app.use("*", (c, next) => (BODYLESS.has(c.req.method) ? next() : limitBody(c, next)));
  app.use("/api/*", options.rateLimit);
  app.use("/api/*", options.responseCache);
  // The API document (docs/server/directory.md#swagger), generated from the contract.
  app.get("/api/swagger.json", (c) => c.body(SWAGGER_DOCUMENT, 200, { "Content-Type": "application/json" }));

  const api = new Hono();
  for (const routes of API_ROUTES) api.route("/", routes(store));
  app.route("/api", api);
  app.route("/", r2Routes(store));
  app.route(ADMIN_PREFIX, adminRoutes(options.admin));

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
    // QUIRK(docs/server/errors.md#body-shapes): outside every rule, werkzeug answers its HTML page, not JSON.
    return c.html(ROUTE_NOT_FOUND_PAGE, 404);
  });
  app.onError((e, c) => renderError(store, e, c));
  return app;
}

function renderError(store: HordeStore, e: unknown, c: Context): Response {
  // Not an answer: the entry point drops the connection.
  if (e instanceof ConnectionDropped) throw e;
  if (e instanceof HordeError) {
    const body = e.toBody();
    // flask-restx suggests similar routes on every 404 the API raises (docs/server/errors.md#not-found-help).
    if (e.status === 404)
      body.message = withNotFoundHelp(body.message, decodedPath(new URL(c.req.url).pathname));
    return c.json(body, e.status as 404);
  }
  if (e instanceof PayloadValidationError) return c.json(e.toBody(), 400);
  if (e instanceof BareError) return c.json(e.toBody(), e.status as 400);
  store.logger.error?.(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}`, {
    error: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });
  return c.json({ message: INTERNAL_SERVER_ERROR }, 500);
}
