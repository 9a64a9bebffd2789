/**
 * The emulator's security rules: presigned R2 URLs (signature and expiry checked on PUT and GET), worker
 * ownership (a worker submits only jobs it popped; another account cannot), anonymous workers refused, the
 * body cap (413) and the JSON depth cap (400), with no state change on any refusal.
 */

import { type Json, setup, TINY_WEBP } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

async function popped(h: ReturnType<typeof setup>) {
  const id = (await h.generate()).body.id as string;
  const job = (await h.pop()).body as Json;
  expect(job.id).toBeTruthy();
  return { id, job };
}

describe("R2 presigned URLs", () => {
  test("a tampered, missing or foreign signature is refused; the object is not stored", async () => {
    const h = setup();
    const { job } = await popped(h);
    const url = new URL(job.r2_upload);
    const sig = url.searchParams.get("sig") as string;
    const variants: string[] = [];
    const flip = `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`;
    for (const [k, v] of [
      ["sig", flip],
      ["sig", ""],
      ["expires", String(Number(url.searchParams.get("expires")) + 3600)],
    ] as const) {
      const u = new URL(url);
      u.searchParams.set(k, v);
      variants.push(u.toString());
    }
    const noSig = new URL(url);
    noSig.searchParams.delete("sig");
    variants.push(noSig.toString());
    // A valid signature of another key.
    const other = (await popped(h)).job.r2_upload as string;
    const swapped = new URL(url);
    swapped.searchParams.set("sig", new URL(other).searchParams.get("sig") as string);
    swapped.searchParams.set("expires", new URL(other).searchParams.get("expires") as string);
    variants.push(swapped.toString());
    for (const v of variants) {
      const res = await h.put(v, TINY_WEBP);
      expect([res.status >= 400 && res.status < 500, v]).toEqual([true, v]);
    }
    // Nothing was stored: the real URL reads nothing back yet, then works once.
    const got = await h.emu.fetch(url.toString());
    expect(got.status).toBeGreaterThanOrEqual(400);
    expect((await h.put(url.toString(), TINY_WEBP)).status).toBeLessThan(300);
  });

  test("an expired URL is refused (1800 s)", async () => {
    const h = setup();
    const { job } = await popped(h);
    await h.clock.advance(1801 * 1000);
    const res = await h.put(job.r2_upload, TINY_WEBP);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("worker ownership", () => {
  test("another account's worker cannot submit a job it did not pop; the owner still can", async () => {
    const h = setup();
    const { id, job } = await popped(h);
    await h.put(job.r2_upload, TINY_WEBP);
    const mallory = h.emu.admin.createUser({ username: "mallory", trusted: true });
    // Mallory registers a worker of her own, then tries to submit bob's job.
    await h.pop({ name: "mallory-worker" }, mallory.apikey);
    const stolen = await h.submit({ id: job.id }, mallory.apikey);
    expect(stolen.status).toBeGreaterThanOrEqual(400);
    expect(stolen.status).toBeLessThan(500);
    expect((await h.check(id)).body).toMatchObject({ finished: 0, processing: 1 });
    expect(h.emu.admin.getUser(mallory.apikey)?.kudosEarned).toBe(0);
    const anon = await h.submit({ id: job.id }, "0000000000");
    expect(anon.status).toBeGreaterThanOrEqual(400);
    const honest = await h.submit({ id: job.id });
    expect(honest.status).toBe(200);
    expect((await h.check(id)).body).toMatchObject({ finished: 1, done: true });
    // A second submit of the same job is refused and pays nothing more.
    const before = h.emu.admin.getUser(h.owner.apikey)?.kudosEarned;
    const again = await h.submit({ id: job.id });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(h.emu.admin.getUser(h.owner.apikey)?.kudosEarned).toBe(before);
  });

  test("anonymous and unknown keys cannot run workers (image, text, alchemy pops)", async () => {
    const h = setup();
    await h.generate();
    for (const apikey of ["0000000000", "not-a-key", ""]) {
      for (const pop of [h.pop, h.textPop, h.alchemyPop]) {
        const res = await pop({}, apikey);
        expect([res.status >= 400 && res.status < 500, apikey]).toEqual([true, apikey]);
        expect(res.body?.id ?? null).toBeNull();
      }
    }
    expect((await h.check((await h.generate()).body.id)).body.processing).toBe(0);
  });
});

describe("caps", () => {
  test("a body over maxBodyBytes is 413 and creates nothing", async () => {
    const h = setup({ maxBodyBytes: 4096 });
    const before = h.emu.admin.stats().requests.total;
    const res = await h.generate({ prompt: "x".repeat(8192) });
    expect(res.status).toBe(413);
    expect(res.body).toHaveProperty("message");
    expect(h.emu.admin.stats().requests.total).toBe(before);
  });

  test("JSON nested deeper than 64 levels is a 400, at any endpoint that reads a body", async () => {
    const h = setup();
    const deep = `${"[".repeat(100)}${"]".repeat(100)}`;
    for (const path of [
      "/v2/generate/async",
      "/v2/generate/text/async",
      "/v2/generate/pop",
      "/v2/interrogate/async",
    ]) {
      const res = await h.call("POST", path, { apikey: h.requester.apikey, rawBody: `{"prompt": ${deep}}` });
      expect([path, res.status]).toEqual([path, 400]);
    }
  });
});
