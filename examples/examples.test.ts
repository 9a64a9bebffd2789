// Every example, run against an in-process emulator, so the examples in this folder never rot.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";
import { fakeOpenai } from "horde-test-support/sdk";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_AGENT, LOCAL_API_KEY } from "./_run.js";
import { main as alchemy } from "./alchemy.js";
import { main as image } from "./image.js";
import { main as sessionCleanup } from "./session-cleanup.js";
import { main as text } from "./text.js";
import { main as workerBackend } from "./worker-backend.js";
import { main as workerBridge } from "./worker-bridge.js";

const FAST = { generationMs: 30, popIntervalMs: 30 };
let emulator: Emulator;
let client: AIHordeAPIClient;
let dir: string;
const log = () => {};

beforeAll(async () => {
  emulator = createEmulator({
    devWorkers: [
      { type: "image", ...FAST, amount: 4 },
      { type: "text", ...FAST },
      { type: "alchemy", ...FAST },
    ],
    users: [{ username: "example", kudos: 1000, apikey: LOCAL_API_KEY }],
    logger: {},
  });
  client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api",
    apiKey: LOCAL_API_KEY,
    clientAgent: CLIENT_AGENT,
    fetch: emulator.fetch,
  });
  dir = await mkdtemp(join(tmpdir(), "horde-examples-"));
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe("examples/", () => {
  it("image.js saves WebP files with seed, model and worker", async () => {
    const result = await image({ client, log, prompt: "a lighthouse", outDir: dir });
    expect(result.files).toHaveLength(2);
    for (const f of result.files) {
      expect((await sharp(f.file).metadata()).format).toBe("webp");
      expect(f).toMatchObject({ model: "stable_diffusion", worker: "dev-worker-1", censored: false });
    }
  });

  it("text.js returns the text", async () => {
    const result = await text({ client, log });
    expect(result.texts).toHaveLength(1);
    expect(result.texts[0]?.length).toBeGreaterThan(0);
  });

  it("alchemy.js captions, checks and upscales an image", async () => {
    const result = await alchemy({ client, log });
    expect(typeof result.caption).toBe("string");
    expect(result.nsfw).toBe(false);
    expect(result.upscaledBytes).toBeGreaterThan(0);
  });

  it("session-cleanup.js leaves no job behind", async () => {
    const result = await sessionCleanup({ client, log });
    expect(result.submitted).toHaveLength(3);
    expect([...result.cancelled].sort()).toEqual([...result.submitted].sort());
    const outcomes = emulator.admin.listRequests().filter((r) => result.submitted.includes(r.id));
    expect(outcomes.map((r) => r.outcome)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });

  it("worker-bridge.js serves a job with the local generator, then stops cleanly", async () => {
    const controller = new AbortController();
    const running = workerBridge({ client, log, signal: controller.signal, model: "bridge-model" });
    const { images } = await client.generateImage({
      prompt: "through the bridge",
      models: ["bridge-model"],
      params: { width: 128, height: 128 },
    });
    expect(images[0]?.generation.worker_name).toBe("example-bridge");
    controller.abort();
    expect(await running).toMatchObject({ name: "example-bridge", completed: 1, faulted: 0 });
  });

  it("worker-backend.js serves a text job through an OpenAI-compatible server, then stops cleanly", async () => {
    const server = await fakeOpenai({ models: ["example.gguf"], nCtx: 4096 });
    try {
      const controller = new AbortController();
      const lines: string[] = [];
      const running = workerBackend({
        client,
        log: (line) => lines.push(line),
        signal: controller.signal,
        backendUrl: server.url,
        model: "example-llm",
      });
      const { generations } = await client.generateText({
        prompt: "Once upon a time",
        models: ["example-llm"],
      });
      expect(generations[0]).toMatchObject({
        text: " there was a lighthouse keeper who counted the waves.",
        worker_name: "example-scribe",
      });
      controller.abort();
      expect(await running).toMatchObject({ name: "example-scribe", completed: 1, faulted: 0 });
      expect(lines[0]).toBe(`openai at ${server.url} serves example.gguf`);
      expect(lines).toContainEqual(expect.stringMatching(/^job \S+: 9\/80 tokens$/));
      expect(server.callsTo("POST", "/v1/completions")[0]?.body).toMatchObject({
        model: "example.gguf",
        stream: true,
      });
    } finally {
      await server.close();
    }
  });
});
