import type {
  AlchemyWorkerJob,
  HordeWorkerEvents,
  HordeWorkerOptions,
  TextWorkerJob,
} from "horde-sdk/worker";
import {
  BASE,
  next,
  setupWorkerHarness,
  solidPng,
  untilAborted,
  type WithoutClient,
} from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";

const MODEL = "koboldcpp/test-model";

/** The harness, with kind-named workers and the requester's status readers. */
function setup() {
  const h = setupWorkerHarness();
  const worker = (options: WithoutClient<HordeWorkerOptions>) =>
    h.worker(options, `test-${options.kind}-worker`);
  const textStatus = async (id: string) => {
    const res = await h.emu.fetch(`${BASE}/v2/generate/text/status/${id}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const alchemyStatus = async (id: string) => {
    const res = await h.emu.fetch(`${BASE}/v2/interrogate/status/${id}`, {
      headers: { apikey: h.requester.apikey },
    });
    return (await res.json()) as { state: string; forms: { form: string; state: string }[] };
  };
  return { ...h, worker, textStatus, alchemyStatus };
}

const squarePng = (size: number) => solidPng(size, size, "#c00");

describe("text worker", () => {
  it("pops text jobs, generates and submits them; the requester gets the texts", async () => {
    const { worker, requesterClient, calls } = setup();
    const jobs: TextWorkerJob[] = [];
    const w = worker({
      kind: "text",
      models: [MODEL],
      threads: 2,
      maxLength: 256,
      generate: (job) => {
        jobs.push(job);
        return `echo: ${job.prompt}`;
      },
    });
    const kudos: number[] = [];
    w.on("kudos", ({ total }) => kudos.push(total));
    w.start();
    const result = await requesterClient.generateText({
      prompt: "Once upon a time",
      params: { n: 2, max_length: 32 },
      models: [MODEL],
    });
    expect(result.texts).toEqual(["echo: Once upon a time", "echo: Once upon a time"]);
    expect(result.generations.map((g) => g.model)).toEqual([MODEL, MODEL]);
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatchObject({ kind: "text", model: MODEL, prompt: "Once upon a time", maxLength: 32 });
    expect(jobs[0]?.ttl).toBe(150);
    const pop = calls.find((c) => c.path === "/v2/generate/text/pop");
    expect(pop?.body).toMatchObject({
      name: "test-text-worker",
      models: [MODEL],
      max_length: 256,
      threads: 2,
    });
    const submits = calls.filter((c) => c.path === "/v2/generate/text/submit");
    expect(submits.map((s) => s.body.generation)).toEqual([
      "echo: Once upon a time",
      "echo: Once upon a time",
    ]);
    const stats = await w.stop();
    expect(stats).toMatchObject({ kind: "text", popped: 2, completed: 2, faulted: 0, inFlight: 0 });
    expect(stats.kudos).toBeGreaterThan(0);
    expect(kudos.at(-1)).toBe(stats.kudos);
  });

  it("reports a censored text with its state", async () => {
    const { worker, requesterClient } = setup();
    const w = worker({
      kind: "text",
      models: [MODEL],
      generate: () => ({ text: "[censored]", state: "censored" }),
    });
    w.start();
    const result = await requesterClient.generateText({ prompt: "something bad", models: [MODEL] });
    expect(result.generations[0]?.state).toBe("censored");
    expect(w.stats.completed).toBe(1);
  });

  it("a text generate that throws, or runs past the ttl, is faulted and re-queued", async () => {
    const { worker, requesterClient, textStatus, clock } = setup();
    let turn = 0;
    const w = worker({
      kind: "text",
      models: [MODEL],
      generate: async (_job, { signal }) => {
        turn++;
        if (turn === 1) throw new Error("llama.cpp crashed");
        if (turn === 2) await clock.sleep(10 * 60_000, signal);
        return "third time lucky";
      },
    });
    const faults: HordeWorkerEvents["faulted"][] = [];
    w.on("faulted", (f) => faults.push(f));
    const job = await requesterClient.submitText({ prompt: "hello", models: [MODEL] });
    const completed = next(w, "completed");
    w.start();
    await completed;
    expect(faults.map((f) => [f.reason, f.message])).toEqual([
      ["error", "llama.cpp crashed"],
      ["ttl", expect.stringMatching(/ran out of time/)],
    ]);
    const status = await textStatus(job.id);
    expect(status).toMatchObject({ finished: 1, restarted: 2, done: true });
  });

  it("a malformed text job is faulted with the reason", async () => {
    const { worker, requesterClient, hooks } = setup();
    let mangled = false;
    hooks.set("POST /v2/generate/text/pop", async (_call, forward) => {
      const res = await forward();
      const json = await res.json();
      if (json.ids?.length && !mangled) {
        mangled = true;
        return Response.json({ ...json, payload: { ...json.payload, max_length: "long" } }, { status: 200 });
      }
      return Response.json(json, { status: res.status });
    });
    const w = worker({ kind: "text", models: [MODEL], generate: () => "fine" });
    const faulted = next(w, "faulted");
    w.start();
    const result = await requesterClient.generateText({ prompt: "hello", models: [MODEL] });
    expect(result.texts).toEqual(["fine"]);
    expect(await faulted).toMatchObject({
      reason: "invalid",
      message: expect.stringMatching(/payload\.max_length/),
    });
  });
});

describe("alchemy worker", () => {
  it("runs caption and post-processor forms: downloads the source, uploads the image, submits the results", async () => {
    const { worker, requesterClient, calls } = setup();
    const upscaled = new Uint8Array(
      await sharp(await squarePng(128))
        .webp()
        .toBuffer(),
    );
    const jobs: AlchemyWorkerJob[] = [];
    const w = worker({
      kind: "alchemy",
      forms: ["caption", "RealESRGAN_x2plus"],
      amount: 2,
      threads: 2,
      generate: (job) => {
        jobs.push(job);
        return job.form === "caption" ? "a red square" : upscaled;
      },
    });
    w.start();
    const result = await requesterClient.runAlchemy({
      source_image: (await squarePng(64)).toString("base64"),
      forms: [{ name: "caption" }, { name: "RealESRGAN_x2plus" }],
    });
    expect(result.status.done).toBe(true);
    expect(result.status.captions).toEqual(["a red square"]);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]?.form).toBe("RealESRGAN_x2plus");
    expect(result.images[0]?.bytes).toEqual(upscaled);

    expect(jobs.map((j) => [j.form, j.expectsImage]).sort()).toEqual([
      ["RealESRGAN_x2plus", true],
      ["caption", false],
    ]);
    const meta = await sharp(jobs[0]?.sourceImage as Uint8Array).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
    const put = calls.filter((c) => c.method === "PUT");
    expect(put).toHaveLength(1);
    expect(put[0]?.headers.apikey).toBeUndefined();
    const submits = calls.filter((c) => c.path === "/v2/interrogate/submit").map((c) => c.body.result);
    expect(submits).toEqual(
      expect.arrayContaining([{ caption: "a red square" }, { RealESRGAN_x2plus: "R2" }]),
    );
    const stats = await w.stop();
    expect(stats).toMatchObject({ kind: "alchemy", popped: 2, completed: 2, faulted: 0 });
  });

  it("a malformed form is faulted on its own; the other form of the pop runs", async () => {
    const { worker, requesterClient, hooks } = setup();
    let mangled = false;
    hooks.set("POST /v2/interrogate/pop", async (_call, forward) => {
      const res = await forward();
      const json = await res.json();
      if (json.forms?.length === 2 && !mangled) {
        mangled = true;
        const [first, second] = json.forms;
        return Response.json({ forms: [{ ...first, source_image: undefined }, second] }, { status: 200 });
      }
      return Response.json(json, { status: res.status });
    });
    const ran: string[] = [];
    const w = worker({
      kind: "alchemy",
      forms: ["caption", "nsfw"],
      amount: 2,
      threads: 2,
      generate: (job) => {
        ran.push(job.form);
        return job.form === "caption" ? "a cat" : false;
      },
    });
    const faulted = next(w, "faulted");
    w.start();
    const result = await requesterClient.runAlchemy({
      source_image: (await squarePng(64)).toString("base64"),
      forms: [{ name: "caption" }, { name: "nsfw" }],
    });
    expect(await faulted).toMatchObject({
      reason: "invalid",
      message: expect.stringMatching(/source_image is missing/),
    });
    expect(result.status.done).toBe(true);
    expect(result.forms.map((f) => f.state)).toEqual(["done", "done"]);
    expect(ran.sort()).toEqual(["caption", "nsfw"]); // the good form at once, the faulted one after its re-queue
  });

  it("stop({ drain: false }) faults the forms in flight and the horde puts them back", async () => {
    const { worker, requesterClient, alchemyStatus } = setup();
    const w = worker({ kind: "alchemy", generate: (_job, { signal }) => untilAborted(signal) });
    const job = await requesterClient.submitAlchemy({
      source_image: (await squarePng(64)).toString("base64"),
      forms: [{ name: "caption" }],
    });
    const popped = next(w, "popped");
    w.start();
    expect((await popped).forms).toEqual(["caption"]);
    const stats = await w.stop({ drain: false });
    expect(stats).toMatchObject({ faulted: 1, faultedBy: { stopped: 1 }, inFlight: 0 });
    const status = await alchemyStatus(job.id);
    expect(status.forms.map((f) => f.state)).toEqual(["waiting"]);
  });

  it("a form whose generate throws is faulted, and a post-processor that returns no image too", async () => {
    const { worker, requesterClient } = setup();
    let turn = 0;
    const w = worker({
      kind: "alchemy",
      forms: ["RealESRGAN_x2plus"],
      generate: () => {
        turn++;
        if (turn === 1) throw new Error("upscaler missing");
        if (turn === 2) return "not an image";
        return new Uint8Array([1, 2, 3]);
      },
    });
    const faults: string[] = [];
    w.on("faulted", (f) => faults.push(f.reason));
    w.start();
    const result = await requesterClient.runAlchemy({
      source_image: (await squarePng(64)).toString("base64"),
      forms: [{ name: "RealESRGAN_x2plus" }],
    });
    expect(faults).toEqual(["error", "result"]);
    expect(result.images[0]?.bytes).toEqual(new Uint8Array([1, 2, 3]));
  });
});
