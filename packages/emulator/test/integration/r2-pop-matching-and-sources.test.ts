import { setup, TINY_WEBP } from "horde-test-support/emulator";
import sharp from "sharp";
import { describe, expect, test } from "vitest";

describe("local R2 (§5.4)", () => {
  async function uploaded() {
    const h = setup();
    const id = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    return { h, id, job };
  }

  test("PUT checks the signature: an edited or reused URL is refused", async () => {
    const { h, job } = await uploaded();
    const url = new URL(job.r2_upload);
    const tampered = new URL(url);
    tampered.searchParams.set("sig", "0".repeat(64));
    const bad = await h.put(tampered.href, TINY_WEBP);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    const later = new URL(url);
    later.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 3600));
    expect((await h.put(later.href, TINY_WEBP)).status).toBe(403);
    const unsigned = new URL(url.pathname, url.origin);
    expect((await h.put(unsigned.href, TINY_WEBP)).status).toBe(403);
    // An upload URL does not download, even for the same key.
    expect((await h.emu.fetch(url.href)).status).toBe(403);
    expect((await h.put(url.href, TINY_WEBP)).status).toBe(200);
  });

  test("upload URLs expire after 1800 s", async () => {
    const { h, job } = await uploaded();
    await h.clock.advance(1800_000 + 1000);
    const res = await h.put(job.r2_upload, TINY_WEBP);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Request has expired");
  });

  test("download URLs expire after 1800 s; a new status call gives a fresh one", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 2 } })).body.id;
    const job = (await h.pop()).body;
    await h.put(job.r2_upload, TINY_WEBP);
    await h.submit({ id: job.id });
    const img = (await h.status(id)).body.generations[0].img as string;
    expect((await h.emu.fetch(img)).status).toBe(200);
    // Keep the request alive (it expires 20 min after its last activity) with a pop of the 2nd image.
    await h.clock.advance(1000_000);
    await h.pop();
    await h.clock.advance(801_000);
    expect((await h.emu.fetch(img)).status).toBe(403);
    const fresh = (await h.status(id)).body.generations[0].img as string;
    const res = await h.emu.fetch(fresh);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_WEBP)).toBe(true);
  });

  test("a worker that submits R2 without uploading leaves a URL that 404s (NoSuchKey)", async () => {
    const { h, id, job } = await uploaded();
    await h.submit({ id: job.id });
    const img = (await h.status(id)).body.generations[0].img as string;
    const res = await h.emu.fetch(img);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("NoSuchKey");
  });
});

describe("worker pop matching (§5.1, §5.5)", () => {
  test("the anonymous key cannot run a worker", async () => {
    const h = setup();
    const res = await h.pop({}, "0000000000");
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: expect.any(String), rc: "AnonForbiddenWorker" });
  });

  test("unknown key → 401, someone else's worker name → 403 WrongCredentials", async () => {
    const h = setup();
    expect((await h.pop({}, "nope")).body.rc).toBe("InvalidAPIKey");
    await h.pop();
    const other = await h.pop({}, h.requester.apikey);
    expect([other.status, other.body.rc]).toEqual([403, "WrongCredentials"]);
  });

  test("no job: the full pop shape, id null, ids [], skipped with the always-present keys", async () => {
    const h = setup();
    const res = await h.pop();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      // The payload model's defaults, and every other field of the pop at null (or its default).
      payload: {
        sampler_name: "k_euler_a",
        cfg_scale: 7.5,
        height: 512,
        width: 512,
        karras: false,
        tiling: false,
        hires_fix: false,
        transparent: false,
        image_is_control: false,
        return_control_map: false,
        ddim_steps: 30,
        n_iter: 1,
      },
      id: null,
      ids: [],
      messages: [],
      ttl: null,
      model: null,
      source_image: null,
      source_processing: "img2img",
      source_mask: null,
      extra_source_images: null,
      r2_upload: null,
      r2_uploads: null,
      skipped: {
        bridge_version: 0,
        untrusted: 0,
        performance: 0,
        controlnet: 0,
        "post-processing": 0,
        lora: 0,
        nsfw: 0,
        unsafe_ip: 0,
        painting: 0,
        img2img: 0,
        worker_id: 0,
        models: 0,
      },
    });
  });

  test("an unknown bridge agent never gets r2 requests (the default)", async () => {
    const h = setup();
    await h.generate();
    // The pop's query leaves the request out without a reason: it runs the legacy worker's samplers, so
    // the queue-wide count has no bridge_version skip either.
    const unknown = await h.pop({ bridge_agent: "unknown:0:unknown" });
    expect(unknown.body.id).toBeNull();
    expect(unknown.body.skipped.bridge_version).toBe(0);
    const noAgent = await h.call("POST", "/v2/generate/pop", {
      apikey: h.owner.apikey,
      body: { name: "agentless", models: ["stable_diffusion"] },
    });
    expect(noAgent.body.id).toBeNull();
    // An r2: false request is fine for it.
    await h.generate({ r2: false });
    expect((await h.pop({ bridge_agent: "unknown:0:unknown" })).body.id).not.toBeNull();
  });

  test("models, nsfw and max_pixels are matched and counted in skipped", async () => {
    const h = setup();
    await h.generate({ models: ["Deliberate"] });
    await h.generate({ nsfw: true });
    await h.generate({ params: { width: 1024, height: 1024 }, nsfw: false });
    const res = await h.pop({ nsfw: false });
    expect(res.body.id).toBeNull();
    // Counted over the whole queue, one count per rule: requests are nsfw by default (the first two), and
    // max_pixels counts an area equal to the worker's limit too (all three).
    expect(res.body.skipped).toMatchObject({ models: 1, nsfw: 2, max_pixels: 3 });
    const big = await h.pop({ nsfw: false, max_pixels: 1024 * 1024 });
    expect(big.body.payload.width).toBe(1024);
    expect((await h.pop({ models: ["Deliberate"], name: "w2" })).body.model).toBe("Deliberate");
  });

  test("requests with models: [] go to any worker", async () => {
    const h = setup();
    await h.generate({ models: [] });
    const res = await h.pop({ models: ["Some Model"] });
    expect(res.body.model).toBe("Some Model");
  });

  test("the worker's owner is served first", async () => {
    const h = setup();
    await h.generate({ prompt: "alice's" });
    await h.generate({ prompt: "bob's own" }, h.owner.apikey);
    expect((await h.pop()).body.payload.prompt).toBe("bob's own");
  });

  test("an untrusted user with more than 3 workers cannot add one (so the 4th is still accepted)", async () => {
    const h = setup();
    for (const name of ["w1", "w2", "w3", "w4"])
      expect((await h.pop({ name }, h.requester.apikey)).status).toBe(200);
    const fifth = await h.pop({ name: "w5" }, h.requester.apikey);
    expect([fifth.status, fifth.body.rc]).toEqual([403, "TooManyWorkers"]);
  });

  test("a seeded request gives the worker that seed; seed text is folded to an integer", async () => {
    const h = setup();
    await h.generate({ params: { seed: "12345" } });
    expect((await h.pop()).body.payload.seed).toBe("12345");
    await h.generate({ params: { seed: "abc" } });
    // Its UTF-8 bytes read little-endian, as the oracle does ("abc" → 0x636261).
    expect((await h.pop()).body.payload.seed).toBe(String(0x636261));
  });
});

describe("source images (§1.1.2 step 9, §5.1)", () => {
  const png = async (width: number, height: number, alpha = false) =>
    (
      await sharp({
        create: { width, height, channels: alpha ? 4 : 3, background: { r: 200, g: 20, b: 20, alpha: 1 } },
      })
        .png()
        .toBuffer()
    ).toString("base64");

  test("a base64 source is stored as WebP; r2_source bridges get a presigned URL, others base64", async () => {
    const h = setup();
    const source = await png(64, 64);
    expect((await h.generate({ source_image: source, params: { width: 64, height: 64 } })).status).toBe(202);
    const job = (await h.pop()).body;
    expect(job.source_image).toMatch(/^http:\/\/horde\.local\/_r2\/.+_src\.webp\?expires=\d+&sig=/);
    expect(job.source_processing).toBe("img2img");
    const stored = await h.emu.fetch(job.source_image);
    expect((await sharp(Buffer.from(await stored.arrayBuffer())).metadata()).format).toBe("webp");

    // A legacy bridge without r2_source (before version 14; and an r2:false request it may take) gets
    // base64 WebP.
    await h.generate({ source_image: source, r2: false, params: { width: 64, height: 64 } });
    const legacy = (await h.pop({ name: "legacy", bridge_agent: "AI Horde Worker:13:x" })).body;
    expect(legacy.source_image).not.toMatch(/^http/);
    expect((await sharp(Buffer.from(legacy.source_image, "base64")).metadata()).format).toBe("webp");
  });

  test("undecodable, too large, and inpainting without mask or alpha", async () => {
    const h = setup();
    const bad = await h.generate({ source_image: Buffer.from("nope").toString("base64") });
    expect([bad.status, bad.body.rc]).toEqual([400, "ImageValidationFailed"]);
    const big = await h.generate({ source_image: await png(3200, 3100) });
    expect([big.status, big.body.rc]).toEqual([400, "SourceImageResolutionExceeded"]);
    const paint = await h.generate({ source_image: await png(64, 64), source_processing: "inpainting" });
    expect([paint.status, paint.body.rc]).toEqual([400, "InpaintingMissingMask"]);
    const withAlpha = await h.generate({
      source_image: await png(64, 64, true),
      source_processing: "inpainting",
    });
    expect(withAlpha.status).toBe(202);
    const mask = await h.generate({
      source_image: await png(64, 64),
      source_mask: await png(64, 64),
      source_processing: "inpainting",
    });
    expect(mask.status).toBe(202);
    // Inpainting goes to workers that serve an inpainting model.
    const painter = { models: ["stable_diffusion", "stable_diffusion_inpainting"] };
    const first = (await h.pop(painter)).body;
    expect(first.source_processing).toBe("inpainting");
    expect(first.source_mask).toBeNull();
    expect((await h.pop(painter)).body.source_mask).toMatch(/_msk\.webp/);
  });
});
