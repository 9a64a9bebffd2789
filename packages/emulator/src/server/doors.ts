/**
 * The ways into the app: the in-process `fetch` (with or without faults) and a socket server. Each sets
 * the request's meta (client IP, whether faults may hit it) before the app sees it, and turns a
 * `ConnectionDropped` into what a dropped connection looks like on that side.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { DEFAULT_CLIENT_IP, forwardedIp, setMeta } from "../http/meta.js";
import type { EmulatorLogger } from "../logger.js";
import { ConnectionDropped, connectionResetError } from "./faults/index.js";

/** The origin used for in-process calls that give a bare path. */
export const IN_PROCESS_ORIGIN = "http://horde.local";

export type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The server (waitress) reads a request's whole body before the app sees it, so its rate limiter opens a
 * window when the body has arrived, not when the client started sending (docs/server/rate-limits.md#mechanics).
 * The doors do the same; past `maxBytes` the rest is drained and dropped, and the app's body cap answers
 * 413 on what was kept.
 */
export async function withBufferedBody(request: Request, maxBytes: number): Promise<Request> {
  if (request.body === null) return request;
  const kept: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size <= maxBytes) kept.push(value.subarray(0, maxBytes + 1 - size));
    size += value.byteLength;
  }
  const body = Buffer.concat(kept);
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  return new Request(request.url, {
    method: request.method,
    headers,
    body,
    signal: request.signal,
  });
}

/** Like global fetch: a bad input rejects (never throws synchronously); a bare path gets a local origin. */
export function inProcessFetch(app: Hono, faultable: boolean, maxBodyBytes: number): Fetch {
  return async (input, init) => {
    const sent =
      input instanceof Request
        ? init === undefined
          ? input
          : new Request(input, init)
        : new Request(new URL(String(input), IN_PROCESS_ORIGIN), init);
    const request = await withBufferedBody(sent, maxBodyBytes);
    setMeta(request, { clientIp: forwardedIp(request.headers) ?? DEFAULT_CLIENT_IP, faultable });
    try {
      return await app.fetch(request);
    } catch (e) {
      // A dropped connection looks like undici's: `TypeError: fetch failed`.
      if (e instanceof ConnectionDropped) throw connectionResetError();
      throw e;
    }
  };
}

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface ListenInfo {
  /** The API base, e.g. `http://127.0.0.1:7001/api`. */
  url: string;
  /** e.g. `http://127.0.0.1:7001`. */
  origin: string;
  port: number;
}

export interface Listening {
  info: ListenInfo;
  close(): Promise<void>;
}

/** Serves the app over HTTP; the client IP is the last X-Forwarded-For entry, else the socket's. */
export function listenOn(
  app: Hono,
  { port = 0, host = "127.0.0.1" }: ListenOptions,
  logger: EmulatorLogger,
  maxBodyBytes: number,
) {
  return new Promise<Listening>((resolve, reject) => {
    const server = serve(
      {
        fetch: async (incoming, bindings) => {
          const env = bindings as { incoming?: IncomingMessage } | undefined;
          const req = await withBufferedBody(incoming, maxBodyBytes);
          const socketIp = env?.incoming?.socket?.remoteAddress?.replace(/^::ffff:/, "");
          setMeta(req, { clientIp: forwardedIp(req.headers) ?? socketIp ?? DEFAULT_CLIENT_IP });
          try {
            return await app.fetch(req);
          } catch (e) {
            if (!(e instanceof ConnectionDropped)) throw e;
            // Over a socket a reset is a reset: destroy the connection without an answer.
            env?.incoming?.socket?.destroy();
            return new Response(null, { status: 499 });
          }
        },
        port,
        hostname: host,
      },
      (address: AddressInfo) => {
        const h = address.family === "IPv6" ? `[${address.address}]` : address.address;
        const origin = `http://${h}:${address.port}`;
        logger.info?.(`listening on ${origin}`);
        resolve({
          info: { url: `${origin}/api`, origin, port: address.port },
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((e?: Error) => (e ? fail(e) : done()));
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
