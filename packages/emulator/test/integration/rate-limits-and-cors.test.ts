import { operations } from "horde-sdk";
import { setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const on = () => setup({ rateLimits: true });
const rl = (headers: Headers) => ({
  limit: headers.get("X-RateLimit-Limit"),
  remaining: headers.get("X-RateLimit-Remaining"),
  reset: headers.get("X-RateLimit-Reset"),
  retryAfter: headers.get("Retry-After"),
});

describe("rate limits (§3), in virtual time", () => {
  test("/generate/async: 2 per second per IP; the third is 429 with the limiter's body and headers", async () => {
    const h = on();
    const t0 = h.clock.now();
    const a = await h.generate();
    const b = await h.generate();
    const c = await h.generate();
    expect([a.status, b.status, c.status]).toEqual([202, 202, 429]);
    // No rc: this is flask-limiter's message, not an application error (§3.4).
    expect(c.body).toEqual({ message: "2 per 1 second" });
    expect(rl(c.headers)).toEqual({
      limit: "2",
      remaining: "0",
      reset: String(Math.floor((t0 + 1000) / 1000) + 1),
      retryAfter: "2",
    });
    // Every response of a limited route carries the headers, successes included.
    expect(rl(a.headers)).toMatchObject({ limit: "2", remaining: "1" });
    expect(c.headers.get("Access-Control-Allow-Origin")).toBe("*");

    // A fixed window that started at the first hit: 999 ms later still closed, at 1000 ms open again.
    await h.clock.advance(999);
    expect((await h.generate()).status).toBe(429);
    await h.clock.advance(1);
    expect((await h.generate()).status).toBe(202);
  });

  test("the per-minute window of /generate/async (90/min per IP) and its Retry-After", async () => {
    const h = on();
    let accepted = 0;
    for (let i = 0; i < 46; i++) {
      // The anonymous key: its concurrency (500) and per-key limit (60/s) stay out of the way.
      for (const _ of [0, 1])
        if ((await h.generate({ params: { width: 64, height: 64 } }, "0000000000")).status === 202)
          accepted++;
      await h.clock.advance(1000);
    }
    expect(accepted).toBe(90);
    const refused = await h.generate({}, "0000000000");
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ message: "90 per 1 minute" });
    // 46 s into the minute window: 14 s left, plus flask-limiter's +1.
    expect(refused.headers.get("Retry-After")).toBe("15");
    await h.clock.advance(14_000);
    expect((await h.generate({}, "0000000000")).status).toBe(202);
  });

  test("/generate/check/{id} counts per id (IP+method+path); status GET and DELETE count apart", async () => {
    const h = on();
    const one = (await h.generate()).body.id;
    await h.clock.advance(1000);
    const two = (await h.generate()).body.id;
    for (let i = 0; i < 10; i++) expect((await h.check(one)).status).toBe(200);
    expect((await h.check(one)).body).toEqual({ message: "10 per 1 second" });
    expect((await h.check(two)).status).toBe(200);

    for (let i = 0; i < 10; i++) expect((await h.status(two)).status).toBe(200);
    const eleventh = await h.status(two);
    expect([eleventh.status, eleventh.body.message]).toEqual([429, "10 per 1 minute"]);
    expect(Number(eleventh.headers.get("Retry-After"))).toBeGreaterThan(55);
    // The DELETE of the same path has its own counter (the key includes the method).
    expect((await h.cancel(two)).status).toBe(200);
  });

  test("the per-key limit: 2/s per API key, 60/s for the anonymous key; IPs from X-Forwarded-For", async () => {
    const h = on();
    const from = (ip: string, apikey = h.requester.apikey) =>
      h.call("POST", "/v2/generate/async", {
        apikey,
        headers: { "X-Forwarded-For": `203.0.113.9, ${ip}` },
        body: { prompt: "p", params: { width: 64, height: 64 } },
      });
    // Three IPs, one key: the key's 2/s limit refuses the third.
    expect((await from("10.0.0.1")).status).toBe(202);
    expect((await from("10.0.0.2")).status).toBe(202);
    const third = await from("10.0.0.3");
    expect([third.status, third.body.message]).toEqual([429, "2 per 1 second"]);
    // The anonymous key is shared, so its limit is 60/s: only the per-IP limits bite.
    const anon = [];
    for (let i = 0; i < 6; i++) {
      const r = await from(`10.0.1.${i}`, "0000000000");
      anon.push(r.status === 202 ? 202 : r.body);
    }
    expect(anon).toEqual([202, 202, 202, 202, 202, 202]);
  });

  test("worker routes: 60/s per IP; heartbeat exempt; the default 90/min on routes without a limit", async () => {
    const h = on();
    for (let i = 0; i < 60; i++) expect((await h.pop()).status).toBe(200);
    const popped = await h.pop();
    expect([popped.status, popped.body.message]).toEqual([429, "60 per 1 second"]);

    for (let i = 0; i < 100; i++) {
      const beat = await h.call("GET", "/v2/status/heartbeat");
      expect(beat.status).toBe(200);
      expect(beat.headers.get("X-RateLimit-Limit")).toBeNull();
    }
    for (let i = 0; i < 90; i++) expect((await h.call("GET", "/v2/workers")).status).toBe(200);
    const workers = await h.call("GET", "/v2/workers");
    expect([workers.status, workers.body.message]).toEqual([429, "90 per 1 minute"]);
    // …per route: another route without a declared limit has its own 90.
    expect((await h.call("GET", "/v2/status/performance")).status).toBe(200);
  });

  test("the limits are the SDK's generated ones, not a copy", () => {
    expect(operations.post_image_async_generate?.rateLimits?.map((r) => r.limit) ?? []).toEqual(
      expect.arrayContaining(["2/second"]),
    );
  });

  test("whitelisted IPs get the higher limits", async () => {
    const h = setup({ rateLimits: { whitelist: ["127.0.0.1"] } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await h.generate({}, "0000000000")).status);
    expect(statuses).toEqual([202, 202, 202]);
  });

  test("one switch turns them off, at creation or at run time", async () => {
    const h = on();
    h.emu.rateLimits.enabled = false;
    for (let i = 0; i < 5; i++) expect((await h.generate()).status).toBe(202);
    const off = setup();
    const res = await off.generate();
    expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
    h.emu.rateLimits.enabled = true;
    h.emu.rateLimits.reset();
    expect((await h.generate()).status).toBe(202);
  });
});

describe("CORS (§3.4)", () => {
  test("every response carries the CORS headers; OPTIONS preflights answer 200 and are not counted", async () => {
    const h = on();
    for (let i = 0; i < 5; i++) {
      const pre = await h.emu.fetch("http://horde.local/api/v2/generate/async", {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "apikey, content-type, client-agent",
        },
      });
      expect(pre.status).toBe(200);
      expect(pre.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(pre.headers.get("Access-Control-Allow-Methods")).toBe("POST, GET, OPTIONS, PUT, DELETE, PATCH");
      expect(pre.headers.get("Access-Control-Allow-Headers")).toContain("apikey, Client-Agent");
      expect(pre.headers.get("Allow")).toContain("POST");
    }
    expect((await h.generate()).status).toBe(202);
    const missing = await h.check("nope");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(missing.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
  });
});
