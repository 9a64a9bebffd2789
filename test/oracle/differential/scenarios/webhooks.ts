/**
 * Webhooks (docs/server/image-requests.md#webhooks): what the horde POSTs for a delivered image, text and
 * alchemy job — compared key by key with the server's own deliveries to an https receiver on loopback —
 * and the https rule at submit.
 */
import { type Conversation, type Json, scenario } from "../framework.js";
import {
  ALCHEMIST,
  cancelAlchemyAtEnd,
  cancelImageAtEnd,
  cancelTextAtEnd,
  cast,
  hasJob,
  imagePop,
  imageRequest,
  smallWebp,
  textPop,
  textRequest,
} from "./common.js";

const AREA = "webhooks";

/** Waits (unrecorded) for the receiver's first delivery; the server sends from a background queue. */
async function firstDelivery(c: Conversation, received: () => Json[]): Promise<Json> {
  const deadline = Date.now() + 15_000;
  while (received().length === 0 && Date.now() < deadline) await c.sleep(100);
  const [first] = received();
  if (!first) throw new Error(`${c.target.name}: no webhook arrived`);
  return first;
}

/** How a delivery relates to the conversation: compared as values on both sides. */
function relations(delivery: Json, ids: { request: string; job: string; reward: unknown }) {
  return {
    request_is_the_request: delivery.request === ids.request,
    id_is_the_job: delivery.id === ids.job,
    kudos_is_the_reward: delivery.kudos === ids.reward,
    worker_id_is_a_string: typeof delivery.worker_id === "string",
  };
}
const RELATIONS = ["request_is_the_request", "id_is_the_job", "kudos_is_the_reward", "worker_id_is_a_string"];

export const webhookScenarios = [
  scenario(AREA, "webhook: an image delivered to R2", async (c) => {
    const { alice, owner } = await cast(c);
    const hooks = await c.target.webhooks();
    const popBody = imagePop(c.name("w"));
    await c.send("POST /v2/generate/pop", { apikey: owner.apikey, body: popBody });
    const submit = await c.step("submit", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ webhook: hooks.url }),
    });
    const id = submit.body.id as string;
    cancelImageAtEnd(c, id);
    const popped = await c.poll(
      "pop",
      "POST /v2/generate/pop",
      { apikey: owner.apikey, body: popBody },
      hasJob,
    );
    const put = await c.fetchUrl(popped.body.r2_upload, {
      method: "PUT",
      body: Buffer.from(await smallWebp(), "base64"),
    });
    await put.arrayBuffer();
    const submitted = await c.step("submit R2", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: "R2", state: "ok", seed: 4321 },
    });
    const delivery = await firstDelivery(c, hooks.received);
    c.record("image webhook", delivery, { same: ["seed", "model", "censored", "gen_metadata"] });
    c.record(
      "image webhook relations",
      relations(delivery, { request: id, job: popped.body.id, reward: submitted.body.reward }),
      {
        same: RELATIONS,
      },
    );
  }),

  scenario(AREA, "webhook: a text generation", async (c) => {
    const { alice, owner } = await cast(c);
    const hooks = await c.target.webhooks();
    const popBody = textPop(c.name("wt"));
    await c.send("POST /v2/generate/text/pop", { apikey: owner.apikey, body: popBody });
    const submit = await c.step("submit", "POST /v2/generate/text/async", {
      apikey: alice.apikey,
      body: textRequest({ webhook: hooks.url }),
    });
    const id = submit.body.id as string;
    cancelTextAtEnd(c, id);
    const popped = await c.poll(
      "pop",
      "POST /v2/generate/text/pop",
      { apikey: owner.apikey, body: popBody },
      hasJob,
    );
    const submitted = await c.step("submit text", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: " there was a lighthouse.", state: "ok", seed: 42 },
    });
    const delivery = await firstDelivery(c, hooks.received);
    c.record("text webhook", delivery, { same: ["text", "seed", "model", "state", "gen_metadata"] });
    c.record(
      "text webhook relations",
      relations(delivery, { request: id, job: popped.body.id, reward: submitted.body.reward }),
      {
        same: RELATIONS,
      },
    );
  }),

  scenario(AREA, "webhook: an alchemy caption", async (c) => {
    const { alice, owner } = await cast(c);
    const hooks = await c.target.webhooks();
    const pop = { name: c.name("wa"), forms: ["caption"], bridge_agent: ALCHEMIST, amount: 1 };
    await c.send("POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await c.step("submit", "POST /v2/interrogate/async", {
      apikey: alice.apikey,
      body: { forms: [{ name: "caption" }], source_image: await smallWebp(), webhook: hooks.url },
    });
    const id = submit.body.id as string;
    cancelAlchemyAtEnd(c, id);
    const popped = await c.poll(
      "pop",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop },
      (a) => (a.body?.forms?.length ?? 0) > 0,
    );
    const form = popped.body.forms[0];
    const submitted = await c.step("submit caption", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: form.id, result: { caption: "a red square" }, state: "ok" },
    });
    // Sent before the submit was answered: it is there already.
    const [delivery] = hooks.received();
    c.record("alchemy webhook (before the submit's answer)", delivery ?? null, {
      same: ["form", "state", "result"],
    });
    c.record(
      "alchemy webhook relations",
      relations(delivery ?? {}, { request: id, job: form.id, reward: submitted.body.reward }),
      {
        same: RELATIONS,
      },
    );
  }),

  // Not loopback: the emulator accepts http:// to a loopback receiver (docs/server/deviations.md).
  scenario(AREA, "webhook: http:// is refused at submit, for every kind", async (c) => {
    const { alice } = await cast(c);
    const webhook = "http://hooks.example/horde-hook";
    await c.step("image", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ webhook }),
    });
    await c.step("text", "POST /v2/generate/text/async", {
      apikey: alice.apikey,
      body: textRequest({ webhook }),
    });
    await c.step("alchemy", "POST /v2/interrogate/async", {
      apikey: alice.apikey,
      body: { forms: [{ name: "caption" }], source_image: await smallWebp(), webhook },
    });
  }),
];
