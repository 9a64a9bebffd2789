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

  scenario(AREA, "rate limit: the window opens when the server has the whole request", async (c) => {
    const bob = await c.user("bob", { kudos: 10_000, trusted: false });
    // Requests the server refuses after the limiter counted them (a worker that does not exist): nothing
    // to clean up, and no trusted user to whitelist the IP.
    const body = imageRequest({ workers: ["00000000-0000-0000-0000-000000000000"] });
    // The first body arrives 700 ms after its headers: its window opens then, not when it was sent …
    await c.step("a slow first request", "POST /v2/generate/async", {
      apikey: bob.apikey,
      body,
      bodyDelayMs: 700,
    });
    // … so 400 ms later (1.1 s after it was sent) the window is still the same one, and the third is refused.
    await c.sleep(400);
    await c.step("the second", "POST /v2/generate/async", { apikey: bob.apikey, body });
    await c.step("the third", "POST /v2/generate/async", { apikey: bob.apikey, body });
  }),

  scenario(
    AREA,
    "rate limit: a trusted user's IP gets the larger limits after its first request",
    async (c) => {
      const trusted = await c.user("trusted", { trusted: true });
      const body = imageRequest({ workers: ["00000000-0000-0000-0000-000000000000"] });
      for (let i = 0; i < 5; i++) {
        await c.step(`request ${i}`, "POST /v2/generate/async", { apikey: trusted.apikey, body });
      }
    },
  ),

  scenario(AREA, "rate limit: the per-IP limit counts every key; the anonymous key", async (c) => {
    const carol = await c.user("carol", { trusted: false });
    const dave = await c.user("dave", { trusted: false });
    const body = imageRequest({ workers: ["00000000-0000-0000-0000-000000000000"] });
    await c.step("carol", "POST /v2/generate/async", { apikey: carol.apikey, body });
    await c.step("dave", "POST /v2/generate/async", { apikey: dave.apikey, body });
    await c.step("carol again", "POST /v2/generate/async", { apikey: carol.apikey, body });
    await c.sleep(1100);
    await c.step("anonymous", "POST /v2/generate/async", { apikey: "0000000000", body });
    await c.step("anonymous again", "POST /v2/generate/async", { apikey: "0000000000", body });
    await c.step("anonymous a third time", "POST /v2/generate/async", { apikey: "0000000000", body });
    await c.step("without a key", "POST /v2/generate/async", { body });
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
    // The server's ledger folds postings every few seconds: wait for the job's charge to land. Only the
    // books are compared here (the rest of find_user is the users scenarios' business).
    const books = ["usage", "contributions", "active_generations", "worker_ids", "sharedkey_ids"];
    await c.poll(
      "requester's kudos",
      "GET /v2/find_user",
      {
        apikey: alice.apikey,
        same: ["kudos", "kudos_details.accumulated", "records.request.image", "records.usage.megapixelsteps"],
        open: books,
      },
      (a) => a.body?.records?.request?.image >= 2,
    );
    await c.poll(
      "worker owner's kudos",
      "GET /v2/find_user",
      {
        apikey: owner.apikey,
        same: [
          "kudos",
          "kudos_details.accumulated",
          "records.fulfillment.image",
          "records.contribution.megapixelsteps",
        ],
        open: books,
      },
      (a) => a.body?.kudos_details?.accumulated > 0,
    );
  }),

  scenario(AREA, "kudos: dry runs priced as the server prices them", async (c) => {
    const alice = await c.user("alice", { kudos: 100_000, trusted: false });
    const cases: [string, Record<string, unknown>][] = [
      ["512×768, 30 steps", { params: { width: 512, height: 768, steps: 30, seed: c.tag } }],
      ["768×768, 20 steps, n 3", { params: { width: 768, height: 768, steps: 20, n: 3, seed: c.tag } }],
      [
        "1024² on SDXL",
        { models: ["SDXL 1.0"], params: { width: 1024, height: 1024, steps: 40, seed: c.tag } },
      ],
      ["Flux", { models: ["Flux.1-Schnell fp8 (Compact)"], params: { steps: 10, seed: c.tag } }],
      ["no models (SDXL assumed)", { models: [], params: { steps: 10, seed: c.tag } }],
      ["slow workers off", { slow_workers: false, params: { steps: 10, seed: c.tag } }],
      ["a worker deny list", { worker_blacklist: true, params: { steps: 20, seed: c.tag } }],
      ["k_heun", { params: { steps: 30, sampler_name: "k_heun", seed: c.tag } }],
    ];
    for (const [label, extra] of cases) {
      await c.step(label, "POST /v2/generate/async", {
        apikey: alice.apikey,
        body: imageRequest({ dry_run: true, ...extra }),
        same: ["kudos"],
      });
      await c.sleep(600);
    }
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
    await c.sleep(600);
    // Concurrency: 30 images not yet popped per user.
    for (const label of ["20 images", "20 more images"]) {
      const a = await c.step(label, "POST /v2/generate/async", {
        apikey: poor.apikey,
        body: imageRequest({ models: ["Deliberate"], params: { width: 512, height: 512, steps: 10, n: 20 } }),
      });
      if (a.body?.id) cancelImageAtEnd(c, a.body.id);
      await c.sleep(600);
    }
  }),
];
