// The webhook receiver: what it answers the horde (which tries again on anything but a 2xx) and that each
// delivery reaches the application once, whatever the horde repeats.
import { createWebhookHandler, HordeValidationError, type HordeWebhook, parseWebhook } from "horde-sdk";
import { describe, expect, it } from "vitest";

const image = {
  img: "https://r2.example/abc.webp",
  seed: 1234,
  worker_id: "0f1e2d3c-0000-4000-8000-000000000001",
  worker_name: "w",
  model: "Deliberate",
  id: "job-1",
  censored: false,
  gen_metadata: [],
  request: "req-1",
  kudos: 10,
};
const post = (body: unknown, init: RequestInit = {}) =>
  new Request("https://hooks.example/horde", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });

describe("parseWebhook", () => {
  it("tells image, text and alchemy deliveries apart", () => {
    expect(parseWebhook(image)).toMatchObject({ kind: "image", seed: "1234", request: "req-1" });
    const text = {
      text: "hi",
      seed: 3,
      worker_id: 5,
      worker_name: "w",
      model: "m",
      id: "j",
      state: "ok",
      request: "r",
    };
    expect(parseWebhook(JSON.stringify(text))).toMatchObject({ kind: "text", worker_id: "5", state: "ok" });
    const form = {
      form: "caption",
      state: "done",
      result: { caption: "x" },
      worker_id: "w1",
      worker_name: "a",
      request: "r",
      id: "f",
      kudos: 1,
    };
    expect(parseWebhook(form)).toMatchObject({ kind: "alchemy", form: "caption", result: { caption: "x" } });
  });

  it("names the field that is wrong, and says when the body is no JSON", () => {
    const { request: _, ...noRequest } = image;
    expect(() => parseWebhook(noRequest)).toThrow(/ImageWebhook: request/);
    expect(() => parseWebhook("{not json")).toThrow(HordeValidationError);
    expect(() => parseWebhook("{not json")).toThrow(/not JSON/);
  });
});

describe("createWebhookHandler", () => {
  it("hands a delivery over and answers 200", async () => {
    const got: HordeWebhook[] = [];
    const handle = createWebhookHandler({ onDelivery: (d) => void got.push(d) });
    const res = await handle(post(image));
    expect(res.status).toBe(200);
    expect(got.map((d) => [d.kind, d.id])).toEqual([["image", "job-1"]]);
  });

  it("a repeated delivery (the horde's retry after a slow answer) is handed over once", async () => {
    let calls = 0;
    let finish: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const handle = createWebhookHandler({
      onDelivery: async () => {
        calls++;
        await slow;
      },
    });
    const first = handle(post(image));
    const retried = handle(post(image)); // arrives while the first is still being handled
    finish();
    expect((await first).status).toBe(200);
    expect((await retried).status).toBe(200);
    expect((await handle(post(image))).status).toBe(200);
    expect(calls).toBe(1);
    // Another job of the same request is a delivery of its own.
    await handle(post({ ...image, id: "job-2" }));
    expect(calls).toBe(2);
  });

  it("a handler that fails answers 500, so the horde tries again, and the next attempt is handed over", async () => {
    let calls = 0;
    const handle = createWebhookHandler({
      onDelivery: () => {
        calls++;
        if (calls === 1) throw new Error("database down");
      },
    });
    expect((await handle(post(image))).status).toBe(500);
    expect((await handle(post(image))).status).toBe(200);
    expect(calls).toBe(2);
  });

  it("refuses what is no delivery: 405 for other methods, 400 naming the field, 413 over the size limit", async () => {
    const invalid: HordeValidationError[] = [];
    const handle = createWebhookHandler({
      onDelivery: () => {
        throw new Error("must not be called");
      },
      onInvalid: (e) => void invalid.push(e),
      maxBodyBytes: 1024,
    });
    const get = await handle(new Request("https://hooks.example/horde"));
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const bad = await handle(post({ ...image, model: 5 }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/model/);
    expect(invalid).toHaveLength(1);
    const big = { ...image, img: "A".repeat(2048) };
    expect((await handle(post(big))).status).toBe(413);
    // Without a Content-Length (a chunked body), the limit holds while reading.
    const stream = new Blob([JSON.stringify(big)]).stream();
    const chunked = new Request("https://hooks.example/horde", {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect((await handle(chunked)).status).toBe(413);
  });

  it("remembers a bounded number of deliveries", async () => {
    let calls = 0;
    const handle = createWebhookHandler({ onDelivery: () => void calls++, remember: 2 });
    for (const id of ["a", "b", "c", "a"]) await handle(post({ ...image, id }));
    expect(calls).toBe(4); // "a" was forgotten when "c" came
    await handle(post({ ...image, id: "c" }));
    expect(calls).toBe(4);
  });
});
