// horde-sdk/worker against the in-process emulator on an auto-advancing virtual clock: image batches with
// R2 uploads, stops with and without draining, faults (generate errors, ttl, malformed jobs), refused
// submits, moderator messages and the stats.

import { AIHordeAPIClient, AIHordeRequestError, HordeError, silentLogger } from "horde-sdk";
import {
  HordeJobDeadlineError,
  HordeWorker,
  type HordeWorkerEvents,
  HordeWorkerStoppedError,
  type ImageWorkerJob,
} from "horde-sdk/worker";
import {
  BASE,
  type Hook,
  next,
  setupWorkerHarness,
  solidPng,
  trackWorker,
  untilAborted,
} from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";

/** The harness, plus the image requester's helpers. */
function setup() {
  const h = setupWorkerHarness();
  /** Queue an image request as the requester (returns its id). */
  const queueImage = async (extra: Record<string, unknown> = {}, params: Record<string, unknown> = {}) => {
    const job = await h.requesterClient.submitImage({
      prompt: "a lighthouse at dusk",
      params: { width: 64, height: 64, steps: 10, n: 1, ...params },
      ...extra,
    });
    return job.id;
  };
  const check = async (id: string) => {
    // The server caches /generate/check for a second (docs/server/directory.md#response-caches); the
    // tests want the state right now.
    h.emu.responseCache.clear();
    const res = await h.emu.fetch(`${BASE}/v2/generate/check/${id}`);
    return (await res.json()) as Record<string, number | boolean>;
  };
  return { ...h, queueImage, check };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);
const textOf = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe("image worker end to end", () => {
  it("pops a batch (amount > 1), PUTs each image to its r2_uploads URL without the key, submits R2 per id", async () => {
    const { worker, requesterClient, calls } = setup();
    const jobs: ImageWorkerJob[] = [];
    const w = worker({
      kind: "image",
      amount: 3,
      generate: (job) => {
        jobs.push(job);
        return job.ids.map((id, i) => ({ image: bytesOf(`image of ${id}`), seed: job.seeds[i] }));
      },
    });
    const completed: string[] = [];
    const kudos: number[] = [];
    w.on("completed", ({ id }) => completed.push(id));
    w.on("kudos", ({ total }) => kudos.push(total));
    const popped = next(w, "popped");
    w.start();
    const result = await requesterClient.generateImage({
      prompt: "a lighthouse at dusk###fog",
      params: { width: 64, height: 64, steps: 10, n: 3, seed: "1234" },
    });

    const pop = await popped;
    expect(pop.ids).toHaveLength(3);
    expect(jobs).toHaveLength(1); // one generate for the whole batch
    const job = jobs[0] as ImageWorkerJob;
    expect(job).toMatchObject({
      kind: "image",
      n: 3,
      model: "stable_diffusion",
      positivePrompt: "a lighthouse at dusk",
      negativePrompt: "fog",
      width: 64,
      height: 64,
      steps: 10,
      seed: 1234,
      seeds: [1234, 1235, 1236],
      sourceImage: null,
    });
    expect(job.ids).toEqual(pop.ids);
    expect(job.deadline).toBeGreaterThan(0);

    // The requester downloads exactly what the worker uploaded, one image per id.
    expect(result.images).toHaveLength(3);
    for (const image of result.images) {
      expect(textOf(image.bytes)).toBe(`image of ${image.generation.id}`);
    }
    const puts = calls.filter((c) => c.method === "PUT");
    expect(puts).toHaveLength(3);
    for (const put of puts) {
      expect(put.url).toMatch(/\/_r2\//);
      expect(put.headers.apikey).toBeUndefined();
      expect(put.headers["client-agent"]).toBeUndefined();
    }
    const submits = calls.filter((c) => c.path === "/v2/generate/submit");
    expect(submits.map((s) => s.body.generation)).toEqual(["R2", "R2", "R2"]);
    expect(submits.map((s) => s.body.seed).sort()).toEqual([1234, 1235, 1236]);
    expect(submits.every((s) => s.headers.apikey !== undefined)).toBe(true);
    const pops = calls.filter((c) => c.path === "/v2/generate/pop");
    expect(pops[0]?.body).toMatchObject({
      name: "test-worker",
      amount: 3,
      threads: 1,
      models: ["stable_diffusion"],
      allow_lora: false,
      allow_img2img: true,
    });

    const stats = await w.stop();
    expect(completed.sort()).toEqual([...pop.ids].sort());
    expect(stats).toMatchObject({ state: "stopped", popped: 3, completed: 3, faulted: 0, inFlight: 0 });
    expect(stats.kudos).toBeGreaterThan(0);
    expect(kudos.at(-1)).toBe(stats.kudos);
  });

  it("downloads the source image and mask of img2img/inpainting jobs (no key to the image host)", async () => {
    const { worker, requesterClient, calls } = setup();
    const png = await solidPng(64, 64, "#c00");
    const mask = await solidPng(64, 64, "#fff");
    const seen: ImageWorkerJob[] = [];
    const w = worker({
      kind: "image",
      // The server gives inpainting only to a worker that serves an inpainting model
      // (docs/server/workers.md#pop step 8).
      models: ["stable_diffusion", "stable_diffusion_inpainting"],
      generate: (job) => {
        seen.push(job);
        return bytesOf("painted");
      },
    }).start();
    const result = await requesterClient.generateImage({
      prompt: "a red square",
      params: { width: 64, height: 64, steps: 10, n: 1 },
      source_image: png.toString("base64"),
      source_mask: mask.toString("base64"),
      source_processing: "inpainting",
    });
    expect(textOf(result.images[0]?.bytes ?? null)).toBe("painted");
    const job = seen[0] as ImageWorkerJob;
    expect(job.sourceProcessing).toBe("inpainting");
    const meta = await sharp(job.sourceImage as Uint8Array).metadata();
    expect([meta.width, meta.height]).toEqual([64, 64]);
    expect(job.sourceMask?.length).toBeGreaterThan(0);
    const downloads = calls.filter((c) => c.method === "GET" && c.url.includes("/_r2/"));
    expect(downloads.length).toBe(2);
    expect(downloads.every((d) => d.headers.apikey === undefined)).toBe(true);
    await w.stop();
  });

  it("runs up to `threads` jobs at once", async () => {
    const { worker, queueImage, clock } = setup();
    let running = 0;
    let most = 0;
    const w = worker({
      kind: "image",
      threads: 2,
      generate: async (_job, { signal }) => {
        running++;
        most = Math.max(most, running);
        await clock.sleep(5_000, signal);
        running--;
        return bytesOf("x");
      },
    });
    await queueImage();
    await queueImage();
    await queueImage();
    let done = 0;
    const all = new Promise<void>((resolve) => w.on("completed", () => ++done === 3 && resolve()));
    w.start();
    await all;
    expect(most).toBe(2);
    const pops = (await w.stop()).pops;
    expect(pops).toBeGreaterThanOrEqual(2);
  });
});

describe("faults and stops", () => {
  it("a generate that throws reports the job faulted, and the horde re-queues it", async () => {
    const { worker, queueImage, check, calls } = setup();
    const w = worker({
      kind: "image",
      generate: () => {
        throw new Error("CUDA out of memory");
      },
    });
    const id = await queueImage();
    const faulted = next(w, "faulted");
    w.start();
    const event = await faulted;
    expect(event).toMatchObject({ reason: "error", message: "CUDA out of memory" });
    await w.stop({ drain: false });
    const submit = calls.find((c) => c.path === "/v2/generate/submit");
    expect(submit?.body).toMatchObject({ id: event.id, state: "faulted" });
    expect(await check(id)).toMatchObject({ restarted: 1, processing: 0, waiting: 1, faulted: false });
    expect(w.stats).toMatchObject({ faulted: 1, faultedBy: { error: 1 }, completed: 0, inFlight: 0 });
  });

  it("stop({ drain: false }) aborts generate, faults the job, and another worker gets it", async () => {
    const { worker, queueImage, check } = setup();
    let signalReason: unknown;
    const w = worker({
      kind: "image",
      generate: async (_job, { signal }) => {
        try {
          return await untilAborted(signal);
        } catch (error) {
          signalReason = error;
          throw error;
        }
      },
    });
    const id = await queueImage();
    const popped = next(w, "popped");
    const faulted = next(w, "faulted");
    w.start();
    await popped;
    const stats = await w.stop({ drain: false });
    expect(await faulted).toMatchObject({ reason: "stopped" });
    expect(signalReason).toBeInstanceOf(HordeWorkerStoppedError);
    expect(stats).toMatchObject({
      state: "stopped",
      popped: 1,
      faulted: 1,
      faultedBy: { stopped: 1 },
      inFlight: 0,
    });
    expect(await check(id)).toMatchObject({ waiting: 1, processing: 0, restarted: 1 });

    const second = worker({
      kind: "image",
      name: "second-worker",
      generate: () => bytesOf("from the second"),
    });
    const completed = next(second, "completed");
    second.start();
    await completed;
    expect(await check(id)).toMatchObject({ finished: 1, done: true });
  });

  it("stop() drains: the job in flight is finished and submitted, and nothing more is popped", async () => {
    const { worker, queueImage, check, clock, calls } = setup();
    const w = worker({
      kind: "image",
      generate: async (_job, { signal }) => {
        await clock.sleep(20_000, signal);
        return bytesOf("late but done");
      },
    });
    const id = await queueImage();
    await queueImage();
    const popped = next(w, "popped");
    w.start();
    await popped;
    const popsAtStop = calls.filter((c) => c.path === "/v2/generate/pop").length;
    const stopping = w.stop();
    expect(w.state).toBe("stopping");
    const stats = await stopping;
    expect(stats).toMatchObject({ completed: 1, faulted: 0, inFlight: 0, state: "stopped" });
    expect(calls.filter((c) => c.path === "/v2/generate/pop")).toHaveLength(popsAtStop);
    expect(await check(id)).toMatchObject({ finished: 1, done: true });
  });

  it("a draining stop turns into a fast one when stop({ drain: false }) follows", async () => {
    const { worker, queueImage, check } = setup();
    const w = worker({ kind: "image", generate: (_job, { signal }) => untilAborted(signal) });
    const id = await queueImage();
    const popped = next(w, "popped");
    w.start();
    await popped;
    const draining = w.stop();
    const fast = w.stop({ drain: false });
    const [a, b] = await Promise.all([draining, fast]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ faulted: 1, faultedBy: { stopped: 1 }, state: "stopped" });
    expect(await check(id)).toMatchObject({ waiting: 1, processing: 0 });
  });

  it("a slow generate past the ttl is aborted and faulted before the server would abort it", async () => {
    const { worker, queueImage, check, clock, emu } = setup();
    let aborted: unknown;
    const w = worker({
      kind: "image",
      generate: async (_job, { signal }) => {
        await clock.sleep(10 * 60_000, signal).catch((e: unknown) => {
          aborted = e;
          throw e;
        });
        return bytesOf("too late");
      },
    });
    const id = await queueImage();
    const popped = next(w, "popped");
    const faulted = next(w, "faulted");
    w.start();
    const pop = await popped;
    const poppedAt = clock.now();
    const event = await faulted;
    const faultedAt = clock.now();
    expect(pop.ttl).toBe(150);
    expect(event.reason).toBe("ttl");
    expect(aborted).toBeInstanceOf(HordeJobDeadlineError);
    expect(faultedAt - poppedAt).toBeGreaterThanOrEqual(135_000);
    expect(faultedAt - poppedAt).toBeLessThan(150_000);
    await w.stop({ drain: false });
    expect(await check(id)).toMatchObject({ restarted: 1, processing: 0 });
    expect(emu.admin.stats().jobs).toMatchObject({ restarted: 1, processing: 0 });
  });

  it("a generate that ignores its signal is left behind: the job is faulted at its deadline all the same", async () => {
    const { worker, queueImage, clock, calls } = setup();
    const w = worker({
      kind: "image",
      ttlMarginMs: 30_000,
      generate: async () => {
        await clock.sleep(10 * 60_000); // no signal
        return bytesOf("never submitted");
      },
    });
    await queueImage();
    const faulted = next(w, "faulted");
    w.start();
    expect((await faulted).reason).toBe("ttl");
    const event = await faulted;
    await w.stop({ drain: false });
    const submits = calls.filter((c) => c.path === "/v2/generate/submit");
    expect(submits.filter((s) => s.body.id === event.id).map((s) => s.body.state)).toEqual(["faulted"]);
    expect(submits.some((s) => s.body.state === "ok")).toBe(false);
  });

  it("stops itself after maxConsecutiveFaults failures in a row", async () => {
    const { worker, queueImage } = setup();
    const w = worker({
      kind: "image",
      maxConsecutiveFaults: 2,
      generate: () => Promise.reject(new Error("backend down")),
    });
    await queueImage();
    w.start();
    const error = await w.wait().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeError);
    expect(String((error as Error).message)).toMatch(/2 jobs in a row/);
    expect(w.stats).toMatchObject({ state: "stopped", faulted: 2, inFlight: 0 });
  });

  it("a pop refused for good (anonymous) stops the worker; wait() rejects with the horde's error", async () => {
    const { emu, clock } = setup();
    const anonymous = new AIHordeAPIClient({ baseUrl: BASE, fetch: emu.fetch, clock, logger: silentLogger });
    const w = trackWorker(
      new HordeWorker({ client: anonymous, kind: "image", generate: () => bytesOf("x") }),
    );
    const stopped = next(w, "stop");
    w.start();
    const error = await w.wait().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect((error as AIHordeRequestError).rc).toBe("AnonForbiddenWorker");
    expect((await stopped).error).toBe(error);
    expect(w.state).toBe("stopped");
    expect(() => w.start()).toThrow(HordeError);
  });
});

describe("malformed jobs", () => {
  /** Rewrite the JSON of the next `count` pop answers. */
  const mangleNextPops = (
    hooks: Map<string, Hook>,
    count: number,
    // biome-ignore lint/suspicious/noExplicitAny: JSON under test
    mangle: (json: any) => any,
  ) => {
    let left = count;
    hooks.set("POST /v2/generate/pop", async (_call, forward) => {
      const res = await forward();
      const json = await res.json();
      if (!json.ids?.length || left === 0) return Response.json(json, { status: res.status });
      left--;
      return Response.json(mangle(json), { status: res.status });
    });
  };

  it("a job with a missing or malformed field is faulted with the reason, and the worker carries on", async () => {
    const { worker, queueImage, hooks, check } = setup();
    const generated: string[] = [];
    const w = worker({
      kind: "image",
      generate: (job) => {
        generated.push(job.id);
        return bytesOf("fine");
      },
    });
    const faults: HordeWorkerEvents["faulted"][] = [];
    w.on("faulted", (f) => faults.push(f));
    let turn = 0;
    mangleNextPops(hooks, 2, (json) => {
      turn++;
      if (turn === 1) return { ...json, payload: { ...json.payload, prompt: undefined } };
      return { ...json, payload: { ...json.payload, width: "wide" } };
    });
    // Two images: each fault gives a job back only while fewer jobs have ended than were asked for.
    const id = await queueImage({}, { n: 2 });
    const completed = next(w, "completed");
    w.start();
    await completed;
    expect(faults.map((f) => f.reason)).toEqual(["invalid", "invalid"]);
    expect(faults[0]?.message).toMatch(/payload\.prompt is missing/);
    expect(faults[1]?.message).toMatch(/payload\.width/);
    expect(generated).toHaveLength(1); // generate only saw the good one
    expect(await check(id)).toMatchObject({ finished: 1, restarted: 2 });
    expect(w.stats).toMatchObject({ faulted: 2, faultedBy: { invalid: 2 }, completed: 1 });
  });

  it("ids without a payload, or r2_uploads that do not match the ids, are faulted too", async () => {
    const { worker, queueImage, hooks } = setup();
    const w = worker({ kind: "image", generate: () => bytesOf("fine") });
    let turn = 0;
    mangleNextPops(hooks, 2, (json) => {
      turn++;
      if (turn === 1) return { ...json, payload: null };
      return { ...json, r2_uploads: [...json.r2_uploads, "http://horde.test/_r2/extra.webp"] };
    });
    await queueImage({}, { n: 2 });
    const faults: string[] = [];
    w.on("faulted", (f) => faults.push(f.message));
    const completed = next(w, "completed");
    w.start();
    await completed;
    expect(faults).toHaveLength(2);
    expect(faults[0]).toMatch(/payload is missing/);
    expect(faults[1]).toMatch(/r2_uploads has 2 URL\(s\) for 1 id/);
  });

  it("an image result missing for an id of the batch faults that id only", async () => {
    const { worker, requesterClient } = setup();
    const w = worker({
      kind: "image",
      amount: 2,
      generate: (job) => (job.n === 2 ? [bytesOf("first"), null] : [bytesOf("retry")]),
    });
    const faults: HordeWorkerEvents["faulted"][] = [];
    w.on("faulted", (f) => faults.push(f));
    w.start();
    const result = await requesterClient.generateImage({
      prompt: "two of them",
      params: { width: 64, height: 64, steps: 10, n: 2 },
    });
    expect(result.images.map((i) => textOf(i.bytes)).sort()).toEqual(["first", "retry"]);
    expect(faults.map((f) => f.reason)).toEqual(["result"]);
  });
});

describe("submits the horde refuses, retries, messages, skipped", () => {
  it("DuplicateGen and AbortedGen are logged, counted, and the worker moves on", async () => {
    const { worker, queueImage, hooks, clock } = setup();
    let turn = 0;
    hooks.set("POST /v2/generate/submit", async (call, forward) => {
      if (call.body.state === "faulted") return forward();
      turn++;
      if (turn === 1) {
        await (await forward()).text(); // someone else delivered it first
        return forward(); // → 400 DuplicateGen
      }
      if (turn === 2) {
        clock.setTime(clock.now() + 200_000); // the job went stale meanwhile
        return forward(); // → 400 AbortedGen
      }
      return forward();
    });
    const w = worker({ kind: "image", generate: () => bytesOf("x") });
    const rejected: string[] = [];
    w.on("rejected", ({ rc }) => rejected.push(rc));
    await queueImage();
    await queueImage();
    await queueImage();
    const completed = next(w, "completed", () => turn >= 3);
    w.start();
    await completed;
    expect(rejected).toEqual(["DuplicateGen", "AbortedGen"]);
    expect(w.stats).toMatchObject({
      rejected: 2,
      rejectedBy: { DuplicateGen: 1, AbortedGen: 1 },
      faulted: 0,
    });
    expect(w.state).toBe("running");
  });

  it("a submit that fails on the network or 5xx is retried; DuplicateGen after a retry means it got through", async () => {
    const { worker, queueImage, hooks, check } = setup();
    let turn = 0;
    hooks.set("POST /v2/generate/submit", async (_call, forward) => {
      turn++;
      if (turn === 1) return Response.json({ message: "Bad Gateway" }, { status: 502 }); // never reached
      if (turn === 3) {
        await (await forward()).text(); // delivered, but the answer is lost
        throw new TypeError("fetch failed");
      }
      return forward();
    });
    const w = worker({ kind: "image", generate: () => bytesOf("x") });
    const first = await queueImage();
    const second = await queueImage();
    let done = 0;
    const both = new Promise<void>((resolve) => w.on("completed", () => ++done === 2 && resolve()));
    w.start();
    await both;
    expect(turn).toBe(4);
    expect(await check(first)).toMatchObject({ finished: 1 });
    expect(await check(second)).toMatchObject({ finished: 1 });
    expect(w.stats).toMatchObject({ completed: 2, faulted: 0, rejected: 0 });
  });

  it("an R2 upload that fails is retried (PUT is idempotent); one refused for good faults the job", async () => {
    const { worker, queueImage, hooks, check } = setup();
    let puts = 0;
    hooks.set("PUT /_r2/*", async (_call, forward) => {
      puts++;
      if (puts === 1) return new Response("<Error>SlowDown</Error>", { status: 503 });
      if (puts === 3) return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
      return forward();
    });
    const w = worker({ kind: "image", generate: () => bytesOf("x") });
    const first = await queueImage();
    const completed = next(w, "completed");
    const faulted = next(w, "faulted");
    w.start();
    await completed;
    expect(puts).toBe(2);
    expect(await check(first)).toMatchObject({ finished: 1 });
    const second = await queueImage();
    expect(await faulted).toMatchObject({ reason: "upload", message: expect.stringMatching(/HTTP 403/) });
    await next(w, "completed");
    expect(await check(second)).toMatchObject({ finished: 1, restarted: 1 });
  });

  it("a source image that cannot be downloaded faults the job", async () => {
    const { worker, requesterClient, hooks } = setup();
    const png = await solidPng(64, 64, "#00c");
    let gets = 0;
    hooks.set("GET /_r2/*", async (_call, forward) =>
      ++gets === 1 ? new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 }) : forward(),
    );
    const w = worker({ kind: "image", generate: () => bytesOf("x") });
    const faulted = next(w, "faulted");
    w.start();
    await requesterClient.generateImage({
      prompt: "blue",
      params: { width: 64, height: 64, steps: 10, n: 1 },
      source_image: png.toString("base64"),
    });
    expect(await faulted).toMatchObject({ reason: "source", message: expect.stringMatching(/HTTP 404/) });
  });

  it("a worker in maintenance keeps asking at the error backoff and says so", async () => {
    const { worker, queueImage, hooks } = setup();
    let pops = 0;
    hooks.set("POST /v2/generate/pop", async (_call, forward) => {
      if (++pops <= 2) {
        return Response.json(
          { message: "Worker test-worker has been put into maintenance mode.", rc: "WorkerMaintenance" },
          { status: 403 },
        );
      }
      return forward();
    });
    const w = worker({ kind: "image", generate: () => bytesOf("x") });
    const maintenance: string[] = [];
    w.on("maintenance", ({ message }) => maintenance.push(message));
    await queueImage();
    const completed = next(w, "completed");
    w.start();
    await completed;
    expect(maintenance).toHaveLength(2);
    expect(w.stats).toMatchObject({ popErrors: 2, completed: 1, state: "running" });
  });

  it("surfaces moderator messages once each, and the skip reasons of empty pops", async () => {
    const { worker, queueImage, hooks } = setup();
    const message = { id: "m-1", message: "Please update your worker", origin: "db0", expiry: "2026-01-02" };
    hooks.set("POST /v2/generate/pop", async (_call, forward) => {
      const res = await forward();
      const json = await res.json();
      return Response.json({ ...json, messages: [message] }, { status: res.status });
    });
    const w = worker({ kind: "image", maxPixels: 512 * 512, generate: () => bytesOf("x") });
    const messages: HordeWorkerEvents["message"][] = [];
    w.on("message", (m) => messages.push(m));
    await queueImage({}, { width: 1024, height: 1024 });
    const skipped = next(w, "skipped");
    w.start();
    expect((await skipped).reasons).toMatchObject({ max_pixels: 1 });
    await next(w, "skipped");
    const stats = await w.stop();
    expect(messages).toEqual([message]);
    expect(stats.messages).toEqual([message]);
    expect(stats.skipped).toMatchObject({ max_pixels: 1 });
    expect(stats.emptyPops).toBeGreaterThanOrEqual(2);
  });

  it("backs off between empty pops, and a stop while idle returns at once", async () => {
    const { worker, calls, clock } = setup();
    const w = worker({
      kind: "image",
      popIntervalMs: 1_000,
      maxPopIntervalMs: 4_000,
      generate: () => bytesOf("x"),
    });
    w.start();
    for (let i = 0; i < 6; i++) await next(w, "skipped");
    const times = calls.filter((c) => c.path === "/v2/generate/pop").map((c) => c.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps.slice(0, 5)).toEqual([1000, 1500, 2250, 3375, 4000]);
    const before = clock.now();
    await w.stop();
    expect(clock.now() - before).toBeLessThan(1000);
  });

  it("rejects bad options before anything is sent", () => {
    // biome-ignore lint/suspicious/noExplicitAny: invalid input on purpose
    const bad = (o: any) => () => new HordeWorker(o);
    expect(bad({ kind: "video", apiKey: "k".repeat(22), generate: () => null })).toThrow(/kind/);
    expect(bad({ kind: "image", apiKey: "k".repeat(22) })).toThrow(/generate/);
    expect(bad({ kind: "image", apiKey: "k".repeat(22), generate: () => null, threads: 0 })).toThrow(
      /threads/,
    );
    expect(bad({ kind: "image", apiKey: "k".repeat(22), generate: () => null, amount: 21 })).toThrow(
      /amount/,
    );
    expect(bad({ kind: "image", generate: () => null })).toThrow(/anonymous/);
  });
});
