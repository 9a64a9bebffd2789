import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { schemas } from "horde-sdk";
import { conformance, type Json, ORIGIN, setup, TINY_WEBP } from "horde-test-support/emulator";
import { solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, test } from "vitest";

const picture = async (width: number, height: number) =>
  (await solidPng(width, height, { r: 30, g: 80, b: 200 })).toString("base64");

/** A JPEG whose header says width × height (cheap: only the header is read before the size check). */
async function claimedSize(width: number, height: number): Promise<string> {
  const small = await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 0 } },
  })
    .jpeg()
    .toBuffer();
  const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
  const out = Buffer.from(small);
  out.writeUInt16BE(height, sof + 5);
  out.writeUInt16BE(width, sof + 7);
  return out.toString("base64");
}

describe("alchemy lifecycle (§6.2)", () => {
  test("async → status → pop → PUT R2 → submit → status, with the server's shapes", async () => {
    const h = setup();
    const created = await h.interrogate({
      forms: [{ name: "caption" }, { name: "RealESRGAN_x2plus" }],
      source_image: await picture(64, 32),
    });
    expect(created.status).toBe(202);
    // §6.2: the 202 has the id only.
    expect(Object.keys(created.body)).toEqual(["id"]);
    expect(conformance(schemas.RequestInterrogationResponse, created.body)).toEqual([]);
    const id: string = created.body.id;

    // A form without a result has no `result` key.
    const waiting = await h.alchemyStatus(id);
    expect(waiting.body).toEqual({
      state: "waiting",
      forms: [
        { form: "caption", state: "waiting" },
        { form: "RealESRGAN_x2plus", state: "waiting" },
      ],
    });
    expect(conformance(schemas.InterrogationStatus, waiting.body)).toEqual([]);

    const popped = await h.alchemyPop({ amount: 2 });
    expect(popped.status).toBe(200);
    expect(conformance(schemas.InterrogationPopPayload, popped.body)).toEqual([]);
    expect(popped.body.skipped).toEqual({});
    const [caption, upscale] = popped.body.forms as Json[];
    // No payload was given, so the form has none.
    expect(caption.form).toBe("caption");
    expect(caption).not.toHaveProperty("payload");
    expect(caption).not.toHaveProperty("r2_upload");
    expect(caption.source_image).toMatch(/^http:\/\/horde\.local\/_r2\/.+_src\.webp\?expires=\d+&sig=/);
    expect(upscale.form).toBe("RealESRGAN_x2plus");
    expect(upscale.r2_upload).toMatch(/^http:\/\/horde\.local\/_r2\/.+\.webp\?expires=/);
    // The worker can read the source it was given.
    const src = await h.emu.fetch(caption.source_image);
    expect((await sharp(Buffer.from(await src.arrayBuffer())).metadata()).width).toBe(64);
    expect((await h.alchemyStatus(id)).body.state).toBe("processing");

    expect((await h.alchemySubmit({ id: caption.id, result: { caption: "a blue rectangle" } })).body).toEqual(
      {
        reward: 1,
      },
    );
    expect((await h.put(upscale.r2_upload, TINY_WEBP)).status).toBe(200);
    // A post-processor form is worth 3 per 512² tile.
    expect((await h.alchemySubmit({ id: upscale.id, result: { RealESRGAN_x2plus: "R2" } })).body).toEqual({
      reward: 3,
    });
    const done = (await h.alchemyStatus(id)).body;
    expect(done.state).toBe("done");
    expect(done.forms[0]).toEqual({
      form: "caption",
      state: "done",
      result: { caption: "a blue rectangle" },
    });
    const url = done.forms[1].result.RealESRGAN_x2plus as string;
    expect(url).toMatch(/^http:\/\/horde\.local\/_r2\//);
    expect((await h.emu.fetch(url)).status).toBe(200);
    // The requester paid value + 1 + 1 (slow workers) per form.
    expect(h.emu.admin.getUser(h.requester.apikey)?.kudos).toBe(100 - (1 + 2) - (3 + 2));
    expect((await h.alchemySubmit({ id: caption.id })).body.rc).toBe("DuplicateGen");
  });

  test("DELETE settles processing forms and cancels waiting ones for free", async () => {
    const h = setup();
    const id = (await h.interrogate({ forms: [{ name: "caption" }, { name: "nsfw" }] })).body.id;
    await h.alchemyPop();
    const cancelled = await h.alchemyCancel(id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({
      state: "partial",
      forms: [
        { form: "caption", state: "cancelled" },
        { form: "nsfw", state: "cancelled" },
      ],
    });
    // The popped form was paid for (1 + 2), the waiting one not.
    expect(h.emu.admin.getUser(h.requester.apikey)?.kudos).toBe(97);
  });

  test("a form has 3 min; the 4th abort faults it (§6.2)", async () => {
    const h = setup();
    const id = (await h.interrogate()).body.id;
    for (let abort = 1; abort <= 4; abort++) {
      const form = (await h.alchemyPop()).body.forms[0];
      expect(form).toBeDefined();
      await h.clock.advance(3 * 60_000 + 1);
      const s = (await h.alchemyStatus(id)).body;
      expect(s.forms[0].state).toBe(abort < 4 ? "waiting" : "faulted");
      if (abort === 1) expect((await h.alchemySubmit({ id: form.id })).body.rc).toBe("DuplicateGen");
    }
    expect((await h.alchemyStatus(id)).body.state).toBe("faulted");
    expect((await h.alchemyPop()).body).toEqual({ forms: null, skipped: {} });
  });

  test("a worker-reported fault puts the form back to waiting", async () => {
    const h = setup();
    const id = (await h.interrogate()).body.id;
    const form = (await h.alchemyPop()).body.forms[0];
    expect((await h.alchemySubmit({ id: form.id, state: "faulted", result: {} })).body).toEqual({
      reward: 0,
    });
    expect((await h.alchemyStatus(id)).body.forms[0].state).toBe("waiting");
  });

  test("errors: unknown form, missing source, too many tiles, unknown ids, concurrency ×10", async () => {
    const h = setup();
    const badForm = await h.interrogate({ forms: [{ name: "levitate" }] });
    expect(badForm.status).toBe(400);
    expect(badForm.body.errors).toHaveProperty("forms.0.name");
    const noSource = await h.call("POST", "/v2/interrogate/async", {
      apikey: h.requester.apikey,
      body: { forms: [{ name: "caption" }] },
    });
    expect(Object.keys(noSource.body.errors)).toEqual(["source_image"]);
    const notAnImage = await h.interrogate({ source_image: Buffer.from("not an image").toString("base64") });
    expect([notAnImage.status, notAnImage.body.rc]).toEqual([400, "ImageValidationFailed"]);
    const huge = await h.interrogate({ source_image: await claimedSize(9000, 9000) });
    expect([huge.status, huge.body.rc]).toEqual([400, "SourceImageResolutionExceeded"]);
    expect((await h.alchemyStatus("nope")).body.rc).toBe("RequestNotFound");
    expect((await h.alchemySubmit({ id: "nope" })).body.rc).toBe("InvalidJobID");
    const few = h.emu.admin.createUser({ username: "few", concurrency: 1 });
    const forms = Array.from({ length: 11 }, () => ({ name: "caption" }));
    const tooMany = await h.interrogate({ forms }, few.apikey);
    expect([tooMany.status, tooMany.body.rc]).toEqual([429, "TooManyPrompts"]);
    expect((await h.interrogate({ forms: forms.slice(1) }, few.apikey)).status).toBe(202);
  });

  test("a URL source from the emulator's own R2 is read from there; the URL is what the worker gets", async () => {
    const h = setup();
    const imageId = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    await h.put(job.r2_upload, TINY_WEBP);
    await h.submit({ id: job.id });
    const img = (await h.status(imageId)).body.generations[0].img as string;
    expect((await h.interrogate({ source_image: img })).status).toBe(202);
    const forms = (await h.alchemyPop({ amount: 5 })).body.forms as Json[];
    expect(forms.map((f) => f.source_image)).toEqual([img]);
  });
});

describe("the alchemy dev worker", () => {
  test("captions, nsfw verdicts and upscaled images resized with sharp", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({
      clock,
      logger: silentLogger,
      devWorkers: [{ type: "alchemy" }],
    });
    try {
      const res = await emu.fetch(`${ORIGIN}/api/v2/interrogate/async`, {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({
          forms: [
            { name: "caption" },
            { name: "nsfw" },
            { name: "RealESRGAN_x4plus" },
            { name: "strip_background" },
          ],
          source_image: await picture(96, 64),
        }),
      });
      const { id } = (await res.json()) as { id: string };
      let status: Json = null;
      for (let i = 0; i < 100; i++) {
        status = await (await emu.fetch(`${ORIGIN}/api/v2/interrogate/status/${id}`)).json();
        if (status.state === "done") break;
        await clock.sleep(1000);
      }
      expect(status.state).toBe("done");
      const [caption, nsfw, upscale, strip] = status.forms as Json[];
      expect(caption.result.caption).toBe("an abstract landscape picture in shades of blue");
      expect(nsfw.result).toEqual({ nsfw: false });
      const up = await sharp(
        Buffer.from(await (await emu.fetch(upscale.result.RealESRGAN_x4plus)).arrayBuffer()),
      ).metadata();
      expect([up.format, up.width, up.height]).toEqual(["webp", 384, 256]);
      const stripped = await sharp(
        Buffer.from(await (await emu.fetch(strip.result.strip_background)).arrayBuffer()),
      ).metadata();
      expect(stripped.hasAlpha).toBe(true);
    } finally {
      await emu.close();
    }
  });
});
