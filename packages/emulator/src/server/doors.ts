/**
 * The ways into the app: the in-process `fetch` (with or without faults) and a socket server. Each sets
 * the request's meta (client IP, whether faults may hit it) before the app sees it, and turns a
 * `ConnectionDropped` into what a dropped connection looks like on that side.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { DEFAULT_CLIENT_IP, forwardedIp, setMeta } from "../http/meta.js";
import type { EmulatorLogger } from "../logger.js";
import { METHOD_NOT_ALLOWED } from "./app.js";
import { ConnectionDropped, connectionResetError } from "./faults/index.js";

/** The origin used for in-process calls that give a bare path. */
export const IN_PROCESS_ORIGIN = "http://horde.local";

export type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The server (waitress) reads a request's whole body before the app sees it, so its rate limiter opens a
 * window when the body has arrived, not when the client started sending (docs/server/rate-limits.md#mechanics).
 * The doors do the same; past `maxBytes` the rest is drained and dropped, and the app's body cap answers
 * 413 on what was kept (it reads the `Content-Length` set here, so it builds no Request of its own).
 */
export async function withBufferedBody(request: Request, maxBytes: number): Promise<Request> {
  // A GET or HEAD Request never has a body; asking the socket server's lazy Request for one would make it
  // build a full WHATWG Request (most of a /check's cost).
  if (request.method === "GET" || request.method === "HEAD" || request.body === null) return request;
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
  headers.delete("transfer-encoding");
  headers.set("content-length", String(body.byteLength));
  return new Request(request.url, { method: request.method, headers, body, signal: null });
}

/**
 * Like global fetch: a bad input rejects (never throws synchronously); a bare path gets a local origin.
 *
 * The Request handed to the app carries no caller's signal (`signal: null`): the app never reads it, and
 * a Request built on a signal stays registered with undici's finalizer, holding an abort listener on that
 * signal, until a full GC and a finalizer pass, so idle dev workers popping every second piled up
 * thousands of them between major GCs (RELIABILITY.md, "Endurance"). An abort does not stop an
 * in-process call, with or without it.
 */
export function inProcessFetch(app: Hono, faultable: boolean, maxBodyBytes: number): Fetch {
  return async (input, init) => {
    const sent =
      input instanceof Request
        ? init === undefined
          ? input
          : new Request(input, { ...init, signal: null })
        : new Request(new URL(String(input), IN_PROCESS_ORIGIN), { ...init, signal: null });
    const request = await withBufferedBody(sent, maxBodyBytes);
    setMeta(request, {
      clientIp: forwardedIp(request.headers) ?? DEFAULT_CLIENT_IP,
      faultable,
      inProcess: true,
    });
    try {
      return await app.fetch(request);
    } catch (e) {
      // A dropped connection looks like undici's: `TypeError: fetch failed`.
      if (e instanceof ConnectionDropped) throw connectionResetError();
      throw e;
    }
  };
}

/** Where `emulator.listen()` opens its socket, and how much one client may take of it. */
export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The socket limits (defaults in `SOCKET_LIMITS`): a client slower than these is answered 408 or
   * disconnected, so a slow or silent client cannot hold a connection for long.
   */
  limits?: Partial<SocketLimits>;
}

/** What one client may take of the server (RELIABILITY.md, "HTTP limits"). */
export interface SocketLimits {
  /** Time to send the request line and headers (Node answers 408 after it). */
  headersTimeoutMs: number;
  /** Time to send a whole request, body included (Node answers 408 after it). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open. */
  keepAliveTimeoutMs: number;
  /** Largest request line plus headers (Node answers 431 above it). */
  maxHeaderBytes: number;
  /** Open connections at most; more are refused (closed at once) until some close. */
  maxConnections: number;
}

/** The default socket limits of `emulator.listen()`. */
export const SOCKET_LIMITS: SocketLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 1024,
};

/** Where a listening emulator can be reached. */
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

/**
 * Serves the app over HTTP; the client IP is the last X-Forwarded-For entry, else the socket's. Every
 * request the server accepts gets its answer: its body is read whole first (`withBufferedBody`), so no
 * unread bytes are left to make the kernel reset the connection under the answer.
 */
export function listenOn(
  app: Hono,
  { port = 0, host = "127.0.0.1", limits: overrides }: ListenOptions,
  logger: EmulatorLogger,
  maxBodyBytes: number,
) {
  const limits = { ...SOCKET_LIMITS, ...overrides };
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
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          maxHeaderSize: limits.maxHeaderBytes,
          // Node checks the two timeouts above only this often (30 s by default, which would let a slow
          // client hold a connection for up to 30 s past them).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
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
    server.maxConnections = limits.maxConnections;
    // Node hands CONNECT to a 'connect' listener and, without one, drops the connection unanswered; the
    // server (waitress) passes it to the app like any method, which refuses it: 405, as for any other.
    server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
      const body = JSON.stringify({ message: METHOD_NOT_ALLOWED });
      socket.end(
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\n" +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    server.once("error", reject);
  });
}
