/**
 * Facts about an incoming request that do not travel in it: the client IP the rate limiter keys on,
 * whether faults may hit it, and whether a fault plan put the horde "in maintenance" for it. Set by the
 * entry points (`emulator.fetch`, `listen()`) before the app sees the request; the front door adds the
 * maintenance flag.
 */
import type { Context, MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    hordeMeta: RequestMeta;
  }
}

export interface RequestMeta {
  /** The client IP (docs/server/rate-limits.md#mechanics): the last `X-Forwarded-For` entry, else the socket's address, else 127.0.0.1. */
  clientIp: string;
  /** False for the dev workers' own door: faults are for the clients under test. */
  faultable?: boolean;
  /** Came through `emulator.fetch`: code in this process, trusted like `emulator.admin` (no admin token). */
  inProcess?: boolean;
  /** A `maintenance` fault matched this request (see `server/faults/`). */
  maintenance?: boolean;
}

const metas = new WeakMap<Request, RequestMeta>();
export const DEFAULT_CLIENT_IP = "127.0.0.1";

export function setMeta(request: Request, meta: RequestMeta): void {
  metas.set(request, meta);
}

/**
 * Moves the meta of the raw request into the context: it must run first, because middleware such as
 * the body limit replaces `c.req.raw` with a new Request.
 */
export const captureMeta: MiddlewareHandler = async (c, next) => {
  c.set("hordeMeta", metas.get(c.req.raw) ?? { clientIp: DEFAULT_CLIENT_IP });
  await next();
};

export function metaOf(c: Context): RequestMeta {
  return c.get("hordeMeta") ?? metas.get(c.req.raw) ?? { clientIp: DEFAULT_CLIENT_IP };
}

/** The IP ProxyFix(x_for=1) would see: the last `X-Forwarded-For` entry, if any (docs/server/rate-limits.md#mechanics). */
export function forwardedIp(headers: Headers): string | undefined {
  const xff = headers.get("X-Forwarded-For");
  if (!xff) return undefined;
  const last = xff.split(",").at(-1)?.trim();
  return last ? last : undefined;
}
