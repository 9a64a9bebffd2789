/** Users, workers, status and stats endpoints (§4, §7), checked against the SDK's schemas in strict mode. */
import { schemas } from "horde-sdk";
import {
  conformance,
  corpusPresent,
  extraKeys,
  type Json,
  setup,
  TINY_WEBP,
} from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

/** alice's image delivered by bob's worker, and a text delivered by bob's text worker. */
async function busyHorde() {
  const h = setup();
  const id = (await h.generate({ params: { width: 512, height: 512, steps: 30 } })).body.id;
  const job = (await h.pop()).body;
  await h.put(job.r2_upload, TINY_WEBP);
  await h.clock.advance(5000);
  const reward = (await h.submit({ id: job.id })).body.reward as number;
  const textId = (await h.textGenerate()).body.id;
  const text = (await h.textPop()).body;
  await h.textSubmit({ id: text.id, generation: "y".repeat(200) });
  return { h, id, job, reward, textId };
}

describe("users (§4, §7)", () => {
  test("find_user: the caller's details; 401 without a key, 404 for an unknown one", async () => {
    const { h, reward } = await busyHorde();
    const me = await h.call("GET", "/v2/find_user", { apikey: h.owner.apikey });
    expect(me.status).toBe(200);
    expect(conformance(schemas.UserDetails, me.body)).toEqual([]);
    if (corpusPresent) expect(extraKeys("example_responses/_v2_find_user_get_200.json", me.body)).toEqual([]);
    expect(me.body).toMatchObject({
      username: "bob#2",
      id: 2,
      trusted: true,
      worker_count: 2,
      records: { fulfillment: { image: 1, text: 1, interrogation: 0 } },
    });
    // The worker's reward went to its owner (reGen 9 pays the full reward, §5.3).
    expect(me.body.kudos_details.accumulated).toBeGreaterThanOrEqual(reward);
    expect(me.body.worker_ids).toHaveLength(2);

    const missing = await h.call("GET", "/v2/find_user");
    expect([missing.status, missing.body.rc]).toEqual([401, "InvalidAPIKey"]);
    const unknown = await h.call("GET", "/v2/find_user", { apikey: "abc" });
    expect([unknown.status, unknown.body.rc]).toEqual([404, "UserNotFound"]);
    const anon = await h.call("GET", "/v2/find_user", { apikey: "0000000000" });
    expect(anon.body).toMatchObject({ username: "Anonymous#0", id: 0 });
  });

  test("users/{id}: digits only; privileged fields for the user itself and moderators", async () => {
    const { h } = await busyHorde();
    const pub = await h.call("GET", "/v2/users/1");
    expect(conformance(schemas.UserDetails, pub.body)).toEqual([]);
    expect(pub.body).toMatchObject({ username: "alice#1", records: { request: { image: 1, text: 1 } } });
    expect(pub.body).not.toHaveProperty("active_generations");
    expect(pub.body.records.usage.megapixelsteps).toBeCloseTo(7.86, 2);
    const own = await h.call("GET", "/v2/users/1", { apikey: h.requester.apikey });
    // The requests the horde still keeps, by kind (finished ones too, until they expire).
    expect(own.body.active_generations).toEqual({ image: [expect.any(String)], text: [expect.any(String)] });
    const mod = h.emu.admin.createUser({ username: "mod", moderator: true });
    expect((await h.call("GET", "/v2/users/1", { apikey: mod.apikey })).body).toHaveProperty("suspicious", 0);
    const hashed = await h.call("GET", "/v2/users/alice%231");
    expect([hashed.status, hashed.body.rc]).toEqual([404, "UserNotFound"]);
    expect(hashed.body.message).toContain("numerical part");
    expect((await h.call("GET", "/v2/users/1", { apikey: "bad" })).status).toBe(401);
  });

  test("users: pages of 25, sorted by kudos or age", async () => {
    const h = setup();
    for (let i = 0; i < 30; i++) h.emu.admin.createUser({ username: `u${i}`, kudos: i });
    const first = await h.call("GET", "/v2/users");
    expect(first.body).toHaveLength(25);
    expect(first.body[0].username).toBe("alice#1");
    for (const u of first.body) expect(conformance(schemas.UserDetails, u)).toEqual([]);
    expect((await h.call("GET", "/v2/users?page=2")).body).toHaveLength(8);
    expect((await h.call("GET", "/v2/users?sort=age")).body[0].username).toBe("Anonymous#0");
    expect((await h.call("GET", "/v2/users?page=10001")).body).toEqual([]);
  });
});

describe("kudos (§9)", () => {
  test("the requester pays tax + burn(reward); the owner earns the reward; balances have floors", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    const reward = (await h.submit({ id: job.id })).body.reward as number;
    // §9.2 worked example: K = 7.61, the requester pays 3 + 8.61. Balances are whole numbers, as the
    // server stores them: 100 - 3 - 8.61 = 88.39 → 88.
    expect(reward).toBe(7.61);
    expect(h.emu.admin.getUser(h.requester.apikey)?.kudos).toBe(88);
    expect((await h.check(id)).body.kudos).toBe(12);
    // The owner had nothing: 7.61 → 8, raised to the floor of 25 (the server lifts a balance below it
    // whenever it changes).
    expect(h.emu.admin.getUser(h.owner.apikey)?.kudos).toBe(25);
    h.emu.admin.setKudos(h.owner.apikey, 1000);
    // An older bridge earns 0.9 of it, an unknown one 0.75 (§5.3).
    const older = h.emu.admin.createUser({ username: "older", trusted: true, kudos: 1000 });
    await h.generate({ r2: false });
    const oldJob = (await h.pop({ name: "old", bridge_agent: "AI Horde Worker reGen:4.1.0:x" }, older.apikey))
      .body;
    await h.submit({ id: oldJob.id }, older.apikey);
    // 1000 + 6.85 → 1007.
    expect(h.emu.admin.getUser(older.apikey)?.kudos).toBe(1007);

    // A broke user is forgiven down to the floor of 25, never below.
    const broke = h.emu.admin.createUser({ username: "broke", kudos: 26 });
    await h.generate({}, broke.apikey);
    const j = (await h.pop()).body;
    await h.submit({ id: j.id });
    expect(h.emu.admin.getUser(broke.apikey)?.kudos).toBe(25);
  });

  test("upfront holds: the estimate of a live request is not available for the next one (§9.3)", async () => {
    const h = setup();
    // 50 steps need the estimate up front: round(burn(10.98) + 1) = 13 (§9.2, §9.3).
    const rich = h.emu.admin.createUser({ username: "rich", kudos: 25 + 20 });
    const big = { params: { steps: 50 } };
    const first = await h.generate(big, rich.apikey);
    expect(first.status).toBe(202);
    const second = await h.generate(big, rich.apikey);
    expect([second.status, second.body.rc]).toEqual([403, "KudosUpfront"]);
    // Once the first is done, its hold is released.
    const job = (await h.pop()).body;
    await h.submit({ id: job.id });
    h.emu.admin.setKudos(rich.apikey, 25 + 20);
    expect((await h.generate(big, rich.apikey)).status).toBe(202);
  });

  test("workers earn uptime kudos every 600 s online (§5.1 step 7)", async () => {
    const h = setup();
    for (let i = 0; i <= 20; i++) {
      await h.pop();
      await h.clock.advance(30_000);
    }
    // 600 s online: 50 + 2 per model.
    expect(h.emu.admin.getUser(h.owner.apikey)?.kudos).toBe(52);
    const w = (await h.call("GET", "/v2/workers/name/test-worker")).body;
    // Only the ways the worker earned show a total.
    expect(w.kudos_details).toEqual({ generated: null, uptime: 52 });
    expect(w.uptime).toBe(600);
  });
});

describe("workers (§7)", () => {
  test("list of active workers by type or name; single workers by id or name, inactive included", async () => {
    const { h } = await busyHorde();
    const all = await h.call("GET", "/v2/workers");
    expect(all.body.map((w: Json) => [w.name, w.type])).toEqual([
      ["test-worker", "image"],
      ["text-worker", "text"],
    ]);
    for (const w of all.body) expect(conformance(schemas.WorkerDetails, w)).toEqual([]);
    const image = all.body[0];
    expect(image).toMatchObject({
      online: true,
      requests_fulfilled: 1,
      max_pixels: 262144,
      bridge_agent: expect.stringContaining("reGen"),
      models: ["stable_diffusion"],
      team: { name: null, id: null },
    });
    expect(image.performance).toMatch(/^[\d.]+ megapixelsteps per second$/);
    // The owner shows only to moderators (or to everybody when the owner made workers public); the owner's
    // own key shows no more than anybody's.
    expect(image).not.toHaveProperty("owner");
    expect(
      (await h.call("GET", `/v2/workers/${image.id}`, { apikey: h.owner.apikey })).body,
    ).not.toHaveProperty("owner");
    const mod = h.emu.admin.createUser({ username: "mod", moderator: true });
    expect((await h.call("GET", `/v2/workers/${image.id}`, { apikey: mod.apikey })).body.owner).toBe("bob#2");
    expect((await h.call("GET", "/v2/workers?type=text")).body).toHaveLength(1);
    expect((await h.call("GET", "/v2/workers?name=TEST-WORKER&type=text")).body).toHaveLength(1);
    if (corpusPresent)
      expect(extraKeys("example_responses/_v2_workers_worker_id_get_200.json", image)).toEqual([]);

    await h.clock.advance(301_000);
    expect((await h.call("GET", "/v2/workers")).body).toEqual([]);
    const byName = await h.call("GET", "/v2/workers/name/test-worker");
    expect(byName.body).toMatchObject({ name: "test-worker", online: false });
    expect((await h.call("GET", "/v2/workers/nope")).body.rc).toBe("WorkerNotFound");
    expect((await h.call("GET", "/v2/workers/name/nope")).body.rc).toBe("WorkerNotFound");
  });
});

describe("status and stats (§7)", () => {
  test("heartbeat, modes, news", async () => {
    const h = setup();
    const beat = await h.call("GET", "/v2/status/heartbeat");
    expect(beat.body).toMatchObject({ message: "OK", version: "5.1.5" });
    expect(conformance(schemas.HordeModes, (await h.call("GET", "/v2/status/modes")).body)).toEqual([]);
    const news = (await h.call("GET", "/v2/status/news")).body;
    for (const piece of news) expect(conformance(schemas.Newspiece, piece)).toEqual([]);
  });

  test("status/models: models with workers (count = threads) or queued jobs; model_state filters", async () => {
    const { h } = await busyHorde();
    await h.generate({ models: ["SDXL 1.0"] });
    await h.generate({ models: ["my-custom-model"] });
    const models = (await h.call("GET", "/v2/status/models")).body as Json[];
    for (const m of models) expect(conformance(schemas.ActiveModel, m)).toEqual([]);
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    expect(byName.stable_diffusion).toMatchObject({ count: 1, jobs: 0, type: "image" });
    expect(byName.stable_diffusion.performance).toBeGreaterThan(0);
    expect(byName["SDXL 1.0"]).toMatchObject({ count: 0, jobs: 1, eta: 10000, queued: 512 * 512 * 30 });
    const known = (await h.call("GET", "/v2/status/models?model_state=known")).body as Json[];
    expect(known.map((m) => m.name).sort()).toEqual(["SDXL 1.0", "stable_diffusion"]);
    const custom = (await h.call("GET", "/v2/status/models?model_state=custom")).body as Json[];
    expect(custom.map((m) => m.name)).toEqual(["my-custom-model"]);
    expect((await h.call("GET", "/v2/status/models?model_state=odd")).body.rc).toBe("BadRequest");
    const text = (await h.call("GET", "/v2/status/models?type=text")).body as Json[];
    expect(text.map((m) => m.name)).toEqual(["koboldcpp/LLaMA2-13B-Psyfighter2"]);
    expect((await h.call("GET", "/v2/status/models/SDXL%201.0")).body).toHaveLength(1);
    expect((await h.call("GET", "/v2/status/models/unknown")).body).toEqual([]);
    if (corpusPresent)
      expect(extraKeys("example_responses/_v2_status_models_get_200.json", models)).toEqual([]);
  });

  test("status/performance and stats/*", async () => {
    const { h } = await busyHorde();
    await h.generate({ params: { n: 3 } });
    await h.interrogate();
    const perf = (await h.call("GET", "/v2/status/performance")).body;
    expect(conformance(schemas.HordePerformance, perf)).toEqual([]);
    expect(perf).toMatchObject({
      queued_requests: 3,
      worker_count: 1,
      text_worker_count: 1,
      queued_forms: 1,
      queued_megapixelsteps: Math.round(3 * 7.86432 * 100) / 100,
    });
    expect(perf.past_minute_tokens).toBe(50);
    const img = (await h.call("GET", "/v2/stats/img/totals")).body;
    expect(conformance(schemas.StatsImgTotals, img)).toEqual([]);
    expect(img.minute).toEqual({ images: 1, ps: 512 * 512 * 30 });
    await h.clock.advance(61_000);
    expect((await h.call("GET", "/v2/stats/img/totals")).body.minute).toEqual({ images: 0, ps: 0 });
    expect((await h.call("GET", "/v2/stats/img/totals")).body.total.images).toBe(1);
    const txt = (await h.call("GET", "/v2/stats/text/totals")).body;
    expect(conformance(schemas.StatsTxtTotals, txt)).toEqual([]);
    expect(txt.day).toEqual({ requests: 1, tokens: 50 });
    const imgModels = (await h.call("GET", "/v2/stats/img/models")).body;
    expect(conformance(schemas.ImgModelStats, imgModels)).toEqual([]);
    expect(imgModels.total).toEqual({ stable_diffusion: 1 });
    expect((await h.call("GET", "/v2/stats/img/models?model_state=bad")).status).toBe(400);
    expect((await h.call("GET", "/v2/stats/text/models")).body.day).toEqual({
      "koboldcpp/LLaMA2-13B-Psyfighter2": 1,
    });
    if (corpusPresent) {
      expect(extraKeys("example_responses/_v2_status_performance_get_200.json", perf)).toEqual([]);
      expect(extraKeys("example_responses/_v2_stats_img_totals_get_200.json", img)).toEqual([]);
    }
  });

  test("routes of the contract the emulator does not emulate answer 501, not a misleading 404", async () => {
    const h = setup();
    const filters = await h.call("GET", "/v2/filters");
    expect(filters.status).toBe(501);
    expect(filters.body.message).toContain("does not emulate GET /v2/filters");
  });
});
