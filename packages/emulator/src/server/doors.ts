/**
 * The ways into the app: the in-process `fetch` (with or without faults) and a socket server. Each sets
 * the request's meta (client IP, whether faults may hit it) before the app sees it, and turns a
 * `ConnectionDropped` into what a dropped connection looks like on that side.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { DEFAULT_CLIENT_IP, forwardedIp, setMeta } from "../http/meta.js";
import type { EmulatorLogger } from "../logger.js";
import { ConnectionDropped, connectionResetError } from "./faults/index.js";

/** The origin used for in-process calls that give a bare path. */
export const IN_PROCESS_ORIGIN = "http://horde.local";

export type Fetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/** Like global fetch: a bad input rejects (never throws synchronously); a bare path gets a local origin. */
export function inProcessFetch(app: Hono, faultable: boolean): Fetch {
  return async (input, init) => {
    const request =
      input instanceof Request
        ? init === undefined
          ? input
          : new Request(input, init)
        : new Request(new URL(String(input), IN_PROCESS_ORIGIN), init);
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

export const SOCKET_LIMITS: SocketLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 16 * 1024,
  maxConnections: 1024,
};

/**
 * An unread request body up to this size is read and discarded after the answer, so its keep-alive
 * connection stays usable; a larger one (or one of unknown length) is answered with `Connection: close`.
 * Go's net/http draws the same line at the same size.
 */
export const DRAIN_LIMIT_BYTES = 256 * 1024;
/** After a `Connection: close` answer, how long the rest of an unread body is still read before the socket closes. */
export const LINGER_MS = 2_000;

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
 * request the server accepts gets its answer, even one refused before its body was read (see
 * `settleUnreadBody`).
 */
export function listenOn(
  app: Hono,
  { port = 0, host = "127.0.0.1", limits: overrides }: ListenOptions,
  logger: EmulatorLogger,
) {
  const limits = { ...SOCKET_LIMITS, ...overrides };
  return new Promise<Listening>((resolve, reject) => {
    const server = serve(
      {
        fetch: async (req, bindings) => {
          const env = bindings as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
          const socketIp = env?.incoming?.socket?.remoteAddress?.replace(/^::ffff:/, "");
          setMeta(req, { clientIp: forwardedIp(req.headers) ?? socketIp ?? DEFAULT_CLIENT_IP });
          try {
            const response = await app.fetch(req);
            if (env?.incoming && env.outgoing) settleUnreadBody(env.incoming, env.outgoing);
            return response;
          } catch (e) {
            if (!(e instanceof ConnectionDropped)) throw e;
            // Over a socket a reset is a reset: destroy the connection without an answer.
            env?.incoming?.socket?.destroy();
            return new Response(null, { status: 499 });
          }
        },
        port,
        hostname: host,
        // The unread bodies are ours to settle: hono's own cleanup closes a connection whose body takes
        // more than 500 ms to drain, under the client's feet.
        autoCleanupIncoming: false,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          maxHeaderSize: limits.maxHeaderBytes,
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
    server.once("error", reject);
  });
}

/**
 * A request answered before its body was read (a 413 from Content-Length, a 429, an error found early)
 * must not cost the client its answer. Closing a socket with unread bytes makes the kernel send a reset,
 * which can destroy the answer before the client reads it; so a body of known size within
 * `DRAIN_LIMIT_BYTES` is read and discarded after the answer and the connection stays open, and any other
 * is answered with `Connection: close` and closed gently: FIN after the answer, the rest still read for up
 * to `LINGER_MS` (nginx's "lingering close"). Node's request timeout bounds a drain that never ends.
 */
function settleUnreadBody(incoming: IncomingMessage, outgoing: ServerResponse): void {
  if (incoming.complete || incoming.method === "GET" || incoming.method === "HEAD") return;
  const declared = Number(incoming.headers["content-length"] ?? Number.NaN);
  if (!(Number.isSafeInteger(declared) && declared <= DRAIN_LIMIT_BYTES)) {
    outgoing.setHeader("Connection", "close");
    lingerOnClose(incoming.socket);
  }
  // The body's web stream (made when a middleware looked at the body) pauses the socket once its queue
  // is full and nobody reads it: take its listener off, or the drain stalls until the keep-alive
  // timeout resets the connection.
  outgoing.once("finish", () => {
    if (incoming.destroyed) return;
    incoming.removeAllListeners("data");
    incoming.resume();
  });
}

/** Makes Node's close after a `Connection: close` answer a lingering one (see `settleUnreadBody`). */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.destroyed) return;
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once("close", () => clearTimeout(timer));
  };
}
