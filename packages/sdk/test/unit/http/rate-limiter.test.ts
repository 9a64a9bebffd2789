// Client-side throttling from the contract's x-rate-limit, on a virtual clock.

import { VirtualClock } from "horde-emulator";
import {
  AIHordeAPIClient,
  type AIHordeClientOptions,
  ImageGenerateAsyncRequest,
  ImageGenerateCheckRequest,
  silentLogger,
} from "horde-sdk";
import { json, progressDoc } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";
import { parseRateLimit, RateLimiter } from "../../../src/http/rate-limiter.js";

function recorder(clock: VirtualClock, answer: (url: string) => Response) {
  const sent: { url: string; at: number }[] = [];
  const fetch = async (input: string | URL | Request) => {
    sent.push({ url: String(input), at: clock.now() });
    return answer(String(input));
  };
  return { sent, fetch };
}

/** The most requests seen in any interval of `windowMs` (what a fixed-window server could count at worst). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < times.length; i++) {
    const start = times[i] as number;
    best = Math.max(best, times.filter((t) => t >= start && t < start + windowMs).length);
  }
  return best;
}

/** A client of `https://h.test/api` on the virtual clock, sending through `fetch`. */
function clientOn(
  clock: VirtualClock,
  fetch: (input: string | URL | Request) => Promise<Response>,
  options: Partial<AIHordeClientOptions> = {},
): AIHordeAPIClient {
  return new AIHordeAPIClient({
    baseUrl: "https://h.test/api",
    fetch,
    clock,
    logger: silentLogger,
    ...options,
  });
}

const accepted = () => json(202, { id: crypto.randomUUID(), kudos: 10 });
const checkBody = () => json(200, progressDoc({ wait_time: 1 }));

describe("rate limits", () => {
  it("parses the contract's limit strings", () => {
    expect(parseRateLimit("2/second")).toEqual({ count: 2, multiple: 1, unit: "second", windowMs: 1000 });
    expect(parseRateLimit("90 per minute")).toMatchObject({ count: 90, windowMs: 60_000 });
    expect(parseRateLimit("90/hour")).toMatchObject({ count: 90, windowMs: 3_600_000 });
    expect(parseRateLimit(" 10 per 2 minutes ")).toEqual({
      count: 10,
      multiple: 2,
      unit: "minute",
      windowMs: 120_000,
    });
    expect(() => parseRateLimit("lots")).toThrow(/unreadable/);
  });

  it("maps concrete paths to their operation, literal routes before templated ones", () => {
    const limiter = new RateLimiter(new VirtualClock());
    expect(limiter.route("POST", "/v2/generate/async")?.operationId).toBe("post_image_async_generate");
    expect(limiter.route("GET", "/v2/generate/check/abc")?.operationId).toBe("get_image_async_check");
    expect(limiter.route("GET", "/v2/workers/messages")?.pattern.source).not.toContain("[^/]+");
    expect(limiter.route("GET", "/v2/status/heartbeat")?.rules).toEqual([]);
  });

  it("a burst of 40 submits from one client never exceeds 2 per second", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const { sent, fetch } = recorder(clock, accepted);
    const client = clientOn(clock, fetch);
    const started = clock.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.submitRequest(new ImageGenerateAsyncRequest({ prompt: `p${i}` })),
      ),
    );
    expect(sent).toHaveLength(40);
    const times = sent.map((s) => s.at);
    expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(2);
    // …and not much slower than the limit allows: 40 at 2/s is ~19.5 s of windows.
    expect(clock.now() - started).toBeLessThan(22_000);
  });

  it("throttles /check per job id (10/s), independently for each id", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const { sent, fetch } = recorder(clock, checkBody);
    const client = clientOn(clock, fetch);
    await Promise.all(
      ["a", "b"].flatMap((id) =>
        Array.from({ length: 25 }, () => client.submitRequest(new ImageGenerateCheckRequest({ id }))),
      ),
    );
    for (const id of ["a", "b"]) {
      const times = sent.filter((s) => s.url.endsWith(`/check/${id}`)).map((s) => s.at);
      expect(times).toHaveLength(25);
      expect(maxInAnyWindow(times, 1000)).toBeLessThanOrEqual(10);
    }
    // the two ids do not share a bucket: the first 10 of each go out at once
    expect(sent.filter((s) => s.at === sent[0]?.at)).toHaveLength(20);
  });

  it("a 429 that comes anyway holds the bucket for Retry-After", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    let first = true;
    const { sent, fetch } = recorder(clock, () => {
      if (first) {
        first = false;
        return new Response(JSON.stringify({ message: "10 per 1 second" }), {
          status: 429,
          headers: { "retry-after": "5" },
        });
      }
      return checkBody();
    });
    const client = clientOn(clock, fetch);
    await client.submitRequest(new ImageGenerateCheckRequest({ id: "x" }));
    await client.submitRequest(new ImageGenerateCheckRequest({ id: "x" }));
    expect(sent).toHaveLength(3);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(5000);
  });

  it("a server that handles requests late opens its windows late: the buckets anchor on the answers", async () => {
    // flask-limiter's fixed window opens when the server *handles* the first hit and lasts a second from
    // there. This server is slow to pick up the first request (700 ms), then quick: a client that counted
    // windows from its send times would send the third request inside the server's first window.
    const clock = new VirtualClock({ autoAdvance: true });
    let windowStart = Number.NEGATIVE_INFINITY;
    let hits = 0;
    let handled = 0;
    const statuses: number[] = [];
    const fetch = async () => {
      await clock.sleep(handled === 0 ? 700 : 10);
      handled += 1;
      const now = clock.now();
      if (now >= windowStart + 1000) {
        windowStart = now;
        hits = 0;
      }
      hits += 1;
      const status = hits > 2 ? 429 : 202;
      statuses.push(status);
      return status === 429 ? json(429, { message: "2 per 1 second" }) : accepted();
    };
    const client = clientOn(clock, fetch, { retry: false });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.submitRequest(new ImageGenerateAsyncRequest({ prompt: `p${i}` })),
      ),
    );
    expect(statuses).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
  });

  it("follows the server's count: X-RateLimit-Remaining 0 holds the bucket until X-RateLimit-Reset", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const sent: number[] = [];
    // The server counts hits the client does not know of (another process on the same address).
    const fetch = async () => {
      sent.push(clock.now());
      const reset = Math.floor(clock.now() / 1000) + 30;
      return new Response(JSON.stringify({ id: crypto.randomUUID(), kudos: 1 }), {
        status: 202,
        headers: {
          "Content-Type": "application/json",
          "X-RateLimit-Limit": "90",
          "X-RateLimit-Remaining": sent.length === 1 ? "0" : "50",
          "X-RateLimit-Reset": String(reset),
        },
      });
    };
    const client = clientOn(clock, fetch);
    await client.submitRequest(new ImageGenerateAsyncRequest({ prompt: "one" }));
    await client.submitRequest(new ImageGenerateAsyncRequest({ prompt: "two" }));
    expect(sent).toHaveLength(2);
    // The 90-per-minute window is held until the server's reset (30 s away, to the whole second).
    expect((sent[1] as number) - (sent[0] as number)).toBeGreaterThanOrEqual(29_000);
    expect((sent[1] as number) - (sent[0] as number)).toBeLessThanOrEqual(31_100);
  });

  it("can be switched off", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const { sent, fetch } = recorder(clock, accepted);
    const client = clientOn(clock, fetch, { rateLimit: { enabled: false } });
    await Promise.all(
      Array.from({ length: 5 }, () => client.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }))),
    );
    expect(new Set(sent.map((s) => s.at)).size).toBe(1);
  });
});

describe("against the emulator with its rate limits on", () => {
  it("a burst of 40 submits from one client meets zero 429s (the account may queue 100)", async () => {
    const { createEmulator } = await import("horde-emulator");
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({
      clock,
      devWorkers: 0,
      rateLimits: true,
      users: [{ username: "burst", kudos: 100_000, concurrency: 100 }],
    });
    try {
      const apikey = emu.describe().users.find((u) => u.username.startsWith("burst"))?.apikey as string;
      const statuses: number[] = [];
      const client = new AIHordeAPIClient({
        baseUrl: "http://horde.test/api",
        apiKey: apikey,
        clock,
        logger: silentLogger,
        fetch: async (input, init) => {
          const response = await emu.fetch(input, init);
          statuses.push(response.status);
          return response;
        },
      });
      const jobs = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          client.submitImage({ prompt: `burst ${i}`, params: { width: 64, height: 64, steps: 5 } }),
        ),
      );
      expect(jobs).toHaveLength(40);
      expect(statuses.filter((s) => s === 202)).toHaveLength(40);
      expect(statuses.filter((s) => s === 429)).toEqual([]);
      await Promise.all(jobs.map((j) => j.cancel()));
    } finally {
      await emu.close();
    }
  });
});
