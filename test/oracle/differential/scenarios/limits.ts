/** Rate limits and kudos: the limiter's windows and headers, concurrency, upfront kudos, what a job costs. */
import { scenario } from "../framework.js";
import { cancelImageAtEnd, hasJob, imagePop, imageRequest, isDone, smallWebp } from "./common.js";

const AREA = "rate limits and kudos";

export const limitScenarios = [
  scenario(AREA, "rate limit: a burst of submits from one untrusted user", async (c) => {
    const bob = await c.user("bob", { kudos: 10_000, trusted: false });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      // All four inside one second: the server's fixed window of 2 per second lets two through.
      answers.push(
        await c.step(`submit ${i}`, "POST /v2/generate/async", {
          apikey: bob.apikey,
          body: imageRequest({ models: ["Deliberate"] }),
        }),
      );
    }
    for (const a of answers) if (a.body?.id) cancelImageAtEnd(c, a.body.id);
    await c.sleep(1500);
    const after = await c.step("after the window", "POST /v2/generate/async", {
      apikey: bob.apikey,
      body: imageRequest({ models: ["Deliberate"] }),
    });
    if (after.body?.id) cancelImageAtEnd(c, after.body.id);
  }),

  scenario(AREA, "rate limit: status is 10 per minute per id", async (c) => {
    const alice = await c.user("alice", { kudos: 10_000 });
    const submit = await c.step("submit", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ models: ["Deliberate"] }),
    });
    cancelImageAtEnd(c, submit.body.id);
    for (let i = 0; i < 11; i++) {
      await c.step(`status ${i}`, "GET /v2/generate/status/{id}", { params: { id: submit.body.id } });
    }
  }),

  scenario(AREA, "rate limit: modes 30 per minute", async (c) => {
    for (let i = 0; i < 31; i++) await c.step(`modes ${i}`, "GET /v2/status/modes");
  }),

  scenario(AREA, "kudos: what a finished job costs and pays", async (c) => {
    const alice = await c.user("alice", { kudos: 1000, trusted: false });
    const owner = await c.user("owner", { trusted: true, kudos: 0 });
    const pop = imagePop(c.name("w"));
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: pop });
    const submit = await c.step("submit", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ r2: false }),
      same: ["kudos"],
    });
    cancelImageAtEnd(c, submit.body.id);
    const popped = await c.poll("pop", "POST /v2/generate/pop", { apikey: owner.apikey, body: pop }, hasJob);
    await c.step("submit generation", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: await smallWebp(), state: "ok", seed: 1 },
      same: ["reward"],
    });
    await c.poll(
      "check done",
      "GET /v2/generate/check/{id}",
      { params: { id: submit.body.id }, same: ["kudos"] },
      isDone,
    );
    await c.poll(
      "requester's kudos",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["kudos", "usage.megapixelsteps", "records.request.image"] },
      (a) => a.body?.kudos < 1000,
    );
    await c.poll(
      "worker owner's kudos",
      "GET /v2/find_user",
      {
        apikey: owner.apikey,
        same: ["kudos", "contributions.megapixelsteps", "records.fulfillment.image"],
      },
      (a) => a.body?.kudos > 0,
    );
  }),

  scenario(AREA, "kudos: upfront for a large request, and concurrency", async (c) => {
    const poor = await c.user("poor", { kudos: 0, trusted: false });
    await c.step("large with no kudos", "POST /v2/generate/async", {
      apikey: poor.apikey,
      body: imageRequest({ params: { width: 1024, height: 1024, steps: 60, n: 1 } }),
    });
    await c.sleep(600);
    await c
      .step("large with allow_downgrade", "POST /v2/generate/async", {
        apikey: poor.apikey,
        body: imageRequest({
          params: { width: 1024, height: 1024, steps: 60, n: 1 },
          allow_downgrade: true,
          models: ["Deliberate"],
        }),
      })
      .then((a) => a.body?.id && cancelImageAtEnd(c, a.body.id));
  }),
];
