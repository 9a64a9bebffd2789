import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createEmulator,
  drawPicture,
  type Emulator,
  silentLogger,
  VirtualClock,
  writeText,
} from "horde-emulator";
import type { Json } from "horde-test-support/emulator";
import { solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, test } from "vitest";

const ORIGIN = "http://horde.local";

async function json(res: Response): Promise<Json> {
  return res.json();
}

/** An image request submitted with the anonymous key, as its 202 body (the id). */
async function submitImage(emu: Emulator, body: object): Promise<Json> {
  const res = await emu.fetch(`${ORIGIN}/api/v2/generate/async`, {
    method: "POST",
    headers: { apikey: "0000000000", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return json(res);
}

describe("dev workers in the emulator", () => {
  test("a request is served end to end on a manual clock, with progress along the way", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, logger: silentLogger, devWorkers: 1 });
    await clock.advance(0); // let the dev worker's first (empty) pop settle
    try {
      const created = await submitImage(emu, {
        prompt: "a tiny robot",
        params: { width: 640, height: 384, seed: "7" },
      });
      const check = async () => json(await emu.fetch(`${ORIGIN}/api/v2/generate/check/${created.id}`));
      // The dev worker popped once at start (nothing then) and pops again after its interval.
      expect(await check()).toMatchObject({ waiting: 1, processing: 0, is_possible: true });
      await clock.advance(1000);
      expect(await check()).toMatchObject({ waiting: 0, processing: 1, done: false });
      await clock.advance(1500);
      const status = await json(await emu.fetch(`${ORIGIN}/api/v2/generate/status/${created.id}`));
      expect(status).toMatchObject({ finished: 1, done: true });
      expect(status.generations[0].worker_name).toBe("dev-worker-1");
      const img = new Uint8Array(await (await emu.fetch(status.generations[0].img)).arrayBuffer());
      const meta = await sharp(img).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", 640, 384]);
      // What the dev worker drew is the deterministic picture of that prompt and seed.
      const expected = await drawPicture({ prompt: "a tiny robot", seed: 7, width: 640, height: 384 });
      expect(Buffer.from(img).equals(Buffer.from(expected))).toBe(true);
      expect(emu.devWorkers[0]?.stats.delivered).toBe(1);
    } finally {
      await emu.close();
    }
  });

  test("with an auto-advancing clock a polling client runs to completion in real milliseconds", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({
      clock,
      logger: silentLogger,
      // Three submits at one virtual instant would exceed the 2/s limit of /generate/async.
      rateLimits: false,
      devWorkers: [{ name: "fast", generationMs: 30_000 }, { name: "second" }],
    });
    try {
      const started = Date.now();
      const ids: string[] = [];
      for (const prompt of ["one", "two", "three"]) {
        ids.push((await submitImage(emu, { prompt, params: { n: 2 } })).id);
      }
      for (const id of ids) {
        for (let i = 0; i < 1000; i++) {
          const c = await json(await emu.fetch(`${ORIGIN}/api/v2/generate/check/${id}`));
          if (c.done) break;
          await clock.sleep(1000);
        }
        const s = await json(await emu.fetch(`${ORIGIN}/api/v2/generate/status/${id}`));
        expect(s).toMatchObject({ done: true, finished: 2, restarted: 0 });
      }
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(emu.admin.stats()).toMatchObject({ requests: { done: 3 }, orphaned: [] });
    } finally {
      await emu.close();
    }
  });

  test("stop() while generating reports the job faulted; it is re-queued", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, logger: silentLogger });
    const worker = emu.startDevWorker({ generationMs: 10_000 });
    const created = await submitImage(emu, { prompt: "interrupted" });
    await clock.advance(1000);
    const check = async () => json(await emu.fetch(`${ORIGIN}/api/v2/generate/check/${created.id}`));
    expect(await check()).toMatchObject({ processing: 1 });
    await worker.stop();
    expect(worker.stats.faulted).toBe(1);
    // The server caches a check's answer for a second.
    await clock.advance(1000);
    expect(await check()).toMatchObject({ processing: 0, restarted: 1, waiting: 1, done: false });
    await emu.close();
  });

  test("a dev worker is a HordeWorker: its events and full stats are at hand", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({ clock, logger: silentLogger });
    const worker = emu.startDevWorker({ name: "evented", amount: 2 });
    const completed: string[] = [];
    worker.worker.on("completed", ({ id }) => completed.push(id));
    try {
      const created = await submitImage(emu, {
        prompt: "two of them",
        params: { n: 2, width: 64, height: 64 },
      });
      for (let i = 0; i < 100; i++) {
        if ((await json(await emu.fetch(`${ORIGIN}/api/v2/generate/check/${created.id}`))).done) break;
        await clock.sleep(1000);
      }
      expect(completed).toHaveLength(2);
      expect(worker.stats).toMatchObject({ delivered: 2, faulted: 0, errors: 0 });
      expect(worker.worker.stats).toMatchObject({ kind: "image", name: "evented", completed: 2, popped: 2 });
    } finally {
      await emu.close();
    }
    expect(worker.running).toBe(false);
    expect(worker.worker.state).toBe("stopped");
  });

  test("an alchemy source URL is downloaded at submit; the dev worker, which reaches only the emulator, assumes a 512² picture", async () => {
    const picture = await solidPng(200, 100, "#2050c0");
    const server = createServer((_req, res) => res.end(picture));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/picture.png`;
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({ clock, logger: silentLogger, devWorkers: [{ type: "alchemy" }] });
    try {
      const res = await emu.fetch(`${ORIGIN}/api/v2/interrogate/async`, {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({
          forms: [{ name: "caption" }, { name: "RealESRGAN_x2plus" }],
          source_image: url,
        }),
      });
      const { id } = await json(res);
      let status: Json = null;
      for (let i = 0; i < 100; i++) {
        status = await json(await emu.fetch(`${ORIGIN}/api/v2/interrogate/status/${id}`));
        if (status.state === "done") break;
        await clock.sleep(1000);
      }
      expect(status.state).toBe("done");
      expect(status.forms[0].result.caption).toMatch(/^an abstract square picture in shades of /);
      // Assumed 512×512 (README), upscaled ×2.
      const up = await sharp(
        Buffer.from(await (await emu.fetch(status.forms[1].result.RealESRGAN_x2plus)).arrayBuffer()),
      ).metadata();
      expect([up.width, up.height]).toEqual([1024, 1024]);
      expect(emu.devWorkers[0]?.stats).toMatchObject({ delivered: 2, faulted: 0 });
    } finally {
      await emu.close();
      await new Promise((ok) => server.close(ok));
    }
  });

  test("the dev worker owner survives reset()", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, logger: silentLogger, devWorkers: 1 });
    emu.admin.reset();
    const created = await submitImage(emu, { prompt: "after reset" });
    await clock.advance(2500);
    const c = await json(await emu.fetch(`${ORIGIN}/api/v2/generate/check/${created.id}`));
    expect(c).toMatchObject({ done: true, finished: 1 });
    await emu.close();
  });
});

describe("devWorkers: N", () => {
  test("devWorkers: 1 starts an image, a text and an alchemy worker; devWorkerSpeed shortens the work", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, logger: silentLogger, devWorkers: 1, devWorkerSpeed: 10 });
    try {
      expect(emu.devWorkers.map((w) => [w.name, w.type])).toEqual([
        ["dev-worker-1", "image"],
        ["dev-text-worker-1", "text"],
        ["dev-alchemist-1", "alchemy"],
      ]);
      await clock.advance(0);
      const res = await emu.fetch(`${ORIGIN}/api/v2/generate/text/async`, {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "Tell me a story", params: { max_length: 100 } }),
      });
      const { id } = await json(res);
      // The next pop is 1000 ms away; the work takes 1500 / 10 ms.
      await clock.advance(1000 + 150);
      const status = await json(await emu.fetch(`${ORIGIN}/api/v2/generate/text/status/${id}`));
      expect(status).toMatchObject({ done: true, finished: 1 });
      expect(status.generations[0]).toMatchObject({
        worker_name: "dev-text-worker-1",
        model: "koboldcpp/LLaMA2-13B-Psyfighter2",
        text: writeText({ prompt: "Tell me a story", maxLength: 100 }),
      });
    } finally {
      await emu.close();
    }
  });
});
