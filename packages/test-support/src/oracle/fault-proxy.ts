/**
 * A fault-injecting HTTP proxy on loopback, between a client and a real server (the oracle): what a flaky
 * network and a gateway in front of the server do to a client, at the TCP/HTTP level and reproducible on a
 * seed. Each request is read whole, then a seeded plan decides its fate:
 *
 * - `reset-before`: the connection is reset before the request is forwarded (the server never saw it);
 * - `gateway-before`: a gateway's 502/503/504 HTML page, the server never saw it;
 * - `delay`: forwarded after a pause (a slow hop);
 * - `lost-response`: forwarded and answered by the server, then the connection is reset (a lost answer);
 * - `gateway-after`: forwarded and answered by the server, but the client gets a gateway's 5xx page;
 * - `truncated`: the server's answer is sent with its full Content-Length but only half its body, then reset.
 *
 * The decision for a request depends only on the seed and on the request's place in its stream — its
 * client (`streamOf`; default its address: `X-Forwarded-For`, else the socket's), method and route (ids
 * replaced by `:id`) and how many requests of that stream came before — so concurrent clients do not
 * change each other's faults.
 */
import { createHash } from "node:crypto";
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type ProxyFaultKind =
  | "reset-before"
  | "gateway-before"
  | "delay"
  | "lost-response"
  | "gateway-after"
  | "truncated";

/** Faults that happen after the server handled the request: it may have acted on it. */
export const AFTER_SERVER_FAULTS: readonly ProxyFaultKind[] = ["lost-response", "gateway-after", "truncated"];

export interface ProxyFaultRule {
  kind: ProxyFaultKind;
  /** Chance per matching request, 0..1. */
  probability: number;
  /** Only requests of this method (default: any). */
  method?: string;
  /** Only requests whose path matches (a RegExp, or a string the path must contain; default: any). */
  route?: RegExp | string;
  /** `delay`: the pause in ms, drawn from [min, max] (default [200, 2000]). */
  delayMs?: [number, number];
  /** `gateway-*`: the status of the page (default: drawn from 502, 503, 504). */
  status?: 502 | 503 | 504;
}

/** The plan: rules are tried in order and the first that fires decides (one fault per request at most). */
export interface ProxyFaultPlan {
  seed: number;
  rules: ProxyFaultRule[];
}

/** What the proxy did, by kind and by `METHOD route`. */
export interface ProxyCounts {
  requests: number;
  forwarded: number;
  total: number;
  byKind: Record<ProxyFaultKind, number>;
  byRoute: Record<string, Partial<Record<ProxyFaultKind, number>> & { requests: number }>;
}

/** One request as the proxy saw it (the header names and values it was sent, for the leak checks). */
export interface ProxyLogEntry {
  method: string;
  path: string;
  route: string;
  client: string;
  fault: ProxyFaultKind | null;
  /** The server's status when it was forwarded and answered; null otherwise. */
  serverStatus: number | null;
  /** The status the client got (a gateway page's), or null when it got no whole answer. */
  clientStatus: number | null;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: put the target's path after it (e.g. `${url}/api`). */
  readonly url: string;
  counts(): ProxyCounts;
  /** Every request, in arrival order. */
  readonly log: readonly ProxyLogEntry[];
  /** Stop listening and drop every open connection. */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** The server: `http://127.0.0.1:<port>` (any path of the proxied URL is kept as is). */
  target: string;
  plan: ProxyFaultPlan;
  /** Called for each request before it is forwarded (e.g. to check where a key is sent). */
  onRequest?: (request: { method: string; path: string; headers: IncomingHttpHeaders }) => void;
  /** Names the client of a request, for its stream (default: its address; e.g. a header a run sets the same every time). */
  streamOf?: (headers: IncomingHttpHeaders, address: string) => string;
}

const KINDS: ProxyFaultKind[] = [
  "reset-before",
  "gateway-before",
  "delay",
  "lost-response",
  "gateway-after",
  "truncated",
];
const GATEWAY_STATUSES = [502, 503, 504] as const;
const GATEWAY_TITLES: Record<number, string> = {
  502: "502 Bad Gateway",
  503: "503 Service Temporarily Unavailable",
  504: "504 Gateway Time-out",
};
/** Headers that belong to one hop (a connection), not to the message: a proxy never passes them on. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
]);
const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)$/i;

/** The path with ids (UUIDs, numbers) replaced by `:id` and without the query: the route a rule matches. */
export function routeOf(path: string): string {
  const [pathname = ""] = path.split("?");
  return pathname
    .split("/")
    .map((s) => (ID_SEGMENT.test(s) ? ":id" : s))
    .join("/");
}

/** A uniform number in [0, 1) from the seed and a name: the same inputs always give the same number. */
export function seededUniform(seed: number, name: string): number {
  return createHash("sha256").update(`${seed}\u0000${name}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The gateway page a reverse proxy in front of the server answers with when it could not get an answer. */
export function gatewayPage(status: number): string {
  const title = GATEWAY_TITLES[status] ?? `${status} Error`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

function matches(rule: ProxyFaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.route === undefined) return true;
  return typeof rule.route === "string" ? path.includes(rule.route) : rule.route.test(path);
}

/** The fault for the `n`-th request of a stream (or none), and the draw for its parameters. */
export function decide(
  plan: ProxyFaultPlan,
  stream: string,
  n: number,
  method: string,
  path: string,
): { rule: ProxyFaultRule; draw: number } | null {
  for (const [i, rule] of plan.rules.entries()) {
    if (!matches(rule, method, path)) continue;
    if (seededUniform(plan.seed, `${stream}#${n}#${i}`) < rule.probability) {
      return { rule, draw: seededUniform(plan.seed, `${stream}#${n}#${i}#param`) };
    }
  }
  return null;
}

function emptyCounts(): ProxyCounts {
  return {
    requests: 0,
    forwarded: 0,
    total: 0,
    byKind: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ProxyFaultKind, number>,
    byRoute: {},
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Resets the client's connection (TCP RST, so the client sees ECONNRESET, not a clean close). */
function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === "function" && !socket.destroyed) socket.resetAndDestroy();
  else socket.destroy();
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts = emptyCounts();
  const log: ProxyLogEntry[] = [];
  const streams = new Map<string, number>();
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers.host = target.host;
      headers["content-length"] = String(body.length);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (res) => {
          readBody(res).then(
            (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
            reject,
          );
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });

  const send = (res: ServerResponse, answer: Answer, bodyBytes: number): void => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    if (bodyBytes >= answer.body.length) {
      res.end(answer.body);
      return;
    }
    // Cut: the head promised the whole body; half of it goes out, then the connection is reset.
    res.write(answer.body.subarray(0, bodyBytes), () => setTimeout(() => reset(res.socket as Socket), 10));
  };

  const sendGateway = (res: ServerResponse, status: number): void => {
    const page = Buffer.from(gatewayPage(status));
    res.writeHead(status, { "Content-Type": "text/html", "Content-Length": String(page.length) });
    res.end(page);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const path = req.url ?? "/";
    const route = routeOf(path);
    const forwardedFor = req.headers["x-forwarded-for"];
    const address =
      (Array.isArray(forwardedFor) ? forwardedFor.at(-1) : forwardedFor)?.split(",").at(-1)?.trim() ||
      req.socket.remoteAddress ||
      "?";
    const client = options.streamOf?.(req.headers, address) ?? address;
    const body = await readBody(req);
    options.onRequest?.({ method, path, headers: req.headers });
    const stream = `${client} ${method} ${route}`;
    const n = streams.get(stream) ?? 0;
    streams.set(stream, n + 1);
    const decision = decide(options.plan, stream, n, method, path);
    const entry: ProxyLogEntry = {
      method,
      path,
      route,
      client,
      fault: decision?.rule.kind ?? null,
      serverStatus: null,
      clientStatus: null,
    };
    log.push(entry);
    counts.requests++;
    const routeKey = `${method} ${route}`;
    const perRoute = counts.byRoute[routeKey] ?? { requests: 0 };
    counts.byRoute[routeKey] = perRoute;
    perRoute.requests++;
    const count = (kind: ProxyFaultKind) => {
      entry.fault = kind;
      counts.total++;
      counts.byKind[kind]++;
      perRoute[kind] = (perRoute[kind] ?? 0) + 1;
    };
    const rule = decision?.rule;
    const draw = decision?.draw ?? 0;
    const gatewayStatus = rule?.status ?? GATEWAY_STATUSES[Math.floor(draw * 3)] ?? 502;
    /** The faults that end the exchange without the server's answer: a reset, or a gateway's page. */
    const cut = (kind: ProxyFaultKind): void => {
      count(kind);
      if (kind === "reset-before" || kind === "lost-response") {
        reset(req.socket);
      } else {
        entry.clientStatus = gatewayStatus;
        sendGateway(res, gatewayStatus);
      }
    };

    if (rule?.kind === "reset-before" || rule?.kind === "gateway-before") return cut(rule.kind);
    if (rule?.kind === "delay") {
      count("delay");
      const [min, max] = rule.delayMs ?? [200, 2000];
      await new Promise((resolve) => setTimeout(resolve, min + Math.round(draw * (max - min))));
    }

    let answer: Answer;
    try {
      answer = await forward(req, body);
    } catch {
      // The server itself failed to answer: what a gateway says then (not an injected fault).
      entry.clientStatus = 502;
      sendGateway(res, 502);
      return;
    }
    counts.forwarded++;
    entry.serverStatus = answer.status;
    if (rule?.kind === "lost-response" || rule?.kind === "gateway-after") return cut(rule.kind);
    if (rule?.kind === "truncated") {
      // Nothing to cut in an empty body: the answer is lost instead (and counted as what it was).
      if (answer.body.length < 2) return cut("lost-response");
      count("truncated");
      send(res, answer, Math.floor(answer.body.length / 2));
      return;
    }
    entry.clientStatus = answer.status;
    send(res, answer, answer.body.length);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => reset(req.socket));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    counts: () => structuredClone(counts),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
