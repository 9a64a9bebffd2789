// Webhooks as the server sends them (docs/server/image-requests.md#webhooks): one POST per delivered job,
// bodies checked against the SDK's receiver, the https rule, retries and the alchemy submit that waits.
import { createWebhookHandler, type HordeWebhook } from "horde-sdk";
import { setup, TINY_WEBP } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const HOOK = "https://hooks.example/horde";

/** A receiver wired straight into the emulator's webhook fetch; `answers` scripts each attempt's status. */
function receiver(answers: number[] = []) {
  const deliveries: HordeWebhook[] = [];
  const attempts: { url: string; body: unknown }[] = [];
  const handle = createWebhookHandler({ onDelivery: (d) => void deliveries.push(d) });
  const fetch = async (url: string, init: RequestInit) => {
    attempts.push({ url, body: JSON.parse(String(init.body)) });
    const scripted = answers.shift();
    if (scripted !== undefined && scripted !== 200) return new Response("no", { status: scripted });
    return handle(new Request(url, init));
  };
  return { fetch, deliveries, attempts };
}

describe("webhooks", () => {
  test("an image job: the stored record of the job, the request id, the submit's reward", async () => {
    const hook = receiver();
    const h = setup({ webhooks: { fetch: hook.fetch } });
    const { id } = (await h.generate({ webhook: HOOK, params: { width: 64, height: 64, steps: 5 } })).body;
    const job = (await h.pop()).body;
    await h.put(job.r2_upload, TINY_WEBP);
    const submitted = await h.submit({ id: job.id, generation: "R2", seed: 1234, state: "ok" });
    await h.emu.webhooks.settled();

    expect(hook.attempts.map((a) => a.url)).toEqual([HOOK]);
    const body = hook.attempts[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      id: job.id,
      request: id,
      seed: 1234, // an integer, where the status shows a string
      worker_id: expect.any(String),
      worker_name: "test-worker",
      model: "stable_diffusion",
      censored: false,
      gen_metadata: [],
      kudos: submitted.body.reward,
    });
    // The same image the status offers (a download URL for r2 requests).
    const generation = (await h.status(id)).body.generations[0];
    expect(body.worker_id).toBe(generation.worker_id);
    expect(new URL(String(body.img)).pathname).toBe(new URL(generation.img).pathname);
    expect(hook.deliveries).toHaveLength(1);
    expect(hook.deliveries[0]?.kind).toBe("image");
    expect(h.emu.webhooks.outcomes()).toEqual({ ok: 1, giveup: 0, dropped: 0 });
  });

  test("a text job carries the text and its censorship state", async () => {
    const hook = receiver();
    const h = setup({ webhooks: { fetch: hook.fetch } });
    const { id } = (await h.textGenerate({ webhook: HOOK })).body;
    const job = (await h.textPop()).body;
    const submitted = await h.textSubmit({ id: job.id, generation: "Once upon a time", seed: 7 });
    await h.emu.webhooks.settled();
    expect(hook.attempts[0]?.body).toMatchObject({
      text: "Once upon a time",
      seed: 7,
      id: job.id,
      request: id,
      state: "ok",
      kudos: submitted.body.reward,
    });
    expect(hook.deliveries[0]).toMatchObject({ kind: "text", text: "Once upon a time" });
  });

  test("alchemy: the worker's submit is answered only after the delivery, which names the form", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hook = receiver();
    const slow = async (url: string, init: RequestInit) => {
      await held;
      return hook.fetch(url, init);
    };
    const h = setup({ webhooks: { fetch: slow } });
    const { id } = (
      await h.interrogate({
        forms: [{ name: "caption" }],
        source_image: TINY_WEBP.toString("base64"),
        webhook: HOOK,
      })
    ).body;
    const form = (await h.alchemyPop()).body.forms[0];
    let answered = false;
    const submit = h.alchemySubmit({ id: form.id, result: { caption: "a blue square" } }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    release();
    const submitted = await submit;
    expect(submitted.status).toBe(200);
    expect(hook.attempts[0]?.body).toEqual({
      form: "caption",
      state: "done",
      result: { caption: "a blue square" },
      worker_id: expect.any(String),
      worker_name: "alchemist",
      request: id,
      id: form.id,
      kudos: submitted.body.reward,
    });
    expect(hook.deliveries[0]).toMatchObject({ kind: "alchemy", form: "caption" });
  });

  test("a failed attempt is tried again, 3 attempts in all; then the delivery is given up", async () => {
    const flaky = receiver([500, 503]);
    const h = setup({ webhooks: { fetch: flaky.fetch } });
    const { id } = (await h.textGenerate({ webhook: HOOK })).body;
    const job = (await h.textPop()).body;
    await h.textSubmit({ id: job.id, generation: "x" });
    await h.emu.webhooks.settled();
    expect(flaky.attempts).toHaveLength(3);
    expect(flaky.deliveries.map((d) => d.request)).toEqual([id]);

    const down = receiver([500, 500, 500]);
    const h2 = setup({ webhooks: { fetch: down.fetch } });
    await h2.textGenerate({ webhook: HOOK });
    await h2.textSubmit({ id: (await h2.textPop()).body.id, generation: "x" });
    await h2.emu.webhooks.settled();
    expect(down.attempts).toHaveLength(3);
    expect(down.deliveries).toEqual([]);
    expect(h2.emu.webhooks.outcomes()).toEqual({ ok: 0, giveup: 1, dropped: 0 });
  });

  test("nothing is sent for a job that faulted or a request cancelled before delivery", async () => {
    const hook = receiver();
    const h = setup({ webhooks: { fetch: hook.fetch } });
    const { id } = (await h.textGenerate({ webhook: HOOK })).body;
    const job = (await h.textPop()).body;
    await h.textSubmit({ id: job.id, generation: "", state: "faulted" });
    await h.textCancel(id);
    await h.emu.webhooks.settled();
    expect(hook.attempts).toEqual([]);
  });

  test("https webhooks, and http:// to a loopback receiver (a named deviation); any other http:// is refused", async () => {
    const h = setup({ webhooks: { fetch: receiver().fetch } });
    for (const webhook of ["http://hooks.example/horde", "http://10.0.0.8/horde", "ftp://127.0.0.1/x"]) {
      const refused = await h.generate({ webhook });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe("webhooks need to point to an https endpoint.");
    }
    const alchemy = await h.interrogate({
      forms: [{ name: "caption" }],
      source_image: TINY_WEBP.toString("base64"),
      webhook: "http://hooks.example/horde",
    });
    expect(alchemy.status).toBe(400);
    expect(alchemy.body.message).toBe("webhooks need to point to an https endpoint.");
    for (const webhook of ["http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://[::1]:9/hook"]) {
      expect((await h.generate({ webhook })).status).toBe(202);
    }

    const strict = setup({ webhooks: { httpOnLoopback: false } });
    expect((await strict.generate({ webhook: "http://127.0.0.1:9/hook" })).status).toBe(400);
  });
});
