// The client's opt-in read cache against the in-process emulator: requests counted at the fetch, time moved
// on a virtual clock.
import { createEmulator, VirtualClock } from "horde-emulator";
import { AIHordeAPIClient, type AIHordeClientOptions, DEFAULT_READ_TTL_MS, silentLogger } from "horde-sdk";
import { afterEach, describe, expect, it } from "vitest";

const BASE = "http://horde.test/api";
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function setup(readCache: AIHordeClientOptions["readCache"]) {
  const clock = new VirtualClock();
  const emu = createEmulator({ clock, rateLimits: false });
  stops.push(() => emu.close());
  const sent: string[] = [];
  const client = new AIHordeAPIClient({
    baseUrl: BASE,
    clientAgent: "read-cache-test:1:local",
    logger: silentLogger,
    clock,
    rateLimit: { enabled: false },
    readCache,
    fetch: (input, init) => {
      sent.push(`${init?.method ?? "GET"} ${new URL(String(input)).pathname}`);
      return emu.fetch(input, init);
    },
  });
  const count = (path: string) => sent.filter((s) => s === `GET /api${path}`).length;
  return { clock, client, count };
}

describe("read cache", () => {
  it("N calls within the TTL send one request; after the TTL, one more", async () => {
    const { clock, client, count } = setup(true);
    for (let i = 0; i < 5; i++) await client.getModels({});
    expect(count("/v2/status/models")).toBe(1);
    await clock.advance((DEFAULT_READ_TTL_MS["/v2/status/models"] as number) + 1);
    await client.getModels({});
    expect(count("/v2/status/models")).toBe(2);
  });

  it("two identical concurrent calls send one request, and both get the same answer", async () => {
    const { client, count } = setup(true);
    const [a, b] = await Promise.all([client.getWorkers({}), client.getWorkers({})]);
    expect(count("/v2/workers")).toBe(1);
    expect(a).toBe(b);
  });

  it("different queries are different entries; { cache: false } always asks the server", async () => {
    const { client, count } = setup(true);
    await client.getWorkers({});
    await client.getWorkers({ type: "text" });
    expect(count("/v2/workers")).toBe(2);
    await client.getWorkers({}, { cache: false });
    expect(count("/v2/workers")).toBe(3);
  });

  it("is off by default, and a TTL of 0 keeps only the in-flight sharing", async () => {
    const off = setup(undefined);
    await off.client.getModels({});
    await off.client.getModels({});
    expect(off.count("/v2/status/models")).toBe(2);

    const zero = setup({ ttlMs: { "/v2/status/models": 0 } });
    await Promise.all([zero.client.getModels({}), zero.client.getModels({})]);
    await zero.client.getModels({});
    expect(zero.count("/v2/status/models")).toBe(2);
  });

  it("one caller's abort does not fail the others sharing the request", async () => {
    const { client, count } = setup(true);
    const controller = new AbortController();
    const first = client.getModels({}, { signal: controller.signal });
    const second = client.getModels({});
    controller.abort();
    await expect(first).rejects.toMatchObject({ name: "HordeAbortError" });
    await expect(second).resolves.toBeDefined();
    expect(count("/v2/status/models")).toBe(1);
  });

  it("a failed answer is not cached", async () => {
    const { client, count } = setup(true);
    await expect(client.getWorker("00000000-0000-4000-8000-000000000000")).rejects.toThrow();
    await expect(client.getWorker("00000000-0000-4000-8000-000000000000")).rejects.toThrow();
    expect(count("/v2/workers/00000000-0000-4000-8000-000000000000")).toBe(2);
  });
});
