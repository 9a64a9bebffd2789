/**
 * The one submit pipeline of image and text requests (§1.1.2, §6.1): the steps run in the server's order,
 * so the first error is the server's; kind-specific steps come in as data.
 */
import { describe, expect, test } from "vitest";
import { HordeError } from "../../../src/horde/errors.js";
import { submitImage } from "../../../src/horde/image/submit.js";
import { submitText } from "../../../src/horde/text/submit.js";
import { NO_TEXT_WORKER_MESSAGE, NO_WORKER_MESSAGE } from "../../../src/horde/views/request-status.js";
import { horde } from "./fixture.js";

/** The rc a submit is refused with, or "accepted". */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (e) {
    if (e instanceof HordeError) return e.rc;
    throw e;
  }
}

describe("the submit pipeline", () => {
  test("a cached dry run answers before the key is looked up (§1.1.2 step 3)", async () => {
    const h = horde();
    const body = { prompt: "a lighthouse", dry_run: true, params: { steps: 20 } };
    const first = await submitImage(h.store, body, h.caller(h.alice));
    expect(first).toEqual({ dryRun: true, body: { kudos: expect.any(Number) } });
    const unknownKey = { ...h.caller(h.alice), apikey: "nobody" };
    expect(await submitImage(h.store, body, unknownKey)).toEqual(first);
    // Another request is not in the cache: the unknown key is refused.
    expect(await outcome(submitImage(h.store, { ...body, params: { steps: 21 } }, unknownKey))).toBe(
      "InvalidAPIKey",
    );
  });

  test("the order of the first steps is the same for both kinds: style, maintenance, key, prompt", async () => {
    const h = horde();
    const unknownKey = { ...h.caller(h.alice), apikey: "nobody" };
    const maintenance = { ...unknownKey, maintenance: true };
    for (const submit of [submitImage, submitText]) {
      const bad = { prompt: "", style: "s" };
      expect(await outcome(submit(h.store, bad, maintenance))).toBe("StyleNotFound");
      expect(await outcome(submit(h.store, { prompt: "" }, maintenance))).toBe("MaintenanceMode");
      expect(await outcome(submit(h.store, { prompt: "" }, unknownKey))).toBe("InvalidAPIKey");
      expect(await outcome(submit(h.store, { prompt: "" }, h.caller(h.alice)))).toBe("MissingPrompt");
    }
  });

  test("activation charges the tax and queues the request; the 202 warns when no worker can serve it", async () => {
    const h = horde();
    const image = await submitImage(h.store, { prompt: "a lighthouse", params: { n: 2 } }, h.caller(h.alice));
    const text = await submitText(h.store, { prompt: "Once" }, h.caller(h.alice));
    // K of a 512², 30-step image is 7.61; text says 0 (QUIRK(§6.1)).
    expect(image).toEqual({
      dryRun: false,
      body: { id: expect.any(String), kudos: 8, message: NO_WORKER_MESSAGE },
    });
    expect(text).toEqual({
      dryRun: false,
      body: { id: expect.any(String), kudos: 0, message: NO_TEXT_WORKER_MESSAGE },
    });
    // Taxes: 3 for the image, 1 for the text.
    expect(h.alice.kudos).toBe(100 - 3 - 1);
    expect(h.alice.records.request).toMatchObject({ image: 2, text: 1 });
    expect(h.store.requestsOf().map((r) => [r.kind, r.remaining])).toEqual([
      ["image", 2],
      ["text", 1],
    ]);
  });

  test("a request that needs kudos up front is refused, or downgraded when allowed (§9.3)", async () => {
    const h = horde();
    h.store.users.setKudos(h.alice, 30); // 5 above the floor
    const big = { prompt: "a lighthouse", params: { width: 1024, height: 1024, steps: 50 } };
    expect(await outcome(submitImage(h.store, big, h.caller(h.alice)))).toBe("KudosUpfront");
    const downgraded = await submitImage(h.store, { ...big, allow_downgrade: true }, h.caller(h.alice));
    const req = h.store.findRequest("image", (downgraded.body as { id: string }).id);
    // Without a model requirement the steps drop to 30; 1024² fits max_res on an idle horde.
    expect(req?.params).toMatchObject({ width: 1024, height: 1024, steps: 30 });
    expect(req?.upfrontHold).toBe(0);
  });
});
