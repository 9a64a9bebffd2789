/** The image lifecycle (§10 rows: base64 and R2, cancel, faults, duplicate and aborted submits). */
import { type Conversation, scenario } from "../framework.js";
import { cancelImageAtEnd, cast, hasJob, imagePop, imageRequest, isDone, smallWebp } from "./common.js";

const AREA = "image lifecycle";
const PROGRESS = ["finished", "processing", "restarted", "waiting", "done", "faulted"];

/** Submit as alice, pop as the owner's worker, until the worker holds the job. */
async function submitAndPop(
  c: Conversation,
  request: Record<string, unknown> = {},
  pop: Record<string, unknown> = {},
) {
  const { alice, owner } = await cast(c);
  const popBody = imagePop(c.name("w"), pop);
  // The worker checks in first, so that both horde have a worker for the model when the request arrives.
  await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: popBody });
  const submit = await c.step("submit", "POST /v2/generate/async", {
    apikey: alice.apikey,
    body: imageRequest(request),
  });
  const id = submit.body.id as string;
  cancelImageAtEnd(c, id);
  await c.step("check while waiting", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS });
  const popped = await c.poll(
    "pop",
    "POST /v2/generate/pop",
    { apikey: owner.apikey, body: popBody },
    hasJob,
  );
  // /check is cached for a second on the server: wait for the answer that shows the pop.
  await c.poll(
    "check while processing",
    "GET /v2/generate/check/{id}",
    { params: { id }, same: PROGRESS },
    (a) => a.body?.processing > 0,
  );
  return { alice, owner, id, popped, job: popped.body.id as string };
}

export const imageScenarios = [
  scenario(AREA, "image, base64: submit, check, pop, submit, check, status", async (c) => {
    const { owner, id, job } = await submitAndPop(c, { r2: false });
    await c.step("submit generation", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: await smallWebp(), state: "ok", seed: 12345 },
    });
    await c.poll("check done", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS }, isDone);
    await c.step("status", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["done", "faulted", "generations.length", "generations.0.state", "generations.0.seed", "shared"],
    });
    await c.step("delete after done", "DELETE /v2/generate/status/{id}", { params: { id }, same: ["done"] });
  }),

  scenario(AREA, "image, R2: the worker uploads to the presigned URL and submits R2", async (c) => {
    const { owner, id, popped, job } = await submitAndPop(c);
    const upload = popped.body.r2_upload as string;
    const put = await c.fetchUrl(upload, { method: "PUT", body: Buffer.from(await smallWebp(), "base64") });
    await put.arrayBuffer();
    await c.step("submit R2", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: "R2", state: "ok", seed: 7 },
    });
    await c.poll("check done", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS }, isDone);
    const status = await c.step("status", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["done", "generations.length", "generations.0.seed"],
    });
    const url = status.body.generations?.[0]?.img as string | undefined;
    if (url?.startsWith("http")) {
      const image = await c.fetchUrl(url);
      if (!image.ok) throw new Error(`the R2 image URL answered ${image.status}`);
      await image.arrayBuffer();
    }
  }),

  scenario(AREA, "image: cancel a waiting request", async (c) => {
    const { alice, owner } = await cast(c);
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(c.name("w")) });
    const submit = await c.step("submit", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest(),
    });
    const id = submit.body.id as string;
    cancelImageAtEnd(c, id);
    await c.step("cancel", "DELETE /v2/generate/status/{id}", {
      params: { id },
      same: [...PROGRESS, "generations.length"],
    });
    await c.poll(
      "check after cancel",
      "GET /v2/generate/check/{id}",
      { params: { id }, same: PROGRESS },
      isDone,
    );
    await c.step("status after cancel", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["done", "generations.length"],
    });
    await c.step("cancel again", "DELETE /v2/generate/status/{id}", { params: { id } });
  }),

  scenario(AREA, "image: cancel while a worker holds the job, then the worker submits", async (c) => {
    const { owner, id, job } = await submitAndPop(c, { r2: false });
    await c.step("cancel while processing", "DELETE /v2/generate/status/{id}", {
      params: { id },
      same: ["done"],
    });
    await c.step("late submit", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: await smallWebp(), state: "ok", seed: 1 },
    });
    await c.step("status after", "GET /v2/generate/status/{id}", { params: { id }, same: ["done"] });
  }),

  scenario(AREA, "image: the same generation submitted twice", async (c) => {
    const { owner, id, job } = await submitAndPop(c, { r2: false });
    const body = { id: job, generation: await smallWebp(), state: "ok", seed: 3 };
    await c.step("first submit", "POST /v2/generate/submit", { apikey: owner.apikey, body });
    await c.step("second submit", "POST /v2/generate/submit", { apikey: owner.apikey, body });
    await c.poll("check", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS }, isDone);
  }),

  scenario(AREA, "image: a faulted generation", async (c) => {
    const { owner, id, job } = await submitAndPop(c, { r2: false });
    await c.step("submit faulted", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: "", state: "faulted", seed: 0 },
    });
    await c.poll(
      "check after fault",
      "GET /v2/generate/check/{id}",
      { params: { id }, same: ["done", "faulted"] },
      (a) => a.body?.processing === 0,
    );
    await c.step("status after fault", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["done", "faulted"],
    });
  }),

  scenario(AREA, "image: a censored generation", async (c) => {
    const { owner, id, job } = await submitAndPop(c, { r2: false });
    await c.step("submit censored", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: await smallWebp(), state: "censored", seed: 4 },
    });
    await c.poll("check", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS }, isDone);
    await c.step("status", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["generations.0.censored", "generations.0.state", "done"],
    });
  }),

  scenario(AREA, "image: a batch of two is popped together", async (c) => {
    const { owner, id, popped } = await submitAndPop(
      c,
      { r2: false, params: { width: 512, height: 512, steps: 10, n: 2 } },
      { amount: 2 },
    );
    const ids = (popped.body.ids as string[]) ?? [];
    for (const [i, job] of ids.entries()) {
      await c.step(`submit ${i}`, "POST /v2/generate/submit", {
        apikey: owner.apikey,
        body: { id: job, generation: await smallWebp(), state: "ok", seed: 10 + i },
      });
    }
    await c.poll("check", "GET /v2/generate/check/{id}", { params: { id }, same: PROGRESS }, isDone);
    await c.step("status", "GET /v2/generate/status/{id}", { params: { id }, same: ["generations.length"] });
  }),

  scenario(AREA, "image: options the server sets its own way", async (c) => {
    const { owner } = await cast(c);
    const key = owner.apikey;
    const name = c.name("w");
    const job = ["ids.length", "payload.seed", "payload.use_nsfw_censor", "payload.n_iter", "payload.karras"];
    // The owner's own requests, so that its worker sees them first.
    const a = await c.step("shared, sfw with the censor, a seed and a variation", "POST /v2/generate/async", {
      apikey: key,
      body: imageRequest({
        shared: true,
        nsfw: false,
        censor_nsfw: true,
        params: { width: 512, height: 512, steps: 10, n: 2, seed: "1234", seed_variation: 3 },
      }),
    });
    cancelImageAtEnd(c, a.body.id);
    await c.step("its status", "GET /v2/generate/status/{id}", {
      params: { id: a.body.id },
      same: ["shared"],
    });
    await c.step("the first pop", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(name, { amount: 1 }),
      same: job,
    });
    await c.step("the second pop", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(name, { amount: 1 }),
      same: job,
    });
    const b = await c.step("batching off", "POST /v2/generate/async", {
      apikey: key,
      body: imageRequest({ disable_batching: true, params: { width: 512, height: 512, steps: 10, n: 2 } }),
    });
    cancelImageAtEnd(c, b.body.id);
    await c.step("a pop for two gets one", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(name, { amount: 2 }),
      // No seed was asked for: each side draws its own.
      same: job.filter((path) => path !== "payload.seed"),
    });
    // Its second job would be popped next; the text seed's request is the one to see.
    await c.send("DELETE /v2/generate/status/{id}", { params: { id: b.body.id } });
    const d = await c.step("karras off, text seed", "POST /v2/generate/async", {
      apikey: key,
      body: imageRequest({ params: { width: 512, height: 512, steps: 10, karras: false, seed: "abc" } }),
    });
    cancelImageAtEnd(c, d.body.id);
    await c.step("its pop", "POST /v2/generate/pop", { apikey: key, body: imagePop(name), same: job });
  }),

  scenario(AREA, "image: unknown ids", async (c) => {
    const id = "00000000-0000-0000-0000-000000000000";
    await c.step("check unknown", "GET /v2/generate/check/{id}", { params: { id } });
    await c.step("status unknown", "GET /v2/generate/status/{id}", { params: { id } });
    await c.step("delete unknown", "DELETE /v2/generate/status/{id}", { params: { id } });
    await c.step("check not a uuid", "GET /v2/generate/check/{id}", { params: { id: "not-a-uuid" } });
  }),

  scenario(AREA, "image: dry run and a request no worker can serve", async (c) => {
    const { alice } = await cast(c);
    // The server remembers a dry run's estimate for two days by its params: a seed of this run's own makes
    // the estimate new (a remembered one is answered before the key is even looked up).
    const params = { width: 512, height: 512, steps: 10, n: 1, seed: c.tag };
    await c.step("dry run", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ dry_run: true, params }),
      same: ["kudos"],
    });
    await c.sleep(600);
    await c.step("dry run again, with an unknown key", "POST /v2/generate/async", {
      apikey: "notakey0000000000000zz",
      body: imageRequest({ dry_run: true, params }),
      same: ["kudos"],
    });
    await c.sleep(600);
    // A model of the reference that no scenario's worker serves.
    const submit = await c.step("no worker", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ models: ["Deliberate"] }),
    });
    if (submit.body?.id) cancelImageAtEnd(c, submit.body.id);
    await c.step("check impossible", "GET /v2/generate/check/{id}", {
      params: { id: submit.body.id },
      same: ["is_possible"],
    });
  }),

  scenario(AREA, "image: anonymous submit and a large anonymous request", async (c) => {
    const { owner } = await cast(c);
    // A worker online: the upfront limit then stays at 1024² whatever else the horde has queued.
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(c.name("w")) });
    const submit = await c.step("anonymous", "POST /v2/generate/async", {
      apikey: "0000000000",
      body: imageRequest({ models: ["Deliberate"] }),
    });
    if (submit.body?.id) cancelImageAtEnd(c, submit.body.id);
    await c.step("anonymous too large", "POST /v2/generate/async", {
      apikey: "0000000000",
      body: imageRequest({ params: { width: 1024, height: 1024, steps: 100, n: 1 } }),
    });
  }),
];
