/**
 * One scenario per row of the endpoint table of ai-horde-api §10 (the lifecycle endpoints): status codes,
 * bodies (strictly valid under the SDK's schemas, and with only the keys the horde_sdk example corpus
 * has), rc values of the typical errors, and the rate-limit column as the headers report it.
 */
import { schemas } from "horde-sdk";
import {
  conformance,
  corpusExample,
  corpusPresent,
  extraKeys,
  type Json,
  missingKeys,
  setup,
  TINY_WEBP,
} from "horde-test-support/emulator";
import { progressDoc } from "horde-test-support/sdk";
import { describe, expect, test } from "vitest";

const limitOf = (r: { headers: Headers }) => r.headers.get("X-RateLimit-Limit");

/** The body has no key the corpus example (`example_responses/<name>`) lacks; checked where the corpus is. */
function noExtraKeys(name: string, body: unknown): void {
  if (corpusPresent) expect(extraKeys(`example_responses/${name}`, body), name).toEqual([]);
}

/** An emulator with rate limits on; `tick()` moves past the 1 s windows. */
function row() {
  const h = setup({ rateLimits: true });
  return { ...h, tick: () => h.clock.advance(1000) };
}

/** A finished one-image request. */
async function finishedImage(h: ReturnType<typeof row>, body: Record<string, unknown> = {}) {
  const id = (await h.generate(body)).body.id as string;
  const job = (await h.pop()).body;
  await h.put(job.r2_upload, TINY_WEBP);
  await h.submit({ id: job.id, seed: 3 });
  return { id, job };
}

describe("§10 POST /v2/generate/async — req, 202 (dry run 200), RequestAsync", () => {
  test("202 {id, kudos, message?}; dry run 200 {kudos}; 2/s limit headers", async () => {
    const h = row();
    // 60 steps are above the model's max_steps, which needs the estimate up front (§9.3).
    h.emu.admin.setKudos(h.requester.apikey, 10_000);
    const res = await h.generate({ params: { steps: 60 }, models: ["Flux.1-Schnell fp8 (Compact)"] });
    expect(res.status).toBe(202);
    expect(conformance(schemas.RequestAsync, res.body)).toEqual([]);
    // The model's requirements produce warnings (§1.1.3). The reference says max_steps 8, cfg 1–4, k_euler,
    // karras: 60 steps, the default cfg 7.5 and sampler k_euler_a miss; the default scheduler karras fits.
    expect(res.body.warnings.map((w: Json) => w.code)).toEqual([
      "StepsTooMany",
      "CfgScaleTooLarge",
      "SamplerMismatch",
      // The dev worker serves Flux but has not checked in yet on this fresh clock, so none is active.
      "NoAvailableWorker",
    ]);
    expect(limitOf(res)).toBe("2");
    await h.tick();
    const dry = await h.generate({ dry_run: true });
    expect([dry.status, dry.body]).toEqual([200, { kudos: 10 }]);
    noExtraKeys("_v2_generate_async_post_202.json", res.body);
    noExtraKeys("_v2_generate_async_post_200.json", dry.body);
  });

  test("typical errors: 400 errors, 401, 403 KudosUpfront/BannedClientAgent, 404 WorkerNotFound/StyleNotFound, 429, 400 MaintenanceMode", async () => {
    const h = row();
    const cases: [Record<string, unknown>, string | undefined, number, string | undefined][] = [
      [{ params: { width: 100 } }, h.requester.apikey, 400, undefined],
      [{}, "not-a-key", 401, "InvalidAPIKey"],
      [{ params: { width: 2048, height: 2048 } }, h.requester.apikey, 403, "KudosUpfront"],
      [{ workers: ["00000000-0000-0000-0000-000000000000"] }, h.requester.apikey, 404, "WorkerNotFound"],
      [{ style: "my style" }, h.requester.apikey, 404, "StyleNotFound"],
    ];
    for (const [body, apikey, status, rc] of cases) {
      const r = await h.generate(body, apikey);
      expect([r.status, r.body.rc]).toEqual([status, rc]);
      if (rc) expect(conformance(schemas.RequestError, r.body)).toEqual([]);
      // §8.1: validation errors have no rc (the contract's RequestValidationError inherits a required rc).
      else expect(Object.keys(r.body)).toEqual(["message", "errors"]);
      await h.tick();
    }
    const banned = await h.call("POST", "/v2/generate/async", {
      apikey: h.requester.apikey,
      headers: { "Client-Agent": "My-Project:v0.0.1:My-Contact" },
      body: { prompt: "p" },
    });
    expect([banned.status, banned.body.rc]).toEqual([403, "BannedClientAgent"]);
    await h.tick();
    const few = h.emu.admin.createUser({ username: "few", concurrency: 1 });
    const tooMany = await h.generate({ params: { n: 2 } }, few.apikey);
    expect([tooMany.status, tooMany.body.rc]).toEqual([429, "TooManyPrompts"]);
    // The rate-limit headers are on a TooManyPrompts 429 too (§3.4).
    expect(limitOf(tooMany)).toBe("2");
    h.emu.admin.setModes({ maintenance: true });
    await h.tick();
    expect((await h.generate()).body.rc).toBe("MaintenanceMode");
  });
});

describe("§10 GET /v2/generate/check/{id} — none, 10/s per IP+id, RequestStatusCheck", () => {
  test("200 with all ten fields; 404 RequestNotFound", async () => {
    const h = row();
    const id = (await h.generate()).body.id;
    const res = await h.check(id);
    expect(res.status).toBe(200);
    expect(conformance(schemas.RequestStatusCheck, res.body)).toEqual([]);
    // Every progress field, in the server's order (progressDoc is written in that order).
    expect(Object.keys(res.body)).toEqual(Object.keys(progressDoc()));
    expect(limitOf(res)).toBe("10");
    const missing = await h.check("00000000-0000-0000-0000-000000000000");
    expect([missing.status, missing.body]).toEqual([
      404,
      {
        message: "Image Waiting Prompt (Check) with ID '00000000-0000-0000-0000-000000000000' not found.",
        rc: "RequestNotFound",
      },
    ]);
    noExtraKeys("_v2_generate_check_id_get_200.json", res.body);
    if (corpusPresent) {
      expect(missingKeys("example_responses/_v2_generate_check_id_get_200.json", res.body)).toEqual([]);
    }
  });
});

describe("§10 GET /v2/generate/status/{id} — none, 10/min per IP+id, RequestStatusStable", () => {
  test("200 with generations (img URL, string seed, state ok); 404", async () => {
    const h = row();
    const { id, job } = await finishedImage(h);
    const res = await h.status(id);
    expect(res.status).toBe(200);
    expect(conformance(schemas.RequestStatusStable, res.body)).toEqual([]);
    expect(res.body.generations[0]).toMatchObject({ id: job.id, seed: "3", state: "ok", censored: false });
    expect(limitOf(res)).toBe("10");
    expect((await h.status("nope")).body.rc).toBe("RequestNotFound");

    noExtraKeys("_v2_generate_status_id_get_200.json", res.body);
    if (corpusPresent) {
      // Every key of the corpus is there except the optional `ref` of gen_metadata entries.
      expect(missingKeys("example_responses/_v2_generate_status_id_get_200.json", res.body)).toEqual([
        "generations.[].gen_metadata.[].type",
        "generations.[].gen_metadata.[].value",
        "generations.[].gen_metadata.[].ref",
      ]);
    }
  });
});

describe("§10 DELETE /v2/generate/status/{id} — none, 10/min per IP+id, snapshot before cancel", () => {
  test("200 with the state before the cancel; then done; 404", async () => {
    const h = row();
    const id = (await h.generate({ params: { n: 2 } })).body.id;
    const res = await h.cancel(id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ waiting: 2, done: false, generations: [] });
    expect(conformance(schemas.RequestStatusStable, res.body)).toEqual([]);
    expect(limitOf(res)).toBe("10");
    expect((await h.check(id)).body).toMatchObject({ waiting: 0, done: true });
    expect((await h.cancel("nope")).body.rc).toBe("RequestNotFound");
    noExtraKeys("_v2_generate_status_id_delete_200.json", res.body);
  });
});

describe("§10 POST /v2/generate/rate/{id} — none, 5/min per IP+id, {reward}", () => {
  test("only shared (SDXL_beta) requests can be rated; 404 for unknown ids", async () => {
    const h = row();
    const { id } = await finishedImage(h);
    const rate = (rid: string, body: unknown) => h.call("POST", `/v2/generate/rate/${rid}`, { body });
    const plain = await rate(id, { best: "00000000-0000-0000-0000-000000000000" });
    expect([plain.status, plain.body.rc]).toEqual([400, "AestheticsNotPublic"]);
    expect(limitOf(plain)).toBe("5");
    expect((await rate("nope", {})).body.rc).toBe("RequestNotFound");

    await h.tick();
    const beta = (await h.generate({ models: ["SDXL_beta::stability.ai#6901"], params: { n: 2 } })).body.id;
    const worker = {
      models: ["SDXL_beta::stability.ai#6901"],
      amount: 2,
      max_pixels: 1024 * 1024,
      name: "beta",
    };
    const popped = (await h.pop(worker)).body;
    expect((await rate(beta, { best: popped.ids[0] })).body.rc).toBe("AestheticsNotCompleted");
    for (const jid of popped.ids) await h.submit({ id: jid });
    const rated = await rate(beta, { ratings: [{ id: popped.ids[0], rating: 8, artifacts: 1 }] });
    expect([rated.status, rated.body]).toEqual([200, { reward: 10 }]);
    expect(conformance(schemas.GenerationSubmitted, rated.body)).toEqual([]);
    expect((await rate(beta, { best: popped.ids[1] })).body.rc).toBe("AestheticsAlreadyExist");
  });
});

describe("§10 POST /v2/generate/pop — req (worker owner), 60/s per IP, GenerationPayloadStable", () => {
  test("200 with a job or with skipped counts; the worker errors", async () => {
    const h = row();
    const empty = await h.pop();
    expect(empty.status).toBe(200);
    expect(conformance(schemas.GenerationPayloadStable, empty.body)).toEqual([]);
    expect(limitOf(empty)).toBe("60");
    await h.generate();
    const job = await h.pop();
    expect(conformance(schemas.GenerationPayloadStable, job.body)).toEqual([]);
    noExtraKeys("_v2_generate_pop_post_200.json", job.body);
    noExtraKeys("_v2_generate_pop_post_200.json", empty.body);
    const errors: [Record<string, unknown>, string, number, string][] = [
      [{ priority_usernames: ["nohash"] }, h.owner.apikey, 400, "InvalidPriorityUsername"],
      [{}, "not-a-key", 401, "InvalidAPIKey"],
      [{}, "0000000000", 403, "AnonForbiddenWorker"],
      [{}, h.requester.apikey, 403, "WrongCredentials"],
    ];
    for (const [body, apikey, status, rc] of errors) {
      const r = await h.pop(body, apikey);
      expect([r.status, r.body.rc]).toEqual([status, rc]);
    }
    await h.textPop({ name: "shared-name" });
    expect((await h.pop({ name: "shared-name" })).body.rc).toBe("PolymorphicNameConflict");
    h.emu.admin.setWorkerMaintenance("test-worker", true);
    const maintenance = await h.pop();
    expect([maintenance.status, maintenance.body.rc]).toEqual([403, "WorkerMaintenance"]);
  });
});

describe("§10 POST /v2/generate/submit — req, 60/s per IP, {reward}", () => {
  test("200 {reward}; DuplicateGen, AbortedGen, WrongCredentials, InvalidJobID, 500 on a bad key", async () => {
    const h = row();
    const id = (await h.generate({ params: { n: 2 } })).body.id;
    const a = (await h.pop()).body;
    const ok = await h.submit({ id: a.id });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body)).toEqual(["reward"]);
    expect(limitOf(ok)).toBe("60");
    noExtraKeys("_v2_generate_submit_post_200.json", ok.body);
    expect((await h.submit({ id: a.id })).body.rc).toBe("DuplicateGen");
    const b = (await h.pop()).body;
    expect((await h.submit({ id: b.id }, h.requester.apikey)).body.rc).toBe("WrongCredentials");
    const bad = await h.submit({ id: b.id }, "not-a-key");
    expect([bad.status, bad.body]).toEqual([500, { message: "Internal Server Error" }]);
    await h.clock.advance(151_000);
    expect((await h.submit({ id: b.id })).body.rc).toBe("AbortedGen");
    expect((await h.submit({ id: "nope" })).body.rc).toBe("InvalidJobID");
    expect((await h.check(id)).body).toMatchObject({ finished: 1, restarted: 1, waiting: 1 });
  });
});

describe("§10 POST /v2/generate/text/async — req, as image async, RequestAsync", () => {
  test("202 {id, kudos: 0, message?}; dry run 200; TokenOverflow", async () => {
    const h = row();
    const res = await h.textGenerate();
    expect([res.status, res.body.kudos]).toEqual([202, 0]);
    expect(conformance(schemas.RequestAsync, res.body)).toEqual([]);
    expect(limitOf(res)).toBe("2");
    noExtraKeys("_v2_generate_text_async_post_202.json", res.body);
    await h.tick();
    const dry = await h.textGenerate({ dry_run: true });
    expect(dry.status).toBe(200);
    expect(Object.keys(dry.body)).toEqual(["kudos"]);
    await h.tick();
    const overflow = await h.textGenerate({ params: { max_length: 300, max_context_length: 200 } });
    expect([overflow.status, overflow.body.rc]).toEqual([400, "TokenOverflow"]);
  });
});

describe("§10 GET, DELETE /v2/generate/text/status/{id} — none, 60/min per IP+id, RequestStatusKobold", () => {
  test("200 with generations (text, int seed); DELETE snapshot; 404", async () => {
    const h = row();
    const id = (await h.textGenerate()).body.id;
    const job = (await h.textPop()).body;
    await h.textSubmit({ id: job.id, seed: 5 });
    const res = await h.textStatus(id);
    expect(res.body.generations[0]).toMatchObject({ text: "The end.", seed: 5, state: "ok" });
    expect(conformance(schemas.RequestStatusKobold, res.body)).toEqual([]);
    expect(limitOf(res)).toBe("60");
    const del = await h.textCancel(id);
    expect(del.status).toBe(200);
    expect(conformance(schemas.RequestStatusKobold, del.body)).toEqual([]);
    expect((await h.textStatus("nope")).body.rc).toBe("RequestNotFound");
    noExtraKeys("_v2_generate_text_status_id_get_200.json", res.body);
    noExtraKeys("_v2_generate_text_status_id_delete_200.json", del.body);
  });
});

describe("§10 POST /v2/generate/text/pop and /text/submit — req, 60/s per IP", () => {
  test("GenerationPayloadKobold and {reward}; the worker errors", async () => {
    const h = row();
    await h.textGenerate();
    const job = await h.textPop();
    expect(conformance(schemas.GenerationPayloadKobold, job.body)).toEqual([]);
    expect(limitOf(job)).toBe("60");
    noExtraKeys("_v2_generate_text_pop_post_200.json", job.body);
    const sub = await h.textSubmit({ id: job.body.id });
    expect(Object.keys(sub.body)).toEqual(["reward"]);
    expect(limitOf(sub)).toBe("60");
    expect((await h.textSubmit({ id: job.body.id })).body.rc).toBe("DuplicateGen");
    expect((await h.textSubmit({ id: "nope" })).body.rc).toBe("InvalidJobID");
    expect((await h.textPop({}, "0000000000")).body.rc).toBe("AnonForbiddenWorker");
  });
});

describe("§10 POST /v2/interrogate/async — req, default 90/min, {id}", () => {
  test("202 {id}; 400 errors; 401; 429 TooManyPrompts; 400 MaintenanceMode", async () => {
    const h = row();
    const res = await h.interrogate();
    expect([res.status, Object.keys(res.body)]).toEqual([202, ["id"]]);
    expect(limitOf(res)).toBe("90");
    noExtraKeys("_v2_interrogate_async_post_202.json", res.body);
    expect((await h.interrogate({ forms: [{ name: "nope" }] })).status).toBe(400);
    expect((await h.interrogate({}, "not-a-key")).body.rc).toBe("InvalidAPIKey");
    const few = h.emu.admin.createUser({ username: "few", concurrency: 0 });
    expect((await h.interrogate({}, few.apikey)).body.rc).toBe("TooManyPrompts");
    h.emu.admin.setModes({ maintenance: true });
    expect((await h.interrogate()).body.rc).toBe("MaintenanceMode");
  });
});

describe("§10 GET, DELETE /v2/interrogate/status/{id} — none, 10/s per IP+id, InterrogationStatus", () => {
  test("200 {state, forms}; DELETE; 404", async () => {
    const h = row();
    const id = (await h.interrogate()).body.id;
    const res = await h.alchemyStatus(id);
    expect(conformance(schemas.InterrogationStatus, res.body)).toEqual([]);
    expect(limitOf(res)).toBe("10");
    const del = await h.alchemyCancel(id);
    expect(conformance(schemas.InterrogationStatus, del.body)).toEqual([]);
    expect((await h.alchemyStatus("nope")).body).toEqual({
      // flask-restx's hint on a 404 (docs/server/errors.md#not-found-help).
      message:
        "Interrogation with ID 'nope' not found. You have requested this URI [/api/v2/interrogate/status/nope] " +
        "but did you mean /api/v2/interrogate/status/<string:id> or /api/v2/interrogate/async or " +
        "/api/v2/interrogate/pop ?",
      rc: "RequestNotFound",
    });
    noExtraKeys("_v2_interrogate_status_id_get_200.json", res.body);
    noExtraKeys("_v2_interrogate_status_id_delete_200.json", del.body);
  });
});

describe("§10 POST /v2/interrogate/pop and /interrogate/submit — req, 60/s per IP", () => {
  test("InterrogationPopPayload and {reward}; DuplicateGen, InvalidJobID", async () => {
    const h = row();
    const none = await h.alchemyPop();
    expect(none.body).toEqual({ forms: null, skipped: {} });
    await h.interrogate();
    const job = await h.alchemyPop();
    expect(conformance(schemas.InterrogationPopPayload, job.body)).toEqual([]);
    expect(limitOf(job)).toBe("60");
    noExtraKeys("_v2_interrogate_pop_post_200.json", job.body);
    const form = job.body.forms[0];
    const sub = await h.alchemySubmit({ id: form.id });
    expect([sub.status, sub.body]).toEqual([200, { reward: 1 }]);
    noExtraKeys("_v2_interrogate_submit_post_200.json", sub.body);
    expect((await h.alchemySubmit({ id: form.id })).body.rc).toBe("DuplicateGen");
    expect((await h.alchemySubmit({ id: "nope" })).body.rc).toBe("InvalidJobID");
  });
});

describe("the example request payloads of the corpus", () => {
  test.skipIf(!corpusPresent)(
    "pass schema validation: each gets a success or an application error, never a 500",
    async () => {
      const h = setup();
      const cases: [string, string][] = [
        ["/v2/generate/async", "example_payloads/_v2_generate_async_post.json"],
        ["/v2/generate/text/async", "example_payloads/_v2_generate_text_async_post.json"],
        ["/v2/interrogate/async", "example_payloads/_v2_interrogate_async_post.json"],
        ["/v2/generate/pop", "example_payloads/_v2_generate_pop_post.json"],
        ["/v2/generate/text/pop", "example_payloads/_v2_generate_text_pop_post.json"],
        ["/v2/interrogate/pop", "example_payloads/_v2_interrogate_pop_post.json"],
        ["/v2/generate/submit", "example_payloads/_v2_generate_submit_post.json"],
        ["/v2/generate/text/submit", "example_payloads/_v2_generate_text_submit_post.json"],
        // (The alchemy submit example sends `"result": ""`, which the parser's `dict` type turns into {}
        // on the server; the emulator validates `result` as an object, so it is left out here.)
      ];
      for (const [path, file] of cases) {
        const res = await h.call("POST", path, { apikey: h.owner.apikey, body: corpusExample(file) });
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
        expect(res.body.errors, path).toBeUndefined();
        if (res.status >= 400) expect(typeof res.body.rc, path).toBe("string");
      }
    },
  );
});
