import { schemas } from "horde-sdk";
import { conformance, setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";

describe("text generation lifecycle (§6.1)", () => {
  test("async → status → pop → submit → status, with the server's shapes", async () => {
    const h = setup();
    const created = await h.textGenerate({ params: { max_length: 120, temperature: 0.7 }, models: [MODEL] });
    expect(created.status).toBe(202);
    // QUIRK(§6.1): the live 202 says kudos 0; no worker yet, so the warning message is there.
    expect(created.body).toMatchObject({ kudos: 0, message: expect.stringMatching(/No available workers/) });
    expect(conformance(schemas.RequestAsync, created.body)).toEqual([]);
    const id: string = created.body.id;

    const fresh = await h.textStatus(id);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({
      finished: 0,
      processing: 0,
      waiting: 1,
      done: false,
      queue_position: 1,
      kudos: 1,
      generations: [],
    });
    expect(conformance(schemas.RequestStatusKobold, fresh.body)).toEqual([]);

    const popped = await h.textPop();
    expect(popped.status).toBe(200);
    expect(conformance(schemas.GenerationPayloadKobold, popped.body)).toEqual([]);
    const job = popped.body;
    expect(job).toMatchObject({ ids: [job.id], model: MODEL, ttl: 150, skipped: {} });
    // The payload model's defaults fill what the request left out.
    expect(job.payload).toEqual({
      temperature: 0.7,
      n: 1,
      max_context_length: 2048,
      max_length: 120,
      prompt: "Once upon a time",
      min_p: 0,
      smoothing_factor: 0,
      dynatemp_range: 0,
      dynatemp_exponent: 1,
    });
    expect(job).toMatchObject({ softprompt: null, extra_source_images: null });
    expect((await h.textStatus(id)).body).toMatchObject({ processing: 1, waiting: 0, queue_position: 0 });

    const text = "x".repeat(400);
    const submitted = await h.textSubmit({ id: job.id, generation: text, seed: 42 });
    expect(submitted.status).toBe(200);
    // 100 tokens on a 13B model with a short prompt: tokens · (13/13)^0.2 · 13/125 · cm.
    expect(submitted.body.reward).toBeGreaterThan(0);
    const done = await h.textStatus(id);
    expect(done.body).toMatchObject({ finished: 1, done: true, faulted: false });
    expect(done.body.generations).toEqual([
      {
        worker_id: expect.any(String),
        worker_name: "text-worker",
        model: MODEL,
        state: "ok",
        text,
        seed: 42,
        gen_metadata: [],
      },
    ]);
    expect(done.body.kudos).toBe(Math.round(1 + submitted.body.reward + 1));
    expect(conformance(schemas.RequestStatusKobold, done.body)).toEqual([]);
  });

  test("text ids are not image ids, and the other way round (§1.5)", async () => {
    const h = setup();
    const text = (await h.textGenerate()).body.id;
    const image = (await h.generate()).body.id;
    expect((await h.check(text)).body.rc).toBe("RequestNotFound");
    const wrong = await h.textStatus(image);
    expect(wrong.status).toBe(404);
    expect(wrong.body.message).toMatch(
      new RegExp(
        `^Text Waiting Prompt \\(Status\\) with ID '${image}' not found\\. You have requested this URI`,
      ),
    );
  });

  test("validation rcs of §6.1, in order", async () => {
    const h = setup();
    const rc = async (body: Record<string, unknown>) => {
      const r = await h.textGenerate(body);
      return [r.status, r.body.rc];
    };
    expect(await rc({ prompt: "" })).toEqual([400, "MissingPrompt"]);
    expect(await rc({ extra_source_images: [{ image: "abc" }] })).toEqual([400, "InvalidExtraSourceImages."]);
    expect(await rc({ params: { max_length: 512, max_context_length: 256 } })).toEqual([
      400,
      "TokenOverflow",
    ]);
    expect(await rc({ params: { sampler_order: [0, 1, 2] } })).toEqual([400, "MissingFullSamplerOrder"]);
    expect(await rc({ params: { stop_sequence: Array.from({ length: 129 }, (_, i) => `s${i}`) } })).toEqual([
      400,
      "TooManyStopSequences",
    ]);
    expect(await rc({ params: { stop_sequence: ["a".repeat(2001)] } })).toEqual([
      400,
      "ExcessiveStopSequence",
    ]);
    // Schema errors come first and have no rc.
    const schema = await h.textGenerate({ params: { max_length: 5000 } });
    expect(schema.status).toBe(400);
    expect(schema.body).toEqual({
      message: "Input payload validation failed",
      errors: { "params.max_length": "5000 is greater than the maximum of 4096" },
    });
    const noPrompt = await h.call("POST", "/v2/generate/text/async", {
      apikey: h.requester.apikey,
      body: {},
    });
    expect(noPrompt.status).toBe(400);
    expect(Object.keys(noPrompt.body.errors)).toEqual(["prompt"]);
  });

  test("upfront kudos for long outputs; allow_downgrade lowers max_length instead", async () => {
    const h = setup();
    const poor = h.emu.admin.createUser({ username: "poor", kudos: 0 });
    const long = await h.textGenerate(
      { params: { max_length: 1024, max_context_length: 4096 } },
      poor.apikey,
    );
    expect([long.status, long.body.rc]).toEqual([403, "KudosUpfront"]);
    const down = await h.textGenerate(
      { params: { max_length: 1024, max_context_length: 4096 }, allow_downgrade: true },
      poor.apikey,
    );
    expect(down.status).toBe(202);
    const job = (await h.textPop({ max_length: 4096, max_context_length: 8192 })).body;
    expect(job.payload.max_length).toBe(512);
    // A rich user passes, and so does a short request of the poor one.
    expect((await h.textGenerate({ params: { max_length: 1024, max_context_length: 4096 } })).status).toBe(
      202,
    );
    expect((await h.textGenerate({}, poor.apikey)).status).toBe(202);
  });

  test("a dry run answers 200 {kudos} and creates nothing", async () => {
    const h = setup();
    const dry = await h.textGenerate({ dry_run: true, models: [MODEL], params: { max_length: 200 } });
    expect(dry.status).toBe(200);
    expect(Object.keys(dry.body)).toEqual(["kudos"]);
    expect(dry.body.kudos).toBeGreaterThan(0);
    expect(h.emu.admin.stats().requests.total).toBe(0);
  });

  test("matching: what the pop's query leaves out is not counted; a soft prompt is never matched", async () => {
    const h = setup();
    await h.textGenerate({ params: { max_length: 600, max_context_length: 4096 } });
    await h.textGenerate({ models: ["koboldcpp/other-model"] });
    await h.textGenerate({ validated_backends: true });
    const none = await h.textPop({ bridge_agent: "SomeOtherBridge:1:x" });
    expect(none.body).toMatchObject({ id: null, ids: [], model: null, ttl: null, softprompt: null });
    expect(none.body.skipped).toEqual({});
    expect(none.body.payload).toEqual({
      max_context_length: 2048,
      max_length: 80,
      min_p: 0,
      smoothing_factor: 0,
      dynatemp_range: 0,
      dynatemp_exponent: 1,
    });
    // The validated bridge takes the validated-backends request.
    expect((await h.textPop()).body.id).not.toBeNull();
    // QUIRK(docs/server/text.md#submit): the request's soft prompt is dropped, so any worker takes it.
    await h.textGenerate({ softprompt: "fantasy" });
    const popped = (await h.textPop()).body;
    expect(popped.id).not.toBeNull();
    expect(popped.softprompt).toBeNull();
  });

  test("a faulted text job is always re-queued; censorship and csam show in state", async () => {
    const h = setup();
    const id = (await h.textGenerate({ params: { n: 2 } })).body.id;
    const a = (await h.textPop()).body;
    expect((await h.textSubmit({ id: a.id, state: "faulted" })).body).toEqual({ reward: 0 });
    expect((await h.textStatus(id)).body).toMatchObject({ restarted: 1, waiting: 2, processing: 0 });
    const b = (await h.textPop()).body;
    const c = (await h.textPop()).body;
    const before = h.emu.admin.getUser(h.requester.apikey)?.kudos ?? 0;
    await h.textSubmit({ id: b.id, state: "censored" });
    await h.textSubmit({ id: c.id, gen_metadata: [{ type: "censorship", value: "csam" }] });
    const s = (await h.textStatus(id)).body;
    expect(s.generations.map((g: { state: string }) => g.state)).toEqual(["censored", "csam"]);
    // A censored result costs the requester only the burn of 1.
    expect(h.emu.admin.getUser(h.requester.apikey)?.kudos).toBe(before - 2);
    expect((await h.textSubmit({ id: c.id })).body.rc).toBe("DuplicateGen");
  });

  test("a text worker's models at check-in: any name, a special model only for its user, at least one", async () => {
    const h = setup();
    expect((await h.textPop({ name: "any", models: ["not/in-the-reference"] })).status).toBe(200);
    const others = await h.textPop({ name: "others", models: ["koboldcpp/x::someone#1"] });
    expect(others.body).toMatchObject({
      rc: "BadRequest",
      message: "This model can only be hosted by someone#1",
    });
    expect((await h.textPop({ name: "own", models: [`koboldcpp/x::${h.owner.username}`] })).status).toBe(200);
    const none = await h.textPop({ name: "none", models: [] });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/unrecognised models/);
  });

  test("reports after delivery: censorship marks the text, a fault re-queues; too much metadata is refused after storing", async () => {
    const h = setup();
    const id = (await h.textGenerate({ params: { n: 2 } })).body.id;
    const a = (await h.textPop()).body;
    expect((await h.textSubmit({ id: a.id })).status).toBe(200);
    expect((await h.textSubmit({ id: a.id, state: "censored" })).body.rc).toBe("DuplicateGen");
    expect((await h.textStatus(id)).body.generations[0].state).toBe("censored");
    // The fault report still gives the request a job back before the second submit is refused (for text the
    // server commits it, as the oracle shows): one job was left, and now two more can be popped.
    expect((await h.textSubmit({ id: a.id, state: "faulted" })).body.rc).toBe("DuplicateGen");
    const b = (await h.textPop()).body;
    expect(b.id).not.toBeNull();
    expect((await h.textPop()).body.id).not.toBeNull();

    // Text metadata can only say csam.
    const metadata = Array.from({ length: 51 }, () => ({ type: "censorship", value: "csam" }));
    const tooMuch = await h.textSubmit({ id: b.id, gen_metadata: metadata });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.message).toBe("Too many metadata fields. Max is 50.");
    const after = (await h.textStatus(id)).body;
    expect(after).toMatchObject({ finished: 2 });
    expect(after.generations[1].state).toBe("csam");
  });

  test("QUIRK(§6.1): a cancelled text request keeps its job count, so it is never done", async () => {
    const h = setup();
    const id = (await h.textGenerate({ params: { n: 2 } })).body.id;
    const job = (await h.textPop()).body;
    const snapshot = await h.textCancel(id);
    expect(snapshot.body).toMatchObject({ waiting: 1, processing: 1, done: false });
    await h.textSubmit({ id: job.id });
    expect((await h.textStatus(id)).body).toMatchObject({ finished: 1, waiting: 0, done: false });
    expect((await h.textPop()).body.id).toBeNull();
  });

  test("text jobs go stale after 150 s and the request expires 20 min after its last activity", async () => {
    const h = setup();
    const id = (await h.textGenerate()).body.id;
    const job = (await h.textPop()).body;
    await h.clock.advance(150_001);
    expect((await h.textStatus(id)).body).toMatchObject({ restarted: 1, waiting: 1 });
    expect((await h.textSubmit({ id: job.id })).body.rc).toBe("AbortedGen");
    await h.clock.advance(20 * 60_000);
    expect((await h.textStatus(id)).status).toBe(404);
  });
});
