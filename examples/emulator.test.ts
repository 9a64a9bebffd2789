// Testing your own app against the emulator: the same API as aihorde.net, in memory, no sockets, no kudos.
// Copy this file next to your code and replace `makeThumbnails` with what your app does.
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient, HordeJobError, silentLogger } from "horde-sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

// --- the code under test (normally imported from your app) ---------------------------------------------------
async function makeThumbnails(client: AIHordeAPIClient, prompt: string): Promise<Uint8Array[]> {
  const { images } = await client.generateImage(
    { prompt, params: { width: 256, height: 256, n: 2 } },
    { failWhenImpossible: true, timeoutMs: 60_000 },
  );
  return images.flatMap((i) => (i.bytes ? [i.bytes] : []));
}

// --- the tests --------------------------------------------------------------------------------------------------
const API_KEY = "my-app-test-key-0123456789";
let emulator: Emulator;
let client: AIHordeAPIClient;

beforeAll(() => {
  emulator = createEmulator({
    devWorkers: [{ type: "image", generationMs: 20, popIntervalMs: 20, amount: 4 }], // fast dev worker
    users: [{ username: "tester", kudos: 500, apikey: API_KEY }],
    logger: {},
  });
  client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api", // any origin works with emulator.fetch
    apiKey: API_KEY,
    clientAgent: "my-app-tests:1.0:tests@example.com",
    fetch: emulator.fetch,
    retry: { maxRetries: 2, initialDelayMs: 10 },
    logger: silentLogger, // the SDK logs retries as warnings; keep the test output clean
  });
});

beforeEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

describe("makeThumbnails (against the emulator)", () => {
  it("returns one WebP per image", async () => {
    const thumbs = await makeThumbnails(client, "a lighthouse");
    expect(thumbs).toHaveLength(2);
    expect(new TextDecoder().decode(thumbs[0]?.slice(8, 12))).toBe("WEBP");
  });

  it("survives a flaky network: polls that fail are retried", async () => {
    emulator.faults.set({
      rules: [{ kind: "error", status: 503, route: "/v2/generate/check/{id}", count: 1 }],
    });
    expect(await makeThumbnails(client, "a stormy sea")).toHaveLength(2);
    expect(emulator.faults.counts().rules[0]?.fired).toBe(1);
  });

  it("fails fast, and cancels, when no worker serves the model", async () => {
    await expect(
      client.generateImage({ prompt: "x", models: ["a model nobody runs"] }, { failWhenImpossible: true }),
    ).rejects.toBeInstanceOf(HordeJobError);
  });

  it("never leaves a job running on the horde", () => {
    expect(emulator.admin.stats().orphaned).toEqual([]);
  });

  it("spends the test user's kudos, not yours", () => {
    expect(emulator.admin.getUser(API_KEY)?.kudos).toBeLessThan(500);
  });
});
