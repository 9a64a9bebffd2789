/**
 * Bad input: 2,000 generated malformed requests (wrong types, missing fields, huge strings, bad JSON,
 * unknown ids, bad signatures) each get a 4xx in one of the server's error shapes; none is a 500; the
 * emulator keeps serving and its state is untouched. Plus the body cap (413) and the JSON depth cap.
 */
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { prng } from "horde-test-support";
import { type Json, setup, TINY_WEBP } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

interface Case {
  method: string;
  path: string;
  apikey?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  label: string;
}

const WRONG_VALUES: unknown[] = [
  null,
  true,
  -1,
  1e308,
  0.5,
  "",
  "x".repeat(5000),
  [],
  [null],
  {},
  { nested: { deeper: [1, "2", null] } },
  "😀".repeat(50),
  "\u0000nul",
];

const BAD_JSON = [
  "",
  "{",
  "}",
  '{"prompt": }',
  '{"prompt": "unterminated',
  "[1, 2,",
  "{'single': 'quotes'}",
  '{"a": NaN}',
  '{"a": Infinity}',
  "undefined",
  '{"a": 1} trailing',
  "\u0000\u0001\u0002",
  `{"a": "${"\\u12".repeat(3)}"}`,
  "[".repeat(200),
];

const UNKNOWN_IDS = [
  "00000000-0000-0000-0000-000000000000",
  "not-a-uuid",
  "%20",
  "a".repeat(300),
  "..%2F..%2Fetc",
];

/** Bodies that break one rule of each endpoint's contract (type, range, enum, required field, length). */
function schemaBreakers(r: ReturnType<typeof prng>): Record<string, () => Record<string, unknown>> {
  const wrong = () => r.pick(WRONG_VALUES);
  return {
    "/v2/generate/async": () =>
      r.pick([
        () => ({ prompt: r.pick([null, 5, [], {}, ""]) }),
        () => ({ params: { width: r.pick([100, 3200, "512", -64, 0.5, null]) }, prompt: "p" }),
        () => ({ prompt: "p", params: { steps: r.pick([0, 501, "30", 1.5]) } }),
        () => ({ prompt: "p", params: { sampler_name: r.pick(["k_magic", "", 7, "x".repeat(3000)]) } }),
        () => ({ prompt: "p", params: { n: r.pick([0, 21, "2", -1]) } }),
        () => ({ prompt: "p", params: { loras: [{ name: r.pick(["", "x".repeat(300), 5]) }] } }),
        () => ({ prompt: "p", webhook: r.pick(["http://x", "x".repeat(2000), 9]) }),
        () => ({ prompt: "p", style: r.pick(["ab", "x".repeat(2000)]) }),
        () => ({ prompt: "p", models: r.pick([null, "stable_diffusion", 5, [5], {}]) }),
        () => ({ prompt: "p", nsfw: r.pick(["yes", 1, null]) }),
        () => ({ prompt: "p", params: { post_processing: ["GFPGAN", "GFPGAN"] } }),
        () => ({ prompt: "p", workers: r.pick(UNKNOWN_IDS.map((id) => [id])) }),
      ])(),
    "/v2/generate/text/async": () =>
      r.pick([
        () => ({ prompt: r.pick([null, 5, [], ""]) }),
        () => ({ prompt: "p", params: { max_length: r.pick([1, 5000, "80"]) } }),
        () => ({ prompt: "p", params: { max_context_length: r.pick([10, 2e6]) } }),
        () => ({ prompt: "p", params: { temperature: r.pick([-1, 6, "hot"]) } }),
        () => ({ prompt: "p", softprompt: "" }),
        () => ({ prompt: "p", params: { max_length: 500, max_context_length: 100 } }),
        () => ({ prompt: "p", params: { sampler_order: [1, 2] } }),
      ])(),
    "/v2/interrogate/async": () =>
      r.pick([
        () => ({ forms: [{ name: r.pick(["levitate", "", 5]) }], source_image: "x" }),
        () => ({ forms: wrong(), source_image: "x" }),
        () => ({ forms: [{ name: "caption" }] }),
        () => ({ forms: [{ name: "caption" }], source_image: r.pick(["!!notbase64!!", "aGVsbG8=", 7]) }),
        () => ({ forms: [{ name: "caption" }], source_image: "" }),
      ])(),
    "/v2/generate/pop": () =>
      r.pick([
        () => ({ models: ["stable_diffusion"] }),
        () => ({ name: r.pick([null, 5, [], {}, true]), models: ["stable_diffusion"] }),
        () => ({ name: "w", models: ["ab"] }),
        () => ({ name: "w", threads: r.pick([0, 51, "2"]) }),
        () => ({ name: "w", amount: r.pick([0, 21]) }),
        () => ({ name: "w", bridge_agent: "x".repeat(1001) }),
        () => ({ name: "w", priority_usernames: ["no-hash"] }),
      ])(),
    "/v2/generate/text/pop": () =>
      r.pick([() => ({ models: [] }), () => ({ name: "w", max_length: "long" }), () => ({ name: 5 })])(),
    "/v2/interrogate/pop": () =>
      r.pick([
        () => ({ forms: ["caption"] }),
        () => ({ name: "a", forms: ["levitate"] }),
        () => ({ name: "a", max_tiles: r.pick([0, 257]) }),
        () => ({ name: "a", threads: 101 }),
      ])(),
    "/v2/generate/submit": () =>
      r.pick([
        () => ({ generation: "R2", seed: 1 }),
        () => ({ id: r.pick(UNKNOWN_IDS), generation: "R2" }),
        () => ({ id: r.pick(UNKNOWN_IDS), generation: "R2", seed: 1 }),
        () => ({ id: r.pick(UNKNOWN_IDS), seed: 1 }),
        () => ({ id: "x", generation: "R2", seed: 1, state: "exploded" }),
        () => ({ id: "x", generation: "R2", seed: 1, gen_metadata: [{ type: "bogus", value: "nsfw" }] }),
      ])(),
    "/v2/generate/text/submit": () =>
      r.pick([
        () => ({ id: r.pick(UNKNOWN_IDS), generation: "t" }),
        () => ({ generation: "t" }),
        () => ({ id: "x" }),
        () => ({ id: "x", generation: "t", gen_metadata: [{ type: "censorship", value: "nsfw" }] }),
      ])(),
    "/v2/interrogate/submit": () =>
      r.pick([
        () => ({ id: r.pick(UNKNOWN_IDS), result: {} }),
        () => ({ id: "x" }),
        () => ({ result: {} }),
        () => ({ id: "x", result: r.pick(["text", 5, [1]]) }),
      ])(),
    "/v2/generate/rate/{id}": () => ({ best: r.pick(["short", 5]), ratings: [{ id: "x", rating: 11 }] }),
  };
}

function generate(count: number, keys: { owner: string; requester: string }, r2Url: string): Case[] {
  const r = prng(20260101);
  const breakers = schemaBreakers(r);
  const postRoutes = Object.keys(breakers);
  const key = () => r.pick([keys.owner, keys.requester, keys.owner, "not-a-real-key", "x".repeat(4000)]);
  const kinds: (() => Case)[] = [
    // Contract violations in the body.
    () => {
      const path = r.pick(postRoutes);
      const body = (breakers[path] as () => Record<string, unknown>)();
      const concrete = path.replace("{id}", r.pick(UNKNOWN_IDS));
      return {
        method: "POST",
        path: concrete,
        apikey: keys.owner,
        body: JSON.stringify(body),
        label: `schema ${path}`,
      };
    },
    // Bodies that are not JSON at all, or not an object.
    () => ({
      method: "POST",
      path: r.pick(postRoutes).replace("{id}", "x"),
      apikey: key(),
      body: r.pick([...BAD_JSON, "5", '"text"', "null", "[]", "true"]),
      label: "bad json",
    }),
    // Random bytes.
    () => ({
      method: "POST",
      path: r.pick(postRoutes).replace("{id}", "x"),
      apikey: key(),
      body: Uint8Array.from({ length: 1 + r.int(512) }, () => r.int(256)),
      label: "bytes",
    }),
    // Unknown ids on every id route and method.
    () => {
      const id = encodeURIComponent(r.pick(UNKNOWN_IDS));
      const [method, path] = r.pick([
        ["GET", `/v2/generate/check/${id}`],
        ["GET", `/v2/generate/status/${id}`],
        ["DELETE", `/v2/generate/status/${id}`],
        ["GET", `/v2/generate/text/status/${id}`],
        ["DELETE", `/v2/generate/text/status/${id}`],
        ["GET", `/v2/interrogate/status/${id}`],
        ["DELETE", `/v2/interrogate/status/${id}`],
        ["GET", `/v2/workers/${id}`],
        ["GET", `/v2/workers/name/${id}`],
        ["GET", `/v2/users/${id}`],
        ["POST", `/v2/generate/rate/${id}`],
      ] as const);
      return { method, path, body: method === "POST" ? "{}" : undefined, label: "unknown id" };
    },
    // Authentication: missing, unknown or huge keys.
    () => {
      const path = r.pick([
        "/v2/generate/async",
        "/v2/generate/pop",
        "/v2/interrogate/async",
        "/v2/find_user",
      ]);
      const apikey = r.pick([undefined, "", "not-a-real-key", "y".repeat(8000)]);
      const body =
        path === "/v2/find_user"
          ? undefined
          : JSON.stringify({
              prompt: "p",
              name: "w",
              forms: [{ name: "caption" }],
              source_image: TINY_WEBP.toString("base64"),
            });
      return { method: path === "/v2/find_user" ? "GET" : "POST", path, apikey, body, label: "auth" };
    },
    // Bad signatures and keys on the local R2 bucket.
    () => {
      const url = new URL(r2Url);
      const edit = r.int(4);
      if (edit === 0) url.searchParams.set("sig", "0".repeat(64));
      if (edit === 1) url.searchParams.set("expires", "nope");
      if (edit === 2) url.searchParams.delete("sig");
      if (edit === 3) url.pathname = `/_r2/${r.pick(UNKNOWN_IDS)}.webp`;
      return {
        method: r.pick(["PUT", "GET"]),
        path: `${url.pathname}${url.search}`,
        body: undefined,
        label: "r2",
      };
    },
    // Bad query strings.
    () => ({
      method: "GET",
      path: r.pick([
        "/v2/status/models?model_state=maybe",
        "/v2/stats/img/models?model_state=%00",
        "/v2/users/-1",
        "/v2/users/1e3",
      ]),
      label: "query",
    }),
    // Wrong methods and unknown routes.
    () => ({
      method: r.pick(["PUT", "PATCH", "DELETE"]),
      path: r.pick(["/v2/generate/async", "/v2/generate/check/x", "/v2/nope", "/v3/generate/async"]),
      label: "route",
    }),
  ];
  return Array.from({ length: count }, () => (r.pick(kinds) as () => Case)());
}

describe("2,000 malformed requests", () => {
  test("each gets a 4xx in the server's error shapes; no 500; the emulator keeps working", async () => {
    const h = setup();
    // One R2 URL to tamper with.
    const seedId = (await h.generate()).body.id;
    const popped = (await h.pop()).body;
    const before = JSON.stringify(h.emu.admin.stats());

    const cases = generate(2000, { owner: h.owner.apikey, requester: h.requester.apikey }, popped.r2_upload);
    const byLabel = new Map<string, number>();
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const headers: Record<string, string> = { ...(c.headers ?? {}) };
      if (c.apikey !== undefined) headers.apikey = c.apikey;
      if (c.body !== undefined) headers["Content-Type"] = "application/json";
      const base = c.path.startsWith("/_r2/") ? "http://horde.local" : "http://horde.local/api";
      const res = await h.emu.fetch(`${base}${c.path}`, {
        method: c.method,
        headers,
        body: c.body as BodyInit | undefined,
      });
      const text = await res.text();
      const where = `${c.label}: ${c.method} ${c.path.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`;
      expect(res.status, where).toBeGreaterThanOrEqual(400);
      expect(res.status, where).toBeLessThan(500);
      if (c.path.startsWith("/_r2/")) {
        expect(text, where).toMatch(/^<\?xml.*<Error><Code>\w+<\/Code>/s);
      } else if (res.headers.get("Content-Type")?.startsWith("text/html")) {
        // A path no route matches: werkzeug's page, as the server answers it.
        expect([res.status, text], where).toEqual([
          404,
          expect.stringContaining("<title>404 Not Found</title>"),
        ]);
      } else {
        const body = JSON.parse(text) as Json;
        expect(typeof body.message, where).toBe("string");
        const keys = Object.keys(body).sort().join(",");
        // {message, rc} (application), {message, errors} (validation), {message} (routing, bad JSON).
        expect(["message,rc", "errors,message", "message"], where).toContain(keys);
        if (body.errors) for (const v of Object.values(body.errors)) expect(typeof v, where).toBe("string");
      }
      byLabel.set(c.label, (byLabel.get(c.label) ?? 0) + 1);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    // The generator covered every kind of breakage and several statuses.
    expect(byLabel.size).toBeGreaterThanOrEqual(8);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 403, 404, 405]));

    // Nothing changed: no request, job, worker or user was created, and the seed request is intact.
    expect(JSON.stringify(h.emu.admin.stats())).toBe(before);
    expect((await h.check(seedId)).body).toMatchObject({ processing: 1, waiting: 0 });
    // And the emulator still does its job.
    await h.put(popped.r2_upload, TINY_WEBP);
    expect((await h.submit({ id: popped.id })).body.reward).toBeGreaterThan(0);
    expect((await h.status(seedId)).body).toMatchObject({ done: true, finished: 1 });
  });
});

describe("caps", () => {
  test("bodies over the cap are 413; JSON nested deeper than 512 levels is werkzeug's 400", async () => {
    // Several posts at one virtual instant: no rate limits here.
    const emu = createEmulator({
      clock: new VirtualClock(),
      logger: silentLogger,
      maxBodyBytes: 64 * 1024,
      rateLimits: false,
    });
    const post = (body: string) =>
      emu.fetch("http://horde.local/api/v2/generate/async", {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body,
      });
    const big = await post(JSON.stringify({ prompt: "x".repeat(100 * 1024) }));
    expect([big.status, await big.json()]).toEqual([
      413,
      { message: "The data value transmitted exceeds the capacity limit." },
    ]);
    const put = await emu.fetch("http://horde.local/_r2/x.webp?expires=1&sig=00", {
      method: "PUT",
      body: new Uint8Array(100 * 1024),
    });
    expect(put.status).toBe(413);
    // 100 levels parse (the schema then refuses them); beyond 512 the body is refused unread.
    const nested = await post(`{"prompt": "p", "params": ${"[".repeat(100)}${"]".repeat(100)}}`);
    expect([nested.status, (await nested.json()).message]).toEqual([400, "Input payload validation failed"]);
    const deep = await post(`{"prompt": "p", "params": ${"[".repeat(600)}${"]".repeat(600)}}`);
    expect([deep.status, await deep.json()]).toEqual([
      400,
      { message: "The browser (or proxy) sent a request that this server could not understand." },
    ]);
    // Within the caps all is well.
    expect((await post(JSON.stringify({ prompt: "fine" }))).status).toBe(202);
    await emu.close();
  });
});
