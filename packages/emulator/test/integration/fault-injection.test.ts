import { createEmulator, type FaultPlan, silentLogger, VirtualClock } from "horde-emulator";
import { setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

describe("fault injection", () => {
  test("5xx: the server's JSON 500 (or the status asked for); the request is not processed", async () => {
    const h = setup();
    h.emu.faults.set({ rules: [{ kind: "error", route: "/v2/generate/async", count: 1 }] });
    const failed = await h.generate();
    expect([failed.status, failed.body]).toEqual([500, { message: "Internal Server Error" }]);
    expect(failed.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(h.emu.admin.stats().requests.total).toBe(0);
    // count: 1 — the next one goes through.
    expect((await h.generate()).status).toBe(202);
    h.emu.faults.set({ rules: [{ kind: "error", status: 503 }] });
    expect((await h.check("x")).status).toBe(503);
  });

  test("connection reset: the in-process fetch rejects like undici's 'fetch failed'", async () => {
    const h = setup();
    h.emu.faults.set({ rules: [{ kind: "reset", route: "/v2/generate/check/{id}" }] });
    const id = (await h.generate()).body.id;
    const error = await h.check(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as { code: string }).code).toBe("UND_ERR_SOCKET");
    expect((await h.status(id)).status).toBe(200);
  });

  test("lost response: the submit IS accepted (a job exists), the client sees a reset", async () => {
    const h = setup();
    h.emu.faults.set({
      rules: [{ kind: "lost-response", route: "/v2/generate/async", method: "POST", count: 1 }],
    });
    await expect(h.generate()).rejects.toThrow("fetch failed");
    const stats = h.emu.admin.stats();
    expect(stats.requests).toMatchObject({ total: 1, active: 1 });
    expect(stats.unfinished).toBe(1);
    expect(h.emu.faults.counts().byKind["lost-response"]).toBe(1);
  });

  test("latency sleeps on the emulator clock, outside the hold", async () => {
    const h = setup();
    h.emu.faults.set({ rules: [{ kind: "latency", latencyMs: 5000, route: "/v2/status/heartbeat" }] });
    let settled = false;
    const pending = h.call("GET", "/v2/status/heartbeat").then((r) => {
      settled = true;
      return r;
    });
    await h.clock.advance(4999);
    expect(settled).toBe(false);
    await h.clock.advance(1);
    expect((await pending).status).toBe(200);

    // With an auto-advancing clock nobody waits for real.
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({
      clock,
      logger: silentLogger,
      faults: { rules: [{ kind: "latency", latencyMs: 3_600_000 }] },
    });
    const started = Date.now();
    const t0 = clock.now();
    expect((await emu.fetch("/api/v2/status/heartbeat")).status).toBe(200);
    expect(clock.now() - t0).toBe(3_600_000);
    expect(Date.now() - started).toBeLessThan(1000);
    await emu.close();
  });

  test("dev workers are never faulted, so a global latency plan cannot stall an auto-advancing clock", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({
      clock,
      logger: silentLogger,
      devWorkers: [{ name: "steady" }],
      faults: { rules: [{ kind: "latency", latencyMs: 2000 }] },
    });
    try {
      const created = await emu.fetch("/api/v2/generate/async", {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "despite the latency" }),
      });
      const { id } = (await created.json()) as { id: string };
      let done = false;
      for (let i = 0; i < 20 && !done; i++) {
        done = ((await (await emu.fetch(`/api/v2/generate/check/${id}`)).json()) as { done: boolean }).done;
      }
      expect(done).toBe(true);
      // Only the client's requests were delayed.
      expect(emu.faults.counts().events.every((e) => !e.path.includes("/pop"))).toBe(true);
    } finally {
      await emu.close();
    }
  });

  test("malformed JSON, HTML error pages, 429 storms", async () => {
    const h = setup();
    h.emu.faults.set({ rules: [{ kind: "malformed", route: "/v2/generate/async", count: 1 }] });
    const res = await h.emu.fetch("http://horde.local/api/v2/generate/async", {
      method: "POST",
      headers: { apikey: h.requester.apikey, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "p" }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    await expect(res.json()).rejects.toThrow(SyntaxError);
    // The request was processed: the body was lost on the way.
    expect(h.emu.admin.stats().requests.total).toBe(1);

    h.emu.faults.set({ rules: [{ kind: "html", route: "/v2/generate/*" }] });
    const page = await h.check("x");
    expect(page.status).toBe(502);
    expect(page.headers.get("Content-Type")).toBe("text/html");
    expect(page.body).toContain("<center>nginx</center>");
    // A proxy's page has no CORS headers: a browser sees a network error.
    expect(page.headers.get("Access-Control-Allow-Origin")).toBeNull();

    h.emu.faults.set({ rules: [{ kind: "rate-limit", retryAfterS: 7 }] });
    const storm = await h.call("GET", "/v2/status/heartbeat");
    expect([storm.status, storm.body, storm.headers.get("Retry-After")]).toEqual([
      429,
      { message: "2 per 1 second" },
      "7",
    ]);
  });

  test("maintenance mode: the async routes answer 400 MaintenanceMode, the rest works (§8.3)", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    h.emu.faults.set({ rules: [{ kind: "maintenance" }] });
    for (const res of [await h.generate(), await h.textGenerate(), await h.interrogate()]) {
      expect([res.status, res.body.rc]).toEqual([400, "MaintenanceMode"]);
    }
    expect((await h.check(id)).status).toBe(200);
    h.emu.faults.clear();
    // The horde-wide mode does the same, and shows in /status/modes.
    h.emu.admin.setModes({ maintenance: true });
    expect((await h.generate()).body.rc).toBe("MaintenanceMode");
    // raid_mode only shows to a moderator (docs/server/directory.md#modes).
    expect((await h.call("GET", "/v2/status/modes")).body).toEqual({
      maintenance_mode: true,
      invite_only_mode: false,
    });
  });

  test("probabilities come from a seeded PRNG: the same seed breaks the same requests", async () => {
    const run = async (seed: number) => {
      const h = setup();
      h.emu.faults.set({ seed, rules: [{ kind: "error", probability: 0.3, route: "/v2/status/heartbeat" }] });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await h.call("GET", "/v2/status/heartbeat")).status);
      return { statuses, counts: h.emu.faults.counts() };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.statuses).toEqual(b.statuses);
    expect(a.statuses).not.toEqual(c.statuses);
    const failures = a.statuses.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
    expect(a.counts.total).toBe(failures);
    expect(a.counts.byRoute["GET /v2/status/heartbeat"]).toEqual({ error: failures });
    expect(a.counts.rules).toEqual([{ matched: 40, fired: failures }]);
  });

  test("skip and count: exactly the 3rd pop fails", async () => {
    const h = setup();
    h.emu.faults.set({ rules: [{ kind: "error", route: "/v2/generate/pop", skip: 2, count: 1 }] });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.pop()).status);
    expect(statuses).toEqual([200, 200, 500, 200, 200]);
    expect(h.emu.faults.counts().events).toMatchObject([
      { method: "POST", path: "/v2/generate/pop", route: "/v2/generate/pop", kind: "error", rule: 0 },
    ]);
  });

  test("over HTTP under /_emulator/faults, with plan validation", async () => {
    const h = setup();
    const plan: FaultPlan = { seed: 3, rules: [{ kind: "error", route: "/v2/status/heartbeat" }] };
    const put = await h.call("PUT", "/_emulator/faults", { body: plan });
    expect(put.body).toEqual({ plan });
    expect((await h.call("GET", "/v2/status/heartbeat")).status).toBe(500);
    const got = await h.call("GET", "/_emulator/faults");
    expect(got.body.plan).toEqual(plan);
    expect(got.body.counts.total).toBe(1);
    expect(
      (await h.call("PUT", "/_emulator/faults", { body: { rules: [{ kind: "explode" }] } })).status,
    ).toBe(400);
    expect(
      (await h.call("PUT", "/_emulator/faults", { body: { rules: [{ kind: "error", probability: 2 }] } }))
        .status,
    ).toBe(400);
    expect(() => h.emu.faults.set({ rules: [{ kind: "latency" }] })).toThrow(TypeError);
    await h.call("DELETE", "/_emulator/faults");
    expect((await h.call("GET", "/v2/status/heartbeat")).status).toBe(200);
    await h.call("DELETE", "/_emulator/faults/counts");
    expect((await h.call("GET", "/_emulator/faults/counts")).body.total).toBe(0);
  });

  test("faults can hit the local R2 bucket, never the admin API", async () => {
    const h = setup();
    await h.generate();
    const job = (await h.pop()).body;
    h.emu.faults.set({
      rules: [
        { kind: "error", route: "/_r2/*", count: 1 },
        { kind: "error", route: "/_emulator/*" },
      ],
    });
    expect((await h.put(job.r2_upload, new Uint8Array([1]))).status).toBe(500);
    expect((await h.put(job.r2_upload, new Uint8Array([1]))).status).toBe(200);
    expect((await h.call("GET", "/_emulator/stats")).status).toBe(200);
  });

  test("over a socket, a reset destroys the connection", async () => {
    const emu = createEmulator({ logger: silentLogger, rateLimits: false });
    const { url } = await emu.listen();
    try {
      emu.faults.set({ rules: [{ kind: "reset", route: "/v2/status/heartbeat", count: 1 }] });
      const error = await fetch(`${url}/v2/status/heartbeat`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((await fetch(`${url}/v2/status/heartbeat`)).status).toBe(200);
      emu.faults.set({ rules: [{ kind: "lost-response", route: "/v2/generate/async", count: 1 }] });
      const lost = await fetch(`${url}/v2/generate/async`, {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "over the wire" }),
      }).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(TypeError);
      expect(emu.admin.stats().requests.total).toBe(1);
    } finally {
      await emu.close();
    }
  });
});
