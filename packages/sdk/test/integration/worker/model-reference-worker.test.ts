// An image worker that reads the model reference (`reference` option) against the in-process emulator: the
// pop declares painting only for an inpainting model, unknown models are warned about once, each job
// carries its model's record, and a reference that cannot be loaded leaves the worker on its options.
import {
  AIHordeAPIClient,
  type ImageModelRecord,
  type Logger,
  ModelReference,
  silentLogger,
} from "horde-sdk";
import type { HordeWorkerEvents, ImageWorkerJob } from "horde-sdk/worker";
import { next, setupWorkerHarness, solidPng } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

/** A small reference in the published file's shape: one SD 1 model, one inpainting model, one SDXL model. */
const RECORDS: ImageModelRecord[] = [
  { name: "stable_diffusion", baseline: "stable diffusion 1", nsfw: false, inpainting: false },
  {
    name: "A-Zovya RPG Inpainting",
    baseline: "stable diffusion 1",
    nsfw: false,
    inpainting: true,
    requirements: { clip_skip: 1 },
  },
  { name: "AlbedoBase XL (SDXL)", baseline: "stable_diffusion_xl", nsfw: false, inpainting: false },
];

/** A logger that keeps the warnings. */
function warnings(): Logger & { warned: string[] } {
  const warned: string[] = [];
  return { warned, debug() {}, info() {}, warn: (m: string) => warned.push(m), error() {} };
}

describe("an image worker with the model reference", () => {
  it("declares allow_painting when it serves an inpainting model, and hands an inpainting job its model's facts", async () => {
    const { worker, calls, requesterClient } = setupWorkerHarness();
    const seen: ImageWorkerJob[] = [];
    const w = worker({
      kind: "image",
      models: ["stable_diffusion", "A-Zovya RPG Inpainting"],
      reference: RECORDS,
      generate: (job) => {
        seen.push(job);
        return new TextEncoder().encode("painted");
      },
    });
    const reference = next(w, "reference");
    w.start();
    expect(await reference).toEqual({
      known: ["stable_diffusion", "A-Zovya RPG Inpainting"],
      unknown: [],
      allowPainting: true,
    });
    await requesterClient.generateImage({
      prompt: "a red square",
      models: ["A-Zovya RPG Inpainting"],
      params: { width: 64, height: 64, steps: 10, n: 1 },
      source_image: (await solidPng(64, 64, "#c00")).toString("base64"),
      source_mask: (await solidPng(64, 64, "#fff")).toString("base64"),
      source_processing: "inpainting",
    });
    const pop = calls.find((c) => c.path === "/v2/generate/pop");
    expect(pop?.body.allow_painting).toBe(true);
    const job = seen[0] as ImageWorkerJob;
    expect(job.sourceProcessing).toBe("inpainting");
    expect(job.modelInfo).toMatchObject({
      name: "A-Zovya RPG Inpainting",
      baseline: "stable diffusion 1",
      inpainting: true,
      requirements: { clip_skip: 1 },
    });
    await w.stop();
  });

  it("without an inpainting model it declares allow_painting false, unless allowPainting says otherwise", async () => {
    const { worker, calls } = setupWorkerHarness();
    const w = worker({ kind: "image", models: ["stable_diffusion"], reference: RECORDS, generate: () => [] });
    const emptyPop = next(w, "skipped");
    w.start();
    await emptyPop;
    await w.stop();
    const pops = calls.filter((c) => c.path === "/v2/generate/pop");
    expect(pops.length).toBeGreaterThan(0);
    expect(pops.every((p) => p.body.allow_painting === false)).toBe(true);

    const explicit = setupWorkerHarness();
    const w2 = explicit.worker({
      kind: "image",
      models: ["stable_diffusion"],
      reference: RECORDS,
      allowPainting: true,
      generate: () => [],
    });
    const said = next(w2, "reference");
    const skipped = next(w2, "skipped");
    w2.start();
    expect((await said).allowPainting).toBe(true);
    await skipped;
    await w2.stop();
    const [first] = explicit.calls.filter((c) => c.path === "/v2/generate/pop");
    expect(first?.body.allow_painting).toBe(true);
  });

  it("warns once about a served model the reference does not know, and hands each job its model's record", async () => {
    const { worker, requesterClient } = setupWorkerHarness();
    const logger = warnings();
    const seen: ImageWorkerJob[] = [];
    const w = worker({
      kind: "image",
      models: ["stable_diffusion", "My Own Model"],
      reference: RECORDS,
      logger,
      generate: (job) => {
        seen.push(job);
        return new TextEncoder().encode("an image");
      },
    });
    const events: HordeWorkerEvents["reference"][] = [];
    w.on("reference", (e) => events.push(e));
    w.start();
    for (const prompt of ["one", "two"]) {
      await requesterClient.generateImage({ prompt, params: { width: 64, height: 64, steps: 10, n: 1 } });
    }
    await w.stop();
    expect(events).toEqual([
      { known: ["stable_diffusion"], unknown: ["My Own Model"], allowPainting: false },
    ]);
    const about = logger.warned.filter((m) => m.includes("My Own Model"));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/model reference does not know 'My Own Model'/);
    expect(seen).toHaveLength(2);
    for (const job of seen) {
      expect(job.model).toBe("stable_diffusion");
      expect(job.modelInfo?.baseline).toBe("stable diffusion 1");
    }
  });

  it("reads a ModelReference once; without a reference, modelInfo is null and allow_painting stays true", async () => {
    const { worker, requesterClient, clock } = setupWorkerHarness();
    let loads = 0;
    const fetch = async () => {
      loads++;
      return Response.json(Object.fromEntries(RECORDS.map((r) => [r.name, r])));
    };
    const reference = new ModelReference({ fetch, clock });
    const seen: ImageWorkerJob[] = [];
    const w = worker({
      kind: "image",
      reference,
      generate: (job) => {
        seen.push(job);
        return new TextEncoder().encode("x");
      },
    }).start();
    await requesterClient.generateImage({ prompt: "a", params: { width: 64, height: 64, steps: 10 } });
    await w.stop();
    expect(loads).toBe(1);
    expect(seen[0]?.modelInfo?.name).toBe("stable_diffusion");

    const plain = setupWorkerHarness();
    const jobs: ImageWorkerJob[] = [];
    const w2 = plain
      .worker({
        kind: "image",
        generate: (job) => {
          jobs.push(job);
          return new TextEncoder().encode("x");
        },
      })
      .start();
    await plain.requesterClient.generateImage({ prompt: "b", params: { width: 64, height: 64, steps: 10 } });
    await w2.stop();
    expect(jobs[0]?.modelInfo).toBeNull();
    const pop = plain.calls.find((c) => c.path === "/v2/generate/pop");
    expect(pop?.body.allow_painting).toBe(true);
  });

  it("a reference that cannot be loaded is reported once, and the worker serves jobs with its options", async () => {
    const { worker, calls, requesterClient, clock } = setupWorkerHarness();
    const logger = warnings();
    const fetch = async (): Promise<Response> => {
      throw new TypeError("fetch failed: getaddrinfo ENOTFOUND raw.githubusercontent.com");
    };
    const w = worker({
      kind: "image",
      models: ["stable_diffusion"],
      // Its own client's retry log stays quiet; the worker's warning is what is checked.
      reference: new ModelReference({ client: new AIHordeAPIClient({ fetch, clock, logger: silentLogger }) }),
      logger,
      generate: () => new TextEncoder().encode("still working"),
    });
    const said = next(w, "reference");
    w.start();
    const event = await said;
    expect(event).toMatchObject({ known: [], unknown: [], allowPainting: true });
    expect(event.error).toBeDefined();
    const result = await requesterClient.generateImage({
      prompt: "a lighthouse",
      params: { width: 64, height: 64, steps: 10 },
    });
    expect(new TextDecoder().decode(result.images[0]?.bytes ?? undefined)).toBe("still working");
    const stats = await w.stop();
    expect(stats.completed).toBe(1);
    expect(logger.warned.filter((m) => m.includes("model reference could not be loaded"))).toHaveLength(1);
    const pop = calls.find((c) => c.path === "/v2/generate/pop");
    expect(pop?.body.allow_painting).toBe(true);
  });

  it("a stop while the reference is still loading returns at once, and nothing is popped", async () => {
    const { worker, calls } = setupWorkerHarness();
    const w = worker({
      kind: "image",
      reference: { imageModels: () => new Promise<never>(() => {}) },
      generate: () => [],
    }).start();
    const stats = await w.stop();
    expect(stats.state).toBe("stopped");
    expect(calls.filter((c) => c.path === "/v2/generate/pop")).toEqual([]);
  });

  it("refuses a reference that is neither a ModelReference nor records, and one on a text worker", async () => {
    const { worker } = setupWorkerHarness();
    expect(() => worker({ kind: "image", reference: "yes" as never, generate: () => [] })).toThrow(
      /reference/,
    );
    expect(() =>
      worker({ kind: "text", reference: RECORDS, generate: () => "" } as unknown as Parameters<
        typeof worker
      >[0]),
    ).toThrow(/reference: must be a ModelReference/);
  });
});
