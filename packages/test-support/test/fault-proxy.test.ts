/**
 * The fault proxy against a tiny local HTTP server: each kind of fault does to the client and to the server
 * what it says (the server's own count tells whether a request reached it), the counts add up, and the
 * plan is the same on the same seed whatever the interleaving of clients.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FaultProxy,
  gatewayPage,
  type ProxyFaultPlan,
  routeOf,
  startFaultProxy,
} from "horde-test-support/oracle";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let serverUrl: string;
let seen: Seen[];
const proxies: FaultProxy[] = [];

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const body = JSON.stringify({ id: `job-${seen.length}`, echo: Buffer.concat(chunks).toString() });
      res.writeHead(req.method === "POST" ? 202 : 200, {
        "Content-Type": "application/json",
        "X-RateLimit-Remaining": "1",
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function proxyWith(plan: ProxyFaultPlan) {
  const proxy = await startFaultProxy({ target: serverUrl, plan });
  proxies.push(proxy);
  return proxy;
}

/** Every request of a rule's kind (probability 1 on the route). */
const always = (kind: ProxyFaultPlan["rules"][number]["kind"], extra = {}): ProxyFaultPlan => ({
  seed: 1,
  rules: [{ kind, probability: 1, route: "/api/v2/", ...extra }],
});

const post = (url: string, body = '{"prompt":"a fox"}', ip = "10.0.0.1") =>
  fetch(`${url}/api/v2/generate/async`, {
    method: "POST",
    headers: { "Content-Type": "application/json", apikey: "k-123", "X-Forwarded-For": ip },
    body,
  });

/** The code at the bottom of a failed fetch's cause chain (undici wraps the socket's error). */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  let cause = error as { code?: string; message?: string; cause?: unknown };
  while (cause.cause) cause = cause.cause as typeof cause;
  return cause.code ?? cause.message ?? "";
}

describe("fault proxy", () => {
  it("without faults forwards method, path, query, headers and body, and the server's answer whole", async () => {
    const proxy = await proxyWith({ seed: 1, rules: [] });
    const res = await post(proxy.url, '{"prompt":"ünïcode"}');
    expect(res.status).toBe(202);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(await res.json()).toEqual({ id: "job-1", echo: '{"prompt":"ünïcode"}' });
    const get = await fetch(`${proxy.url}/api/v2/generate/check/abc?x=1`);
    expect(get.status).toBe(200);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST /api/v2/generate/async",
      "GET /api/v2/generate/check/abc?x=1",
    ]);
    expect(seen[0]?.headers).toMatchObject({ apikey: "k-123", "x-forwarded-for": "10.0.0.1" });
    expect(seen[0]?.headers.host).toBe(new URL(serverUrl).host);
    expect(proxy.counts()).toMatchObject({ requests: 2, forwarded: 2, total: 0 });
  });

  it("reset-before: the client's connection is reset and the server never sees the request", async () => {
    const proxy = await proxyWith(always("reset-before"));
    expect(await failure(post(proxy.url))).toMatch(/ECONNRESET|other side closed|socket/i);
    expect(seen).toHaveLength(0);
    expect(proxy.counts()).toMatchObject({ requests: 1, forwarded: 0, total: 1 });
    expect(proxy.counts().byKind["reset-before"]).toBe(1);
  });

  it("gateway-before: a gateway's HTML 5xx page, and the server never sees the request", async () => {
    const proxy = await proxyWith(always("gateway-before"));
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await post(proxy.url);
      statuses.add(res.status);
      expect(res.headers.get("content-type")).toBe("text/html");
      expect(await res.text()).toBe(gatewayPage(res.status));
    }
    // The status is drawn from the three a gateway sends.
    expect([...statuses].sort()).toEqual([502, 503, 504]);
    expect(seen).toHaveLength(0);
    expect(proxy.counts().byKind["gateway-before"]).toBe(12);
    const fixed = await proxyWith(always("gateway-before", { status: 503 }));
    expect((await post(fixed.url)).status).toBe(503);
  });

  it("lost-response: the server handles the request, then the client's connection is reset", async () => {
    const proxy = await proxyWith(always("lost-response"));
    expect(await failure(post(proxy.url))).toMatch(/ECONNRESET|other side closed|socket/i);
    expect(seen).toHaveLength(1);
    expect(proxy.log[0]).toMatchObject({ fault: "lost-response", serverStatus: 202, clientStatus: null });
    expect(proxy.counts()).toMatchObject({ requests: 1, forwarded: 1, total: 1 });
  });

  it("gateway-after: the server handles the request, the client gets a gateway page instead of its answer", async () => {
    const proxy = await proxyWith(always("gateway-after", { status: 504 }));
    const res = await post(proxy.url);
    expect(res.status).toBe(504);
    expect(await res.text()).toContain("504 Gateway Time-out");
    expect(seen).toHaveLength(1);
    expect(proxy.log[0]).toMatchObject({ fault: "gateway-after", serverStatus: 202, clientStatus: 504 });
  });

  it("truncated: the head promises the whole body, half of it arrives, then the connection is reset", async () => {
    const proxy = await proxyWith(always("truncated"));
    const res = await post(proxy.url);
    expect(res.status).toBe(202);
    expect(await failure(res.text())).toMatch(/ECONNRESET|terminated|other side closed|socket/i);
    expect(seen).toHaveLength(1);
    expect(proxy.counts().byKind.truncated).toBe(1);
  });

  it("delay: the request is forwarded after the pause drawn from the rule's range", async () => {
    const proxy = await proxyWith(always("delay", { delayMs: [300, 400] }));
    const started = Date.now();
    const res = await post(proxy.url);
    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(proxy.counts()).toMatchObject({ forwarded: 1, total: 1, byKind: { delay: 1 } });
  });

  it("rules match on method and route; the first rule that fires decides; counts are kept per route", async () => {
    const proxy = await proxyWith({
      seed: 7,
      rules: [
        { kind: "gateway-before", probability: 1, method: "GET", route: /\/check\// },
        { kind: "lost-response", probability: 1, method: "POST", route: "/generate/async" },
        { kind: "reset-before", probability: 1 },
      ],
    });
    expect(
      (await fetch(`${proxy.url}/api/v2/generate/check/0f7c2d3e-1111-4222-8333-944445555666`)).status,
    ).toBeGreaterThanOrEqual(502);
    await failure(post(proxy.url));
    await failure(fetch(`${proxy.url}/api/v2/status/heartbeat`));
    const counts = proxy.counts();
    expect(counts.byKind).toMatchObject({ "gateway-before": 1, "lost-response": 1, "reset-before": 1 });
    expect(counts.byRoute).toEqual({
      "GET /api/v2/generate/check/:id": { requests: 1, "gateway-before": 1 },
      "POST /api/v2/generate/async": { requests: 1, "lost-response": 1 },
      "GET /api/v2/status/heartbeat": { requests: 1, "reset-before": 1 },
    });
    expect(seen.map((s) => s.url)).toEqual(["/api/v2/generate/async"]);
  });

  it("the same seed gives the same faults to each client, whatever the interleaving; another seed differs", async () => {
    const plan = (seed: number): ProxyFaultPlan => ({
      seed,
      rules: [
        { kind: "gateway-before", probability: 0.3, method: "POST" },
        { kind: "delay", probability: 0.2, delayMs: [0, 5] },
      ],
    });
    const run = async (seed: number, order: string[]) => {
      const proxy = await proxyWith(plan(seed));
      const perClient: Record<string, (string | null)[]> = {};
      for (const ip of order) {
        const res = await post(proxy.url, "{}", ip);
        await res.arrayBuffer();
      }
      for (const entry of proxy.log)
        perClient[entry.client] = [...(perClient[entry.client] ?? []), entry.fault];
      return perClient;
    };
    const a = ["10.0.0.1", "10.0.0.2"];
    const inOrder = await run(42, [...Array(20).fill(a[0]), ...Array(20).fill(a[1])]);
    const interleaved = await run(
      42,
      Array.from({ length: 40 }, (_, i) => a[i % 2] as string),
    );
    expect(interleaved).toEqual(inOrder);
    expect(Object.values(inOrder).flat().filter(Boolean).length).toBeGreaterThan(5);
    expect(
      await run(
        43,
        Array.from({ length: 40 }, (_, i) => a[i % 2] as string),
      ),
    ).not.toEqual(inOrder);
  });

  it("routeOf replaces ids and drops the query", () => {
    expect(routeOf("/api/v2/generate/status/0f7c2d3e-1111-4222-8333-944445555666?x=1")).toBe(
      "/api/v2/generate/status/:id",
    );
    expect(routeOf("/api/v2/workers/123")).toBe("/api/v2/workers/:id");
  });

  it("onRequest sees every request with its headers, faulted or not; close() drops open connections", async () => {
    const keys: string[] = [];
    const proxy = await startFaultProxy({
      target: serverUrl,
      plan: always("reset-before"),
      onRequest: (r) => keys.push(String(r.headers.apikey)),
    });
    await failure(post(proxy.url));
    expect(keys).toEqual(["k-123"]);
    await proxy.close();
    expect(await failure(post(proxy.url))).toMatch(/ECONNREFUSED/);
  });
});
