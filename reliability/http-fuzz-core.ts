/**
 * HTTP-level fuzzing of a listening emulator (`horde serve`) over raw sockets: seeded random and malformed
 * request lines, methods, paths, headers, framings and bodies, sent whole, then slow clients that hold
 * their request open. Properties: never a 5xx other than 501 ("not emulated"), every complete request is
 * answered or closed within the request timeout, every slow client is cut off within the socket limits,
 * and the server answers a health request after every batch.
 *
 * Shared by `npm run fuzz:http` (reliability/fuzz-http.mjs, against a spawned `horde serve`) and the short
 * seeded test (test/reliability/http-fuzz.test.ts, against an in-process listener with short limits).
 */
import net from "node:net";
import { prng } from "./soak-core.js";

export interface HttpFuzzOptions {
  host: string;
  port: number;
  seed: number;
  /** Whole (complete) requests to send. */
  requests: number;
  /** Slow clients of each kind (slowloris headers, slow body, truncated body, silent, idle keep-alive). */
  slowClients: number;
  /** The server's socket limits, to know how long an answer may take. */
  limits: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /**
   * How far past a limit a cut-off may come (default 2 s): Node checks its timeouts every second and closes
   * an idle keep-alive connection about 1 s after keepAliveTimeout; a loaded machine adds its own delay.
   */
  graceMs?: number;
  /** Connections at once (default 16). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface HttpFuzzReport {
  seed: number;
  sent: number;
  /** How many requests ended in each way: an HTTP status, or `closed` (no answer) / `reset`. */
  statuses: Record<string, number>;
  /** Requests answered with a 5xx other than 501, with what was sent (must be empty). */
  serverErrors: { status: number; request: string }[];
  /** 500s the real server gives the same request (see isServerQuirk500), reproduced on purpose. */
  reproducedQuirks: number;
  /** Requests closed or reset without an answer (the first 20), for review. */
  unanswered: string[];
  /** Requests with no answer and no close within the limit (must be empty). */
  hangs: { request: string; waitedMs: number }[];
  /** Slow clients, by kind: how they ended and after how long (longest). */
  slow: Record<string, { outcomes: Record<string, number>; longestMs: number; limitMs: number }>;
  /** Health requests after each batch, and how many failed (must be 0). */
  health: { checks: number; failures: number };
  slowestAnswerMs: number;
  graceMs: number;
  wallSeconds: number;
}

type Rng = ReturnType<typeof prng>;
const pick = <T>(r: Rng, items: readonly T[]): T => items[r.int(items.length)] as T;

const ROUTES = [
  "/api/v2/generate/async",
  "/api/v2/generate/text/async",
  "/api/v2/interrogate/async",
  "/api/v2/generate/check/00000000-0000-0000-0000-000000000000",
  "/api/v2/generate/status/abc",
  "/api/v2/generate/pop",
  "/api/v2/status/heartbeat",
  "/api/v2/status/models",
  "/api/v2/users/1",
  "/api/v2/find_user",
  "/api/v2/workers",
  "/api/v2/kudos/transfer",
  "/api/swagger.json",
  "/_r2/x.webp",
  "/_emulator/stats",
  "/",
];
const METHODS = [
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "HEAD",
  "TRACE",
  "CONNECT",
  "FOO",
  "get",
];

function fuzzPath(r: Rng): string {
  const route = pick(r, ROUTES);
  switch (r.int(12)) {
    case 0:
      return `${route}/${"a".repeat(1000 + r.int(6000))}`;
    case 1:
      return route.replace(/\//g, () => pick(r, ["/", "/./", "/../", "//", "/%2e%2e/", "/%2f"]));
    case 2:
      return `${route}/${pick(r, ["%00", "%ff%fe", "%zz", "%", "%u0041", "%E2%82"])}`;
    case 3:
      return `${route}/${pick(r, ["é", "🦄", "日本", "\u202e"])}`; // raw UTF-8 bytes in the target
    case 4:
      return `${route}?${pick(r, ["a=%", "fields=%00", "a=1&a=2&a=3", `q=${"x".repeat(4000)}`, "=", "&&&"])}`;
    case 5:
      return pick(r, ["*", "http://evil.test/api/v2/status/heartbeat", "api/v2/workers", "", "/%"]);
    case 6:
      return `/api/v2/generate/check/${pick(r, ["..", ".", "%2e%2e", "a b", "<script>", "-1", "1e309"])}`;
    default:
      return route;
  }
}

/** The route's own method, so an unmutated request reaches the app. */
const methodOf = (route: string) => (/async$|pop$|transfer$/.test(route) ? "POST" : "GET");

/**
 * One complete request as bytes, and a short description for the report. Each request breaks one thing
 * (the request line, the method or version, the path, the headers, the framing or the body) and keeps the
 * rest well formed, so the fuzz reaches the app as well as Node's HTTP parser.
 */
function fuzzRequest(r: Rng): { bytes: Buffer; what: string; quirk500?: boolean } {
  const mutation = r.int(6);
  if (mutation === 0 && r.int(3) === 0) {
    const junk = Buffer.from(Array.from({ length: 1 + r.int(200) }, () => r.int(256)));
    return { bytes: Buffer.concat([junk, Buffer.from("\r\n\r\n")]), what: `garbage ${junk.length} bytes` };
  }
  const route = pick(r, ROUTES);
  const method = mutation === 0 ? pick(r, METHODS) : methodOf(route);
  const path = mutation === 1 ? fuzzPath(r) : route;
  const version =
    mutation === 0
      ? pick(r, ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1 x", "http/1.1"])
      : "HTTP/1.1";
  const lines = [`${method} ${path} ${version}`, "Host: fuzz.test", "Connection: close"];
  if (mutation === 2) lines.push(...fuzzHeaders(r));
  if (method === "POST" || r.int(4) === 0) lines.push("Content-Type: application/json");
  const body = mutation === 4 ? fuzzBody(r) : method === "POST" ? Buffer.from(VALID_BODY) : Buffer.alloc(0);
  let payload: Buffer = body;
  let what = `${method} ${path.slice(0, 80)} ${version}, ${body.length} B body`;
  if (mutation === 3) {
    const framed = fuzzFraming(r, body);
    lines.push(...framed.lines);
    payload = framed.payload;
    what += `, ${framed.what}`;
  } else if (body.length > 0) {
    lines.push(`Content-Length: ${body.length}`);
  }
  if (mutation === 2) what += `, headers: ${lines.slice(3).join(" | ").slice(0, 120)}`;
  const bytes = Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload]);
  return { bytes, what, quirk500: isServerQuirk500(method, path, lines) };
}

/**
 * The well-formed requests the AI Horde itself answers with a bare 500, which the emulator reproduces
 * (docs/server/directory.md#user-edits: DELETE /v2/users/{id} without an apikey reads the unset caller).
 * They are counted apart; any other 5xx but 501 is a failure.
 */
function isServerQuirk500(method: string, path: string, lines: string[]): boolean {
  const noKey = !lines.some((line) => /^apikey:/i.test(line));
  return method === "DELETE" && /^\/api\/v2\/users\/\d+$/.test(path) && noKey;
}

const VALID_BODY = '{"prompt": "a lighthouse", "params": {"width": 64, "height": 64}}';

function fuzzHeaders(r: Rng): string[] {
  switch (r.int(12)) {
    case 0:
      return [`X-Big: ${"h".repeat(17_000 + r.int(20_000))}`]; // over maxHeaderBytes
    case 1:
      return Array.from({ length: 200 }, (_, i) => `X-Many-${i}: ${"v".repeat(50)}`);
    case 2:
      return ["apikey: one", "apikey: two"];
    case 3:
      return ["Bad Header: x"];
    case 4:
      return ["X-Folded: a", " folded"];
    case 5:
      return [`apikey: ${"k".repeat(3000)}`];
    case 6:
      return ["apikey: ключ", "Client-Agent: ключ:1:ключ"];
    case 7:
      return ["X-Forwarded-For: not-an-ip, ::1, 999.1.1.1"];
    case 8:
      return [`Content-Encoding: ${pick(r, ["gzip", "br", "deflate", "x-unknown"])}`];
    case 9:
      return ["Host: other.test"];
    case 10:
      return ["Content-Type: multipart/form-data; boundary=", "Accept: */*;q=x"];
    default:
      return ["Expect: 100-continue"];
  }
}

function fuzzFraming(r: Rng, body: Buffer): { lines: string[]; payload: Buffer; what: string } {
  const chunked = (b: Buffer) =>
    Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from("\r\n0\r\n\r\n")]);
  switch (r.int(7)) {
    case 0:
      return { lines: ["Transfer-Encoding: chunked"], payload: chunked(body), what: "chunked" };
    case 1:
      return {
        lines: ["Transfer-Encoding: chunked"],
        payload: Buffer.from(
          pick(r, [
            "zz\r\nabc\r\n0\r\n\r\n",
            "5\r\nabc\r\n0\r\n\r\n",
            "-1\r\n\r\n",
            "0x5\r\nabcde\r\n0\r\n\r\n",
          ]),
        ),
        what: "bad chunks",
      };
    case 2:
      return {
        lines: [
          pick(r, [
            "Content-Length: abc",
            "Content-Length: -5",
            "Content-Length: 1, 2",
            "Content-Length: 99999999999999999999",
          ]),
        ],
        payload: body,
        what: "bad Content-Length",
      };
    case 3:
      return {
        lines: [`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`],
        payload: body,
        what: "two Content-Lengths",
      };
    case 4:
      return {
        lines: ["Transfer-Encoding: chunked", `Content-Length: ${body.length}`],
        payload: chunked(body),
        what: "chunked and Content-Length",
      };
    case 5:
      return {
        lines: ["Transfer-Encoding: gzip, chunked"],
        payload: chunked(body),
        what: "gzip transfer-encoding",
      };
    default:
      // Shorter than the body: the rest is read as a second, broken request.
      return {
        lines: [`Content-Length: ${Math.max(0, body.length - 3)}`],
        payload: body,
        what: "short Content-Length",
      };
  }
}

function fuzzBody(r: Rng): Buffer {
  switch (r.int(10)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from('{"prompt": "a lighthouse", "params": {"width": 64, "height": 64}}');
    case 2:
      return Buffer.from('{"prompt": "unterminated');
    case 3:
      return Buffer.from(`${"[".repeat(5000)}${"]".repeat(5000)}`);
    case 4:
      return Buffer.alloc(600 * 1024 + r.int(600 * 1024), 0x61); // large, in many TCP segments
    case 5:
      return Buffer.from(Array.from({ length: 100 + r.int(2000) }, () => r.int(256)));
    case 6:
      return Buffer.from('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
    case 7:
      return Buffer.from('{"prompt": "\\ud800", "params": {"n": 1e309, "width": -1}}');
    case 8:
      return Buffer.from("\x1f\x8b\x08\x00garbage-that-is-not-gzip");
    default:
      return Buffer.from(
        JSON.stringify({ name: "w", models: ["stable_diffusion"], [`${"x".repeat(10)}`]: null }),
      );
  }
}

interface Ending {
  /** The status of the first answer, or `closed` / `reset` / `hang`. */
  outcome: string;
  ms: number;
}

/**
 * Opens a connection, lets `drive` write to it, and waits for the first status line, a close, or `limitMs`.
 * The connection is destroyed at the end either way.
 */
export function exchange(
  host: string,
  port: number,
  limitMs: number,
  drive: (socket: net.Socket) => void,
  untilClose = false,
): Promise<Ending> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host, port });
    let received = "";
    let settled = false;
    const end = (outcome: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ms: Date.now() - started });
    };
    const timer = setTimeout(() => end("hang"), limitMs);
    socket.on("connect", () => drive(socket));
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const status = finalStatus(received);
      if (status && !untilClose) end(status);
      else if (!status && !received.startsWith("HTTP/") && received.length > 64) end("not HTTP");
    });
    socket.on("error", (e: NodeJS.ErrnoException) =>
      end(e.code === "ECONNRESET" ? "reset" : `error ${e.code}`),
    );
    socket.on("close", () => {
      const status = finalStatus(received);
      end(untilClose && status ? `${status}, then closed` : "closed");
    });
  });
}

/** The status of the first final (not 1xx, e.g. `100 Continue`) answer read so far. */
function finalStatus(received: string): string | undefined {
  for (const match of received.matchAll(/(?:^|\r\n)HTTP\/\d\.\d (\d{3})/g)) {
    if (!(match[1] as string).startsWith("1")) return match[1];
  }
  return undefined;
}

async function healthy(host: string, port: number): Promise<boolean> {
  const ending = await exchange(host, port, 5_000, (s) =>
    s.write("GET /api/v2/status/heartbeat HTTP/1.1\r\nHost: fuzz.test\r\nConnection: close\r\n\r\n"),
  );
  return ending.outcome === "200";
}

/** Slow clients of one kind, all at once: each must be cut off (408 or closed) within `limitMs`. */
async function slowClients(
  options: HttpFuzzOptions,
  kind: string,
  limitMs: number,
  drive: (socket: net.Socket, stop: () => boolean) => void,
  untilClose = false,
) {
  const { host, port, slowClients: count } = options;
  const endings = await Promise.all(
    Array.from({ length: count }, () => {
      let stopped = false;
      return exchange(
        host,
        port,
        limitMs + (options.graceMs ?? 2_000) + 3_000,
        (socket) => {
          socket.on("close", () => {
            stopped = true;
          });
          drive(socket, () => stopped);
        },
        untilClose,
      );
    }),
  );
  const outcomes: Record<string, number> = {};
  for (const e of endings) outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
  return [kind, { outcomes, longestMs: Math.max(...endings.map((e) => e.ms)), limitMs }] as const;
}

/** Writes `text` a few bytes at a time, every `everyMs`, until the socket closes. */
function trickle(socket: net.Socket, text: string, everyMs: number, stopped: () => boolean) {
  let at = 0;
  const step = () => {
    if (stopped() || socket.destroyed) return;
    socket.write(text.slice(at, at + 3));
    at = (at + 3) % text.length;
    setTimeout(step, everyMs);
  };
  step();
}

export async function runHttpFuzz(options: HttpFuzzOptions): Promise<HttpFuzzReport> {
  const started = Date.now();
  const { host, port, limits } = options;
  const log = options.log ?? (() => {});
  const r = prng(options.seed);
  const concurrency = options.concurrency ?? 16;
  // Node checks its timeouts on an interval (listenOn sets it to at most 1 s): allow for it.
  const graceMs = options.graceMs ?? 2_000;
  const answerLimitMs = limits.requestTimeoutMs + graceMs;
  const statuses: Record<string, number> = {};
  const serverErrors: HttpFuzzReport["serverErrors"] = [];
  const hangs: HttpFuzzReport["hangs"] = [];
  const unanswered: string[] = [];
  let reproducedQuirks = 0;
  const health = { checks: 0, failures: 0 };
  let sent = 0;
  let slowestAnswerMs = 0;

  // Slow clients run alongside the whole requests, as they would on a real network.
  const slowRun = (async () => {
    const tick = Math.max(50, Math.floor(limits.headersTimeoutMs / 10));
    const runs = [
      slowClients(options, "slowloris headers", limits.headersTimeoutMs, (s, stopped) =>
        trickle(
          s,
          "GET /api/v2/status/heartbeat HTTP/1.1\r\nHost: fuzz.test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa",
          tick,
          stopped,
        ),
      ),
      slowClients(options, "slow body", limits.requestTimeoutMs, (s, stopped) => {
        s.write(
          "POST /api/v2/generate/async HTTP/1.1\r\nHost: fuzz.test\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
        );
        trickle(s, '{"prompt": "slow"', tick, stopped);
      }),
      slowClients(options, "truncated body", limits.requestTimeoutMs, (s) => {
        s.write(
          'POST /api/v2/generate/async HTTP/1.1\r\nHost: fuzz.test\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"prompt": ',
        );
      }),
      slowClients(options, "truncated chunks", limits.requestTimeoutMs, (s) => {
        s.write(
          'POST /api/v2/generate/async HTTP/1.1\r\nHost: fuzz.test\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"prompt"',
        );
      }),
      slowClients(options, "silent connection", limits.headersTimeoutMs, () => {}),
      slowClients(
        options,
        "idle keep-alive",
        limits.keepAliveTimeoutMs,
        (s) => {
          s.write("GET /api/v2/status/heartbeat HTTP/1.1\r\nHost: fuzz.test\r\n\r\n");
        },
        true,
      ),
    ];
    return Object.fromEntries(await Promise.all(runs)) as HttpFuzzReport["slow"];
  })();

  while (sent < options.requests) {
    const batch = Array.from({ length: Math.min(concurrency, options.requests - sent) }, () =>
      fuzzRequest(r),
    );
    sent += batch.length;
    const endings = await Promise.all(
      batch.map(({ bytes }) => exchange(host, port, answerLimitMs, (s) => s.end(bytes))),
    );
    for (const [k, ending] of endings.entries()) {
      const { what, quirk500 } = batch[k] as { what: string; quirk500?: boolean };
      statuses[ending.outcome] = (statuses[ending.outcome] ?? 0) + 1;
      slowestAnswerMs = Math.max(slowestAnswerMs, ending.ms);
      const status = Number(ending.outcome);
      if (status === 500 && quirk500) reproducedQuirks++;
      else if (status >= 500 && status !== 501) serverErrors.push({ status, request: what });
      if (ending.outcome === "hang") hangs.push({ request: what, waitedMs: ending.ms });
      if ((ending.outcome === "closed" || ending.outcome === "reset") && unanswered.length < 20)
        unanswered.push(`${ending.outcome}: ${what}`);
    }
    health.checks++;
    if (!(await healthy(host, port))) health.failures++;
    if (sent % Math.max(concurrency, Math.floor(options.requests / 10)) < concurrency) {
      log(`  ${sent}/${options.requests} sent, ${serverErrors.length} 5xx, ${hangs.length} hangs`);
    }
  }
  const slow = await slowRun;
  health.checks++;
  if (!(await healthy(host, port))) health.failures++;
  return {
    seed: options.seed,
    sent,
    statuses: Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b))),
    serverErrors,
    reproducedQuirks,
    unanswered,
    hangs,
    slow,
    health,
    slowestAnswerMs,
    graceMs,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** What broke, in words; empty when every property held. */
export function httpFuzzProblems(report: HttpFuzzReport): string[] {
  const problems: string[] = [];
  for (const e of report.serverErrors.slice(0, 10)) problems.push(`${e.status} for ${e.request}`);
  for (const h of report.hangs.slice(0, 10)) problems.push(`no answer in ${h.waitedMs} ms for ${h.request}`);
  if (report.health.failures > 0) problems.push(`${report.health.failures} failed health checks`);
  for (const [kind, s] of Object.entries(report.slow)) {
    if (s.outcomes.hang) problems.push(`${s.outcomes.hang} ${kind} client(s) held on past ${s.limitMs} ms`);
    if (s.longestMs > s.limitMs + report.graceMs)
      problems.push(`a ${kind} client was cut off after ${s.longestMs} ms (limit ${s.limitMs} ms)`);
  }
  return problems;
}
