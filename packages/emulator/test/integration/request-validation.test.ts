import { setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const VALIDATION = "Input payload validation failed";

describe("POST /v2/generate/async validation (§1.1.2, §8.1)", () => {
  // One invalid field: 400 with the server's message and that field's error, and nothing else (no rc).
  test.each([
    [
      "width 500 → 400 with errors['params.width'] and no rc",
      { params: { width: 500 } },
      { "params.width": "500 is not a multiple of 64" },
    ],
    ["empty prompt", { prompt: "" }, { prompt: "'' should be non-empty" }],
    ["n 0", { params: { n: 0 } }, { "params.n": "0 is less than the minimum of 1" }],
  ])("%s", async (_name, body, errors) => {
    const res = await setup().generate(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: VALIDATION, errors });
  });

  test("out-of-range values are reported with jsonschema's wording", async () => {
    const h = setup();
    const res = await h.generate({ params: { width: 4096, steps: 0, n: 21, cfg_scale: "high" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toMatchObject({
      "params.steps": "0 is less than the minimum of 1",
      "params.n": "21 is greater than the maximum of 20",
      "params.cfg_scale": "'high' is not of type 'number'",
    });
    expect(res.body.errors["params.width"]).toMatch(
      /^4096 is (greater than the maximum of 3072|not a multiple of 64)$/,
    );
    expect(res.body).not.toHaveProperty("rc");
  });

  test("missing prompt", async () => {
    const h = setup();
    const res = await h.call("POST", "/v2/generate/async", {
      apikey: h.requester.apikey,
      body: { params: {} },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: VALIDATION, errors: { prompt: "'prompt' is a required property" } });
  });

  test("an unknown sampler is refused although the SDK's schema keeps the enum open", async () => {
    const h = setup();
    const res = await h.generate({
      params: { sampler_name: "k_magic", post_processing: ["GFPGAN", "nope"] },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["params.post_processing.1", "params.sampler_name"]);
    expect(res.body.errors["params.sampler_name"]).toMatch(/^'k_magic' is not one of \['DDIM', /);
  });

  test("missing apikey → 400 errors shape (after the schema check)", async () => {
    const h = setup();
    const res = await h.call("POST", "/v2/generate/async", { body: { prompt: "x" } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: VALIDATION,
      errors: {
        apikey:
          "The API Key corresponding to a registered user. Missing required parameter in the HTTP headers",
      },
    });
    // The schema is checked first: a bad body without a key reports the body.
    const both = await h.call("POST", "/v2/generate/async", { body: { prompt: "" } });
    expect(Object.keys(both.body.errors)).toEqual(["prompt"]);
  });

  test("malformed JSON → 400 with werkzeug's message, never a 500", async () => {
    const h = setup();
    const res = await h.call("POST", "/v2/generate/async", {
      apikey: h.requester.apikey,
      rawBody: "{not json",
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "The browser (or proxy) sent a request that this server could not understand.",
    });
    const arr = await h.call("POST", "/v2/generate/async", { apikey: h.requester.apikey, rawBody: "[]" });
    expect(arr.status).toBe(400);
    expect(arr.body).toEqual({ message: VALIDATION, errors: { "": "[] is not of type 'object'" } });
  });

  test("unknown key → 401 InvalidAPIKey", async () => {
    const h = setup();
    const res = await h.generate({}, "nope");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: expect.any(String), rc: "InvalidAPIKey" });
  });

  test("application errors keep the server's rcs, quirks included", async () => {
    const h = setup();
    expect((await h.generate({ style: "my-style" })).body.rc).toBe("StyleNotFound");
    expect((await h.generate({ webhook: "http://example.com/hook" })).body).toMatchObject({
      rc: "BadRequest",
    });
    const workers = await h.generate({ workers: ["00000000-0000-0000-0000-000000000000"] });
    expect([workers.status, workers.body.rc]).toEqual([404, "WorkerNotFound"]);
    const loras = await h.generate({
      params: { loras: Array.from({ length: 6 }, (_, i) => ({ name: `l${i}` })) },
    });
    expect([loras.status, loras.body.rc]).toEqual([400, "TooManyLoras"]);
    const texts = await h.generate({ params: { extra_texts: [{ text: "a", reference: "abc" }] } });
    expect(texts.body.rc).toBe("InvalidExtraTexts.");
    const special = await h.generate({ params: { special: { x: 1 } } });
    expect([special.status, special.body.rc]).toEqual([400, "BadRequest"]);
    const agent = await h.call("POST", "/v2/generate/async", {
      apikey: h.requester.apikey,
      headers: { "Client-Agent": "My-Project:v0.0.1:My-Contact" },
      body: { prompt: "x" },
    });
    expect([agent.status, agent.body.rc]).toEqual([403, "BannedClientAgent"]);
  });

  test("concurrency: images not yet popped count against the limit (§3.3)", async () => {
    const h = setup();
    const small = h.emu.admin.createUser({ username: "carol", concurrency: 3 });
    expect((await h.generate({ params: { n: 2 } }, small.apikey)).status).toBe(202);
    const over = await h.generate({ params: { n: 2 } }, small.apikey);
    expect([over.status, over.body.rc]).toEqual([429, "TooManyPrompts"]);
    // The count the server prints includes the new request's images.
    expect(over.body.message).toBe(
      "Parallel requests (4) exceeded user limit (3). Please try again later or request to increase your concurrency.",
    );
    // Popped images no longer count.
    await h.pop({ amount: 2, max_pixels: 2048 * 2048 });
    expect((await h.generate({ params: { n: 2 } }, small.apikey)).status).toBe(202);
  });

  test("the anonymous key can request images; its concurrency is configurable", async () => {
    const h = setup({ anonymousConcurrency: 2 });
    expect((await h.generate({ params: { n: 2 } }, "0000000000")).status).toBe(202);
    expect((await h.generate({}, "0000000000")).body.rc).toBe("TooManyPrompts");
  });

  test("upfront kudos: big requests need the estimate available (§9.3)", async () => {
    const h = setup();
    const poor = h.emu.admin.createUser({ username: "dave", kudos: 0 });
    const big = await h.generate({ params: { width: 1536, height: 1536 } }, poor.apikey);
    expect([big.status, big.body.rc]).toEqual([403, "KudosUpfront"]);
    const steps = await h.generate({ params: { steps: 50 } }, poor.apikey);
    expect(steps.body.rc).toBe("KudosUpfront");
    // allow_downgrade shrinks the request instead.
    const down = await h.generate(
      { params: { width: 1536, height: 1536 }, allow_downgrade: true },
      poor.apikey,
    );
    expect(down.status).toBe(202);
    const job = (await h.pop({ max_pixels: 4096 * 4096 })).body;
    expect(job.payload.width * job.payload.height).toBeLessThanOrEqual(1024 * 1024);
    const rich = h.emu.admin.createUser({ username: "erin", kudos: 10_000 });
    expect((await h.generate({ params: { width: 1536, height: 1536 } }, rich.apikey)).status).toBe(202);
  });

  test("a dry run answers 200 {kudos} and creates nothing", async () => {
    const h = setup();
    const res = await h.generate({ dry_run: true, params: { n: 2 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kudos: 18 }); // round((7.61 + 1) · 2 + 1)
    expect(h.emu.admin.stats().requests.total).toBe(0);
    // QUIRK(§1.1.2 step 3): a cached estimate answers before the key is checked.
    expect((await h.generate({ dry_run: true, params: { n: 2 } }, "not-a-key")).status).toBe(200);
  });
});

describe("unexpected failures", () => {
  test("an exception in a handler answers the server's 500 and is logged", async () => {
    const logged: string[] = [];
    const h = setup({ logger: { error: (message) => logged.push(message) } });
    h.emu.admin.stats = () => {
      throw new Error("boom");
    };
    const res = await h.call("GET", "/_emulator/stats");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ message: "Internal Server Error" });
    expect(logged).toEqual(["unhandled error on GET /_emulator/stats"]);
  });
});

describe("unknown ids and routes", () => {
  test("404 RequestNotFound for unknown ids and non-UUIDs on check, status and delete", async () => {
    const h = setup();
    for (const id of ["00000000-0000-0000-0000-000000000000", "not-a-uuid"]) {
      const c = await h.check(id);
      expect(c.status).toBe(404);
      // A path that resembles the server's routes gets flask-restx's hint (docs/server/errors.md#not-found-help).
      const hint =
        id === "not-a-uuid"
          ? " You have requested this URI [/api/v2/generate/check/not-a-uuid] but did you mean " +
            "/api/v2/generate/check/<string:id> or /api/v2/generate/status/<string:id> or /api/v2/generate/pop ?"
          : "";
      expect(c.body).toEqual({
        message: `Image Waiting Prompt (Check) with ID '${id}' not found.${hint}`,
        rc: "RequestNotFound",
      });
      const s = await h.status(id);
      expect([s.status, s.body.rc]).toEqual([404, "RequestNotFound"]);
      const d = await h.cancel(id);
      expect([d.status, d.body.rc]).toEqual([404, "RequestNotFound"]);
    }
  });

  test("unknown routes are werkzeug's HTML 404; wrong methods 405 with a bare message", async () => {
    const h = setup();
    const nf = await h.call("GET", "/v2/nothing/here");
    expect(nf.status).toBe(404);
    expect(nf.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(nf.body).toMatch(/<title>404 Not Found<\/title>/);
    const na = await h.call("GET", "/v2/generate/async");
    expect(na.status).toBe(405);
  });
});

describe("pop and submit validation (§5.1, §5.3)", () => {
  test("pop without apikey, without name, with a bad body", async () => {
    const h = setup();
    const noKey = await h.call("POST", "/v2/generate/pop", { body: { name: "w" } });
    expect(noKey.status).toBe(400);
    expect(Object.keys(noKey.body.errors)).toEqual(["apikey"]);
    const noName = await h.call("POST", "/v2/generate/pop", { apikey: h.owner.apikey, body: {} });
    expect(noName.status).toBe(400);
    expect(Object.keys(noName.body.errors)).toEqual(["name"]);
    const bad = await h.pop({ amount: 0 });
    expect(bad.body).toEqual({ message: VALIDATION, errors: { amount: "0 is less than the minimum of 1" } });
    const prio = await h.pop({ priority_usernames: ["alice"] });
    expect([prio.status, prio.body.rc]).toEqual([400, "InvalidPriorityUsername"]);
  });

  test("submit requires id and seed in the body, generation via the parser", async () => {
    const h = setup();
    const res = await h.call("POST", "/v2/generate/submit", {
      apikey: h.owner.apikey,
      body: { generation: "R2" },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(["id", "seed"]);
    const noGen = await h.call("POST", "/v2/generate/submit", {
      apikey: h.owner.apikey,
      body: { id: "x", seed: 1 },
    });
    expect(Object.keys(noGen.body.errors)).toEqual(["generation"]);
    const badMeta = await h.submit({ id: "x", gen_metadata: [{ type: "censorship", value: "bogus" }] });
    expect(Object.keys(badMeta.body.errors)).toEqual(["gen_metadata.0.value"]);
  });
});
