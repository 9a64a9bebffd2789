/**
 * The local "R2" bucket (docs/server/workers.md#r2-uploads): PUT for the worker's upload, GET for the
 * client's download, both through
 * presigned-style URLs (see `horde/store/bucket.ts`). Errors are S3-style XML, like the real bucket's.
 */
import { Hono } from "hono";
import type { R2Method } from "../horde/store/bucket.js";
import type { HordeStore } from "../horde/store/store.js";

function s3Error(status: 403 | 404 | 400, code: string, message: string): Response {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return new Response(xml, { status, headers: { "Content-Type": "application/xml" } });
}

export function r2Routes(store: HordeStore): Hono {
  const app = new Hono();

  const authorize = (method: R2Method, key: string, expires?: string, sig?: string): Response | null => {
    const check = store.r2.check(method, key, expires, sig, store.now());
    if (check === "bad-signature") {
      return s3Error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided.",
      );
    }
    if (check === "expired") return s3Error(403, "AccessDenied", "Request has expired");
    return null;
  };

  app.put("/_r2/:key", async (c) => {
    const key = c.req.param("key");
    const denied = authorize("PUT", key, c.req.query("expires"), c.req.query("sig"));
    if (denied) return denied;
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    store.r2.put(key, bytes, c.req.header("Content-Type") ?? "image/webp", store.now());
    return c.body(null, 200);
  });

  app.get("/_r2/:key", (c) => {
    const key = c.req.param("key");
    const denied = authorize("GET", key, c.req.query("expires"), c.req.query("sig"));
    if (denied) return denied;
    const obj = store.r2.get(key, store.now());
    if (!obj) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
    return new Response(obj.bytes, {
      status: 200,
      headers: { "Content-Type": obj.contentType, "Content-Length": String(obj.bytes.byteLength) },
    });
  });

  return app;
}
