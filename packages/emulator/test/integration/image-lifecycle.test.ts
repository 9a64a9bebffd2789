import { drawPicture } from "horde-emulator";
import { setup } from "horde-test-support/emulator";
import { progressDoc } from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, test } from "vitest";

const progress = (b: Record<string, unknown>) => ({
  finished: b.finished,
  processing: b.processing,
  restarted: b.restarted,
  waiting: b.waiting,
  done: b.done,
  faulted: b.faulted,
  queue_position: b.queue_position,
  kudos: b.kudos,
  is_possible: b.is_possible,
});

describe("the image lifecycle end to end", () => {
  test("submit → check → pop → PUT R2 → submit → status, with the image downloadable", async () => {
    const h = setup();
    const created = await h.generate({ params: { width: 768, height: 512, steps: 30 } });
    expect(created.status).toBe(202);
    expect(Object.keys(created.body).sort()).toEqual(["id", "kudos", "message", "warnings"]);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    // No worker has checked in yet, so the 202 carries the warning message.
    expect(created.body.message).toMatch(/No available workers/);
    const id: string = created.body.id;

    // A fresh request: queued, first in line, charged only the activation tax.
    const fresh = await h.check(id);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual(progressDoc({ is_possible: false, wait_time: expect.any(Number) }));

    // A worker pops it (768×512 is more than the default max_pixels of 512²).
    expect((await h.pop()).body).toMatchObject({ id: null, ids: [], skipped: { max_pixels: 1 } });
    const popped = await h.pop({ max_pixels: 1024 * 1024 });
    expect(popped.status).toBe(200);
    const job = popped.body;
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.ids).toEqual([job.id]);
    expect(job.model).toBe("stable_diffusion");
    expect(job.ttl).toBe(150);
    expect(job.skipped).toEqual({});
    expect(job.source_processing).toBe("img2img");
    expect(job.r2_uploads).toEqual([job.r2_upload]);
    expect(job.r2_upload).toMatch(
      new RegExp(`^http://horde\\.local/_r2/${job.id}\\.webp\\?expires=\\d+&sig=[0-9a-f]+$`),
    );
    expect(job.payload).toMatchObject({
      prompt: "a lighthouse at dusk",
      width: 768,
      height: 512,
      ddim_steps: 30,
      n_iter: 1,
      sampler_name: "k_euler_a",
      cfg_scale: 5,
      karras: true,
    });
    expect(job.payload).not.toHaveProperty("steps");
    expect(job.payload).not.toHaveProperty("n");
    // QUIRK: an integer, marshalled as a string by the payload model's String field.
    expect(job.payload.seed).toMatch(/^\d+$/);
    // nsfw defaults to true at runtime, so no censor flag (§0.1).
    expect(job.payload).not.toHaveProperty("use_nsfw_censor");

    const processing = await h.check(id);
    expect(progress(processing.body)).toMatchObject({
      finished: 0,
      processing: 1,
      waiting: 0,
      done: false,
      queue_position: 0,
      is_possible: true,
    });

    // The worker draws, uploads and submits.
    const bytes = await drawPicture({ prompt: "a lighthouse at dusk", seed: 7, width: 768, height: 512 });
    const put = await h.put(job.r2_upload, bytes);
    expect(put.status).toBe(200);
    const submitted = await h.submit({ id: job.id, seed: 7 });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toEqual({ reward: expect.any(Number) });
    expect(submitted.body.reward).toBeGreaterThan(0);

    const final = await h.status(id);
    expect(final.status).toBe(200);
    expect(progress(final.body)).toMatchObject({
      finished: 1,
      processing: 0,
      waiting: 0,
      done: true,
      faulted: false,
    });
    expect(final.body.kudos).toBeGreaterThan(3);
    expect(final.body.shared).toBe(false);
    expect(final.body.generations).toHaveLength(1);
    const gen = final.body.generations[0];
    expect(gen).toMatchObject({
      id: job.id,
      seed: "7",
      state: "ok",
      censored: false,
      gen_metadata: [],
      model: "stable_diffusion",
      worker_name: "test-worker",
    });
    expect(gen.worker_id).toMatch(/^[0-9a-f-]{36}$/);

    // The image is downloadable from the R2 URL and is a WebP of the requested size.
    const download = await h.emu.fetch(gen.img);
    expect(download.status).toBe(200);
    const got = new Uint8Array(await download.arrayBuffer());
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
    const meta = await sharp(got).metadata();
    expect(meta.format).toBe("webp");
    expect([meta.width, meta.height]).toEqual([768, 512]);
  });

  test("kudos: the 202 shows round(K), check grows from the tax to tax + burn(reward) (§9.2 worked example)", async () => {
    const h = setup();
    const created = await h.generate();
    expect(created.body.kudos).toBe(8); // K = 7.61 at 512², 30 steps
    expect((await h.check(created.body.id)).body.kudos).toBe(3);
    const job = (await h.pop()).body;
    const submitted = await h.submit({ id: job.id });
    expect(submitted.body.reward).toBeCloseTo(7.61, 2);
    expect((await h.check(created.body.id)).body.kudos).toBe(12); // 3 + 8.61
    const dry = await h.generate({ dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ kudos: 10 });
  });

  test("the status URL is new on every call and valid 1800 s (§1.3)", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    await h.put(job.r2_upload, new Uint8Array([1, 2, 3]));
    await h.submit({ id: job.id });
    const first = (await h.status(id)).body.generations[0].img as string;
    await h.clock.advance(5_000);
    const second = (await h.status(id)).body.generations[0].img as string;
    expect(second).not.toBe(first);
    const expires = Number(new URL(second).searchParams.get("expires"));
    expect(expires).toBe(Math.floor(h.clock.now() / 1000) + 1800);
  });

  test("r2: false returns the WebP inline as base64", async () => {
    const h = setup();
    const id = (await h.generate({ r2: false })).body.id;
    const job = (await h.pop()).body;
    const bytes = await drawPicture({ prompt: "x", seed: 1, width: 512, height: 512 });
    // Submitting base64 still works: the server stores it itself (§5.3).
    await h.submit({ id: job.id, generation: Buffer.from(bytes).toString("base64") });
    const gen = (await h.status(id)).body.generations[0];
    expect(Buffer.from(gen.img, "base64").equals(Buffer.from(bytes))).toBe(true);
  });

  test("n > 1: the waiting count drops as jobs are popped, done only when all are delivered", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 4 } })).body.id;
    expect((await h.check(id)).body).toMatchObject({ waiting: 4, processing: 0 });
    const a = (await h.pop()).body;
    expect((await h.check(id)).body).toMatchObject({ waiting: 3, processing: 1, queue_position: 1 });
    await h.submit({ id: a.id });
    expect((await h.check(id)).body).toMatchObject({ waiting: 3, processing: 0, finished: 1, done: false });
    // §5.2: with the default max_pixels (512²) a batch of 512² images is 1; a bigger worker gets 2.
    const c = (await h.pop({ amount: 2, name: "small" })).body;
    expect(c.ids).toHaveLength(1);
    const b = (await h.pop({ amount: 2, max_pixels: 2048 * 2048 })).body;
    expect(b.ids).toHaveLength(2);
    expect(b.r2_uploads).toHaveLength(2);
    expect(b.payload.n_iter).toBe(2);
    expect((await h.check(id)).body).toMatchObject({
      waiting: 0,
      processing: 3,
      finished: 1,
      queue_position: 0,
    });
    for (const jid of b.ids) await h.submit({ id: jid });
    expect((await h.check(id)).body).toMatchObject({ finished: 3, processing: 1, done: false });
    await h.submit({ id: c.id });
    const done = await h.status(id);
    expect(done.body).toMatchObject({ finished: 4, processing: 0, done: true });
    expect(done.body.generations.map((g: { id: string }) => g.id)).toEqual([a.id, c.id, ...b.ids]);
  });

  test("censorship reported in gen_metadata sets censored and costs the requester only the horde's share", async () => {
    const h = setup();
    const id = (await h.generate({ nsfw: false })).body.id;
    const job = (await h.pop()).body;
    expect(job.payload.use_nsfw_censor).toBe(true);
    const res = await h.submit({
      id: job.id,
      gen_metadata: [{ type: "censorship", value: "nsfw" }],
      censored: false,
    });
    expect(res.status).toBe(200);
    const s = (await h.status(id)).body;
    expect(s.generations[0]).toMatchObject({ censored: true, state: "ok" });
    expect(s.generations[0].gen_metadata).toEqual([{ type: "censorship", value: "nsfw" }]);
    // The activation's 3, then burn(0) = the per-image +1 (docs/server/kudos.md#charge-and-reward).
    expect(s.kudos).toBe(4);
  });

  test("a second submit is DuplicateGen", async () => {
    const h = setup();
    await h.generate();
    const job = (await h.pop()).body;
    expect((await h.submit({ id: job.id })).status).toBe(200);
    const again = await h.submit({ id: job.id });
    expect(again.status).toBe(400);
    expect(again.body.rc).toBe("DuplicateGen");
  });

  test("submit errors: unknown job, wrong owner, unknown key", async () => {
    const h = setup();
    await h.generate();
    const job = (await h.pop()).body;
    const unknown = await h.submit({ id: "00000000-0000-0000-0000-000000000000" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.rc).toBe("InvalidJobID");
    const wrong = await h.submit({ id: job.id }, h.requester.apikey);
    expect(wrong.status).toBe(403);
    expect(wrong.body.rc).toBe("WrongCredentials");
    // QUIRK(§5.3): the server answers a bare 500 for an unknown key on submit.
    const badKey = await h.submit({ id: job.id }, "not-a-key");
    expect(badKey.status).toBe(500);
    expect(badKey.body).toEqual({ message: "Internal Server Error" });
  });

  test("heartbeat", async () => {
    const h = setup();
    const res = await h.call("GET", "/v2/status/heartbeat");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: "OK", version: expect.any(String) });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("DELETE /v2/generate/status/{id} (§1.4)", () => {
  test("returns the snapshot from before the cancel, then reports done", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 2 } })).body.id;
    const res = await h.cancel(id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ waiting: 2, done: false, finished: 0, generations: [] });
    const after = await h.check(id);
    expect(after.body).toMatchObject({ waiting: 0, processing: 0, done: true, queue_position: 0, kudos: 3 });
    // Nothing left to pop.
    expect((await h.pop()).body.id).toBeNull();
    expect(h.emu.admin.stats().requests).toMatchObject({ cancelled: 1, active: 0 });
    expect(h.emu.admin.stats().orphaned).toEqual([]);
  });

  test("popped jobs still finish after the cancel, are charged, and then the request is done", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 3 } })).body.id;
    const job = (await h.pop()).body;
    const snapshot = await h.cancel(id);
    expect(snapshot.body).toMatchObject({ waiting: 2, processing: 1, done: false });
    expect((await h.check(id)).body).toMatchObject({ waiting: 0, processing: 1, done: false });
    const kudosBefore = (await h.check(id)).body.kudos;
    const res = await h.submit({ id: job.id });
    expect(res.status).toBe(200);
    expect(res.body.reward).toBeGreaterThan(0);
    const final = await h.status(id);
    expect(final.body).toMatchObject({ finished: 1, processing: 0, waiting: 0, done: true });
    expect(final.body.generations).toHaveLength(1);
    expect(final.body.kudos).toBeGreaterThan(kudosBefore);
  });

  test("the request keeps answering after a cancel until it expires", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    await h.cancel(id);
    await h.clock.advance(19 * 60_000);
    expect((await h.check(id)).status).toBe(200);
    await h.clock.advance(60_000);
    expect((await h.check(id)).status).toBe(404);
  });
});
