/**
 * The admin API's lock, the way local dev servers (Jupyter, Vite's HMR token) guard theirs: a random token
 * made at start (or given), required as `Authorization: Bearer <token>` on every `/_emulator/` request that
 * arrives over a socket. A web page the developer visits cannot send that header cross-origin without a
 * preflight, and the admin routes answer no preflight (no CORS), so a page can neither read nor change
 * the emulator. Code in the same process (`emulator.admin`, `emulator.fetch`) needs no token.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { metaOf } from "../http/meta.js";

/** Where the admin API lives. */
export const ADMIN_PREFIX = "/_emulator";

export const isAdminPath = (path: string): boolean =>
  path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);

/** 24 random bytes, URL-safe: fits in a `?token=` query and a header. */
export function newAdminToken(): string {
  return randomBytes(24).toString("base64url");
}

/** A token must be long enough not to be guessed over the network. */
export function checkAdminToken(token: string): string | null {
  return /^[\x21-\x7e]{16,}$/.test(token)
    ? null
    : "the admin token must be at least 16 printable characters, without spaces";
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Refuses admin calls from a socket without the token (401, `WWW-Authenticate: Bearer`). */
export function requireAdminToken(token: string): MiddlewareHandler {
  const want = digest(token);
  return async (c, next) => {
    if (metaOf(c).inProcess) return next();
    const got = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    // Compared as digests: constant time, whatever the lengths.
    if (got !== undefined && timingSafeEqual(digest(got), want)) return next();
    return c.json(
      {
        message:
          "The emulator's admin API needs its admin token: send 'Authorization: Bearer <token>' (horde serve prints the token).",
      },
      401,
      { "WWW-Authenticate": 'Bearer realm="horde-emulator admin"' },
    );
  };
}

/** Whether a listen host only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}
