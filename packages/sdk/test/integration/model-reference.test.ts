// ModelReference offline: the reference files come from a fake fetch serving a small reference built here
// (in the published files' shape), the live counts from the in-process emulator and its dev workers.
import { createEmulator, type Emulator } from "horde-emulator";
import {
  AIHordeAPIClient,
  type Clock,
  HordeError,
  HordeValidationError,
  IMAGE_MODEL_REFERENCE_URL,
  ModelReference,
  systemClock,
  TEXT_MODEL_REFERENCE_URL,
} from "horde-sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const IMAGE_REFERENCE = {
  stable_diffusion: {
    name: "stable_diffusion",
    baseline: "stable diffusion 1",
    type: "ckpt",
    inpainting: false,
    style: "generalist",
    nsfw: false,
    size_on_disk_bytes: 4265380512,
  },
  Deliberate: {
    name: "Deliberate",
    baseline: "stable diffusion 1",
    inpainting: false,
    style: "generalist",
    nsfw: true,
  },
  "AlbedoBase XL (SDXL)": {
    name: "AlbedoBase XL (SDXL)",
    baseline: "stable_diffusion_xl",
    inpainting: false,
    style: "generalist",
    nsfw: false,
    // A key this SDK does not know yet is kept, not refused.
    brand_new_key: { anything: 1 },
  },
  "Juggernaut XL": { name: "Juggernaut XL", baseline: "stable_diffusion_xl", style: "realistic", nsfw: true },
  "A-Zovya RPG Inpainting": {
    name: "A-Zovya RPG Inpainting",
    baseline: "stable diffusion 1",
    inpainting: true,
    style: "artistic",
    nsfw: false,
  },
  "Flux.1-Schnell fp8 (Compact)": {
    name: "Flux.1-Schnell fp8 (Compact)",
    baseline: "flux_1",
    nsfw: false,
    requirements: { min_steps: 3, max_steps: 8, samplers: ["k_euler"], schedulers: ["karras"] },
  },
  // A broken record: left out and reported, the others still load.
  Broken: { name: "Broken", baseline: 7, nsfw: "no" },
};
const TEXT_REFERENCE = {
  "KoboldAI/OPT-13B-Erebus": {
    name: "KoboldAI/OPT-13B-Erebus",
    baseline: "opt",
    parameters: 13_000_000_000,
    nsfw: true,
    style: "generalist",
  },
  "facebook/opt-125m": { name: "facebook/opt-125m", baseline: "opt", parameters: 125_000_000, nsfw: false },
};

/** A fetch serving the two reference files at their published URLs; counts the requests per URL. */
function fakeFetch(files: Record<string, unknown> = {}) {
  const served: Record<string, unknown> = {
    [IMAGE_MODEL_REFERENCE_URL]: IMAGE_REFERENCE,
    [TEXT_MODEL_REFERENCE_URL]: TEXT_REFERENCE,
    ...files,
  };
  const calls: string[] = [];
  const fetch = async (input: string | URL | Request) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    await new Promise((r) => setTimeout(r, 5)); // an answer that takes a moment, so concurrent calls overlap
    if (!(url in served)) return new Response("Not Found", { status: 404 });
    const body = served[url];
    return new Response(typeof body === "string" ? body : JSON.stringify(body), {
      headers: { "content-type": "application/json" },
    });
  };
  return { fetch, calls };
}

/** A clock whose time moves only when the test says so. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: systemClock.sleep,
    advance: (ms) => {
      now += ms;
    },
  };
}

describe("ModelReference: loading", () => {
  it("loads the published URLs once, shares a load between concurrent calls, and loads again after the TTL", async () => {
    const { fetch, calls } = fakeFetch();
    const clock = manualClock();
    const reference = new ModelReference({ fetch, clock, ttlMs: 60_000 });
    const [a, b] = await Promise.all([reference.imageModels(), reference.imageModels()]);
    expect(a.map((m) => m.name)).toEqual(b.map((m) => m.name));
    await reference.imageModel("Deliberate");
    await reference.textModels();
    expect(calls).toEqual([IMAGE_MODEL_REFERENCE_URL, TEXT_MODEL_REFERENCE_URL]);
    clock.advance(59_999);
    await reference.imageModels();
    expect(calls).toHaveLength(2);
    clock.advance(1);
    await reference.imageModels();
    expect(calls).toEqual([IMAGE_MODEL_REFERENCE_URL, TEXT_MODEL_REFERENCE_URL, IMAGE_MODEL_REFERENCE_URL]);
    reference.invalidate();
    await reference.textModels();
    expect(calls).toHaveLength(4);
  });

  it("checks every record: typed, defaults filled, unknown keys kept, a broken record left out and reported", async () => {
    const reference = new ModelReference({ fetch: fakeFetch().fetch });
    const models = await reference.imageModels();
    expect(models.map((m) => m.name)).not.toContain("Broken");
    expect(models).toHaveLength(Object.keys(IMAGE_REFERENCE).length - 1);
    expect(reference.skipped.image.map((s) => s.key)).toEqual(["Broken"]);
    expect(reference.skipped.image[0]?.issues.map((i) => i.path).sort()).toEqual(["baseline", "nsfw"]);
    const juggernaut = await reference.imageModel("Juggernaut XL");
    expect(juggernaut).toMatchObject({ baseline: "stable_diffusion_xl", nsfw: true, inpainting: false });
    expect((await reference.imageModel("AlbedoBase XL (SDXL)"))?.brand_new_key).toEqual({ anything: 1 });
    expect((await reference.imageModel("Flux.1-Schnell fp8 (Compact)"))?.requirements?.max_steps).toBe(8);
    expect(await reference.isNsfw("Deliberate")).toBe(true);
    expect(await reference.isNsfw("not a model")).toBeUndefined();
    expect((await reference.inpaintingModels()).map((m) => m.name)).toEqual(["A-Zovya RPG Inpainting"]);
    // Either spelling of a baseline finds the SD 1.5 models.
    const sd1 = (await reference.findImageModels({ baseline: "stable_diffusion_1" })).map((m) => m.name);
    expect(sd1).toEqual(
      (await reference.findImageModels({ baseline: "stable diffusion 1" })).map((m) => m.name),
    );
    expect(sd1.sort()).toEqual(["A-Zovya RPG Inpainting", "Deliberate", "stable_diffusion"]);
    // Text names with a backend prefix find their record.
    expect((await reference.textModel("koboldcpp/OPT-13B-Erebus"))?.parameters).toBe(13e9);
    expect((await reference.textModel("aphrodite/facebook/opt-125m"))?.name).toBe("facebook/opt-125m");
    expect(await reference.textModel("koboldcpp/Nope-7B")).toBeUndefined();
  });

  it("a failed load is an error naming the URL, and is not cached", async () => {
    const imageUrl = "https://example.test/missing.json";
    const { fetch, calls } = fakeFetch();
    const reference = new ModelReference({ fetch, imageUrl });
    await expect(reference.imageModels()).rejects.toThrow(HordeError);
    await expect(reference.imageModels()).rejects.toThrow(/missing\.json answered HTTP 404/);
    expect(calls.filter((c) => c === imageUrl).length).toBeGreaterThanOrEqual(2);
    const notJson = new ModelReference({
      fetch: fakeFetch({ [IMAGE_MODEL_REFERENCE_URL]: "<html>" }).fetch,
    });
    await expect(notJson.imageModels()).rejects.toThrow(HordeValidationError);
    const list = new ModelReference({ fetch: fakeFetch({ [IMAGE_MODEL_REFERENCE_URL]: [1, 2] }).fetch });
    await expect(list.imageModels()).rejects.toThrow(/expected an object keyed by model name/);
  });
});

describe("ModelReference joined with the live horde (in-process emulator)", () => {
  let emulator: Emulator;
  let reference: ModelReference;
  let client: AIHordeAPIClient;
  const FAST = { generationMs: 20, popIntervalMs: 20 };

  beforeAll(async () => {
    emulator = createEmulator({
      devWorkers: [
        { type: "image", ...FAST, models: ["AlbedoBase XL (SDXL)", "Deliberate", "A-Zovya RPG Inpainting"] },
        { type: "image", ...FAST, models: ["Deliberate"] },
        { type: "text", ...FAST, models: ["koboldcpp/OPT-13B-Erebus"] },
      ],
      logger: {},
    });
    client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", fetch: emulator.fetch });
    reference = new ModelReference({ client, fetch: fakeFetch().fetch });
    await vi.waitFor(
      async () => {
        const models = [...(await client.getModels({ type: "image" }))];
        if (models.length < 3) throw new Error("the dev workers have not checked in yet");
        if ([...(await client.getModels({ type: "text" }))].length < 1) throw new Error("no text worker yet");
      },
      { timeout: 10_000, interval: 50 },
    );
  });
  afterAll(() => emulator.close());

  it("lists the reference models someone serves, most workers first, filtered by baseline, NSFW, inpainting", async () => {
    const live = await reference.liveImageModels();
    expect(live.map((m) => [m.name, m.workers])).toEqual([
      ["Deliberate", 2],
      ["A-Zovya RPG Inpainting", 1],
      ["AlbedoBase XL (SDXL)", 1],
    ]);
    expect(live[0]?.record.nsfw).toBe(true);
    const sdxl = await reference.liveImageModels({ baseline: "stable_diffusion_xl" });
    expect(sdxl.map((m) => m.name)).toEqual(["AlbedoBase XL (SDXL)"]); // Juggernaut XL has no worker
    expect((await reference.liveImageModels({ nsfw: false })).map((m) => m.name)).toEqual([
      "A-Zovya RPG Inpainting",
      "AlbedoBase XL (SDXL)",
    ]);
    expect((await reference.liveImageModels({ inpainting: true })).map((m) => m.name)).toEqual([
      "A-Zovya RPG Inpainting",
    ]);
    expect((await reference.liveImageModels({ minWorkers: 2 })).map((m) => m.name)).toEqual(["Deliberate"]);
    const text = await reference.liveTextModels({ minParameters: 7e9 });
    expect(text.map((m) => [m.name, m.record.name, m.workers])).toEqual([
      ["koboldcpp/OPT-13B-Erebus", "KoboldAI/OPT-13B-Erebus", 1],
    ]);
    expect(await reference.liveTextModels({ maxParameters: 1e9 })).toEqual([]);
  });

  it("ranks the most used models from the horde's stats, with their records", async () => {
    const done = await client.generateImage({
      prompt: "a lighthouse",
      models: ["Deliberate"],
      params: { width: 512, height: 512, steps: 10, n: 2 },
    });
    expect(done.images).toHaveLength(2);
    const used = await reference.mostUsedImageModels({ period: "day", limit: 5 });
    expect(used.map((u) => [u.name, u.uses])).toEqual([["Deliberate", 2]]);
    expect(used[0]?.record?.baseline).toBe("stable diffusion 1");
  });
});
