/**
 * Property fuzzing of the emulator with fast-check (fixed seed; the seed and the shrunk counterexample are
 * printed on failure): sequences of arbitrary HTTP requests — well-formed operations with arbitrary field
 * values, workers popping and submitting, cancels, and raw junk — never get a 5xx (501 "not emulated"
 * aside) nor crash, every API answer is JSON, and after every sequence the state invariants hold:
 *
 * - progress counters are non-negative integers, the public /check agrees with the admin view, a done
 *   request waits for nothing, and no request reports more finished jobs than it asked for;
 * - kudos conserve per account: balance − start = earned − consumed (balances are far above the floor, so
 *   no debit is forgiven);
 * - the horde tax: what requesters consumed equals what their requests report consumed (/check `kudos`:
 *   the activation tax plus the charge of every delivered job), and what worker owners earned equals the
 *   `reward`s the submits answered (× the bridge multiplier: 1 for reGen 9, 0.75 for an unknown bridge). /check rounds `kudos` to a
 *   whole number, so the first equality holds to half a kudo per request. The two sides are NOT equal:
 *   the tax and the charge/reward formulas make the horde a net sink, as on the server.
 */
import fc from "fast-check";
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { type Json, REGEN, TINY_WEBP } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const ORIGIN = "http://horde.local";
const START_KUDOS = 1_000_000;

type Op =
  | { op: "image"; user: number; body: Record<string, unknown> }
  | { op: "text"; user: number; body: Record<string, unknown> }
  | { op: "alchemy"; user: number; body: Record<string, unknown> }
  | { op: "pop"; worker: number; kind: "image" | "text"; extra: Record<string, unknown> }
  | { op: "submit"; worker: number; kind: "image" | "text"; pick: number; raw: string | null; body: Json }
  | { op: "read"; method: "GET" | "DELETE"; route: string; pick: number; raw: string | null }
  | { op: "junk"; method: string; path: string; body: string | null; apikey: string | null };

const weird = fc.oneof(
  fc.string(),
  fc.constantFrom("..", ".", "%2e%2e", "../x", "a/b", "?x=1", "#", "%00", "😀", " ", "null"),
  fc.uuid(),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const imageBody = fc.record(
  {
    prompt: fc.oneof(fc.constant("a lighthouse"), fc.string({ maxLength: 50 }), anyJson),
    params: fc.oneof(
      fc.record(
        {
          n: maybe(fc.oneof(fc.integer({ min: -1, max: 4 }), anyJson)),
          width: maybe(fc.oneof(fc.constantFrom(64, 512, 513, 0), fc.integer(), anyJson)),
          height: maybe(fc.constantFrom(64, 512, 4096)),
          steps: maybe(fc.oneof(fc.integer({ min: -5, max: 200 }), anyJson)),
          sampler_name: maybe(fc.oneof(fc.constantFrom("k_euler", "nope"), anyJson)),
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    models: maybe(fc.oneof(fc.constant(["stable_diffusion"]), fc.array(fc.string(), { maxLength: 3 }))),
    r2: maybe(fc.oneof(fc.boolean(), anyJson)),
    dry_run: maybe(fc.boolean()),
    extra: maybe(anyJson),
  },
  { requiredKeys: ["prompt"] },
);

const textBody = fc.record(
  {
    prompt: fc.oneof(fc.constant("once upon a time"), fc.string({ maxLength: 50 }), anyJson),
    params: maybe(
      fc.oneof(
        fc.record(
          {
            max_length: maybe(fc.oneof(fc.integer({ min: -1, max: 600 }), anyJson)),
            max_context_length: maybe(fc.integer({ min: 0, max: 5000 })),
            n: maybe(fc.integer({ min: 0, max: 3 })),
          },
          { requiredKeys: [] },
        ),
        anyJson,
      ),
    ),
    models: maybe(fc.array(fc.string(), { maxLength: 2 })),
  },
  { requiredKeys: ["prompt"] },
);

const alchemyBody = fc.record(
  {
    forms: fc.oneof(
      fc.constant([{ name: "caption" }]),
      fc.array(fc.record({ name: fc.oneof(fc.string(), anyJson) }), { maxLength: 3 }),
      anyJson,
    ),
    source_image: fc.oneof(fc.constant(TINY_WEBP.toString("base64")), fc.string(), anyJson),
  },
  { requiredKeys: [] },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("image" as const), user: fc.nat(2), body: imageBody }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("text" as const), user: fc.nat(2), body: textBody }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom("image" as const, "text" as const),
      user: fc.nat(2),
      body: fc.record({
        prompt: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `p ${s}`),
        params: fc.record({ n: fc.integer({ min: 1, max: 3 }), max_length: fc.constant(32) }),
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("alchemy" as const), user: fc.nat(2), body: alchemyBody }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("pop" as const),
      worker: fc.nat(2),
      kind: fc.constantFrom("image" as const, "text" as const),
      extra: fc.oneof(
        fc.constant({}),
        fc.record({ amount: fc.integer({ min: -1, max: 5 }) }),
        fc.record({ max_pixels: fc.oneof(fc.integer(), anyJson) }),
        fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }),
      ),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("submit" as const),
      worker: fc.nat(2),
      kind: fc.constantFrom("image" as const, "text" as const),
      pick: fc.nat(),
      raw: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: weird }),
      body: fc.oneof(
        fc.constant({ generation: "R2", seed: 1 }),
        fc.constant({ generation: "once", seed: 7 }),
        fc.constant({ generation: TINY_WEBP.toString("base64"), seed: 3, state: "ok" }),
        fc.constant({ generation: "twice", seed: 7, state: "ok" }),
        fc.record({
          generation: fc.oneof(fc.string(), anyJson),
          seed: maybe(anyJson),
          state: maybe(fc.constantFrom("ok", "faulted", "censored", "csam", "nope")),
        }),
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("read" as const),
      method: fc.constantFrom("GET" as const, "DELETE" as const),
      route: fc.constantFrom(
        "/v2/generate/check/",
        "/v2/generate/status/",
        "/v2/generate/text/status/",
        "/v2/interrogate/status/",
      ),
      pick: fc.nat(),
      raw: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: weird }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("junk" as const),
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
      path: fc.oneof(
        fc.webPath(),
        fc.constantFrom(
          "/api/v2/generate/async",
          "/api/v2/generate/pop",
          "/api/v2/generate/submit",
          "/api/v2/users/1",
          "/api/v2/workers/x",
          "/api/v2/find_user",
          "/api/v2/status/models/..",
          "/api/v2/stats/img/totals",
          "/_r2/x.webp?expires=1&sig=00",
        ),
        fc.string().map((s) => `/api/v2/${encodeURIComponent(s)}`),
      ),
      body: fc.option(
        fc.oneof(
          fc.string(),
          anyJson.map((j) => JSON.stringify(j)),
        ),
        { nil: null },
      ),
      apikey: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constant("0000000000")), { nil: null }),
    }),
  },
);

interface World {
  emu: ReturnType<typeof createEmulator>;
  users: { apikey: string }[];
  workers: { apikey: string; name: string }[];
  /** Request ids the emulator gave out, with the `n` asked for (image/text) or null. */
  requests: Map<string, { kind: "image" | "text" | "alchemy"; n: number }>;
  popped: { image: string[]; text: string[] };
  rewards: number;
  /** How many submits were rewarded: each reward lands in a whole-number balance. */
  rewardCount: number;
  failures: string[];
}

function world(): World {
  const clock = new VirtualClock();
  const emu = createEmulator({ clock, logger: silentLogger, rateLimits: false });
  const users = [0, 1, 2].map((i) =>
    emu.admin.createUser({ username: `fuzz-user-${i}`, kudos: START_KUDOS, concurrency: 100 }),
  );
  const workers = [0, 1, 2].map((i) => ({
    ...emu.admin.createUser({ username: `fuzz-owner-${i}`, trusted: true, kudos: START_KUDOS }),
    name: `fuzz-worker-${i}`,
  }));
  return {
    emu,
    users,
    workers,
    requests: new Map(),
    popped: { image: [], text: [] },
    rewards: 0,
    rewardCount: 0,
    failures: [],
  };
}

async function send(
  w: World,
  label: string,
  method: string,
  path: string,
  body: string | null,
  apikey: string | null,
): Promise<{ status: number; json: Json }> {
  const headers: Record<string, string> = {};
  if (apikey !== null) headers.apikey = apikey;
  if (body !== null) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await w.emu.fetch(`${ORIGIN}${path}`, {
      method,
      headers,
      body: body === null || method === "GET" || method === "HEAD" ? undefined : body,
    });
  } catch (e) {
    // A path that is not a valid URL is the caller's problem (fetch rejects it), never the emulator's.
    if (e instanceof TypeError && /Invalid URL/i.test(String(e.message))) return { status: 0, json: null };
    w.failures.push(`${label}: ${method} ${path} crashed: ${String(e)}`);
    return { status: 0, json: null };
  }
  const text = await res.text();
  if (res.status >= 500 && res.status !== 501)
    w.failures.push(`${label}: ${method} ${path} → ${res.status} ${text}`);
  let json: Json = null;
  if (text !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      const ct = res.headers.get("content-type") ?? "";
      if (path.startsWith("/api/") && ct.includes("json"))
        w.failures.push(`${label}: ${method} ${path} → ${res.status} unparsable JSON: ${text.slice(0, 100)}`);
    }
  }
  return { status: res.status, json };
}

const pickFrom = <T>(xs: readonly T[], i: number): T | undefined =>
  xs.length ? xs[i % xs.length] : undefined;

async function run(w: World, op: Op): Promise<void> {
  switch (op.op) {
    case "image":
    case "text":
    case "alchemy": {
      const path =
        op.op === "image"
          ? "/v2/generate/async"
          : op.op === "text"
            ? "/v2/generate/text/async"
            : "/v2/interrogate/async";
      const r = await send(
        w,
        op.op,
        "POST",
        `/api${path}`,
        JSON.stringify(op.body),
        w.users[op.user]?.apikey ?? null,
      );
      if (r.status === 202 && typeof r.json?.id === "string") {
        const params = (op.body.params ?? {}) as { n?: unknown };
        const n = typeof params.n === "number" ? params.n : 1;
        w.requests.set(r.json.id, { kind: op.op, n });
      }
      return;
    }
    case "pop": {
      const worker = w.workers[op.worker] as World["workers"][number];
      const path = op.kind === "image" ? "/api/v2/generate/pop" : "/api/v2/generate/text/pop";
      const base =
        op.kind === "image"
          ? { name: worker.name, models: ["stable_diffusion"], bridge_agent: REGEN, max_pixels: 4_194_304 }
          : { name: `${worker.name}-text`, models: ["koboldcpp/LLaMA2-13B-Psyfighter2"], max_length: 512 };
      const r = await send(w, "pop", "POST", path, JSON.stringify({ ...base, ...op.extra }), worker.apikey);
      if (r.status === 200 && r.json?.id) {
        const ids: string[] = r.json.ids?.length ? r.json.ids : [r.json.id];
        w.popped[op.kind].push(...ids);
      }
      return;
    }
    case "submit": {
      const worker = w.workers[op.worker] as World["workers"][number];
      const id = op.raw ?? pickFrom(w.popped[op.kind], op.pick) ?? "none";
      const path = op.kind === "image" ? "/api/v2/generate/submit" : "/api/v2/generate/text/submit";
      const r = await send(w, "submit", "POST", path, JSON.stringify({ ...op.body, id }), worker.apikey);
      // Owners are credited reward × the bridge multiplier: 1 for reGen 9 (the image pops), 0.75 for a
      // bridge the horde does not know (the text pops send none).
      if (r.status === 200 && typeof r.json?.reward === "number") {
        w.rewards += r.json.reward * (op.kind === "image" ? 1 : 0.75);
        w.rewardCount += 1;
      }
      return;
    }
    case "read": {
      const id = op.raw ?? pickFrom([...w.requests.keys()], op.pick) ?? "none";
      const method = op.route === "/v2/generate/check/" ? "GET" : op.method;
      await send(w, "read", method, `/api${op.route}${encodeURIComponent(id)}`, null, null);
      return;
    }
    case "junk":
      await send(w, "junk", op.method, op.path, op.body, op.apikey);
      return;
  }
}

/** The invariants of the module comment; returns what broke. */
async function invariants(w: World): Promise<string[]> {
  const broken: string[] = [];
  const summaries = w.emu.admin.listRequests();
  let reported = 0;
  for (const s of summaries) {
    for (const [k, v] of Object.entries(s.progress)) {
      if (!Number.isInteger(v) || v < 0) broken.push(`${s.id}: ${k} = ${v}`);
    }
    if (s.kind === "alchemy") continue;
    const path =
      s.kind === "image" ? `/api/v2/generate/check/${s.id}` : `/api/v2/generate/text/status/${s.id}`;
    const check = await send(w, "invariant", "GET", path, null, null);
    if (check.status !== 200) {
      broken.push(`${s.id}: ${path} → ${check.status}`);
      continue;
    }
    const c = check.json;
    for (const k of ["finished", "processing", "restarted", "waiting"] as const) {
      if (c[k] !== s.progress[k]) broken.push(`${s.id}: public ${k} ${c[k]} ≠ admin ${s.progress[k]}`);
    }
    if (c.done && c.waiting !== 0) broken.push(`${s.id}: done but waiting ${c.waiting}`);
    const asked = w.requests.get(s.id)?.n ?? 1;
    if (c.finished > Math.max(asked, 1)) broken.push(`${s.id}: finished ${c.finished} > n ${asked}`);
    reported += c.kudos;
  }
  let consumed = 0;
  let earned = 0;
  for (const u of [...w.users, ...w.workers]) {
    const v = w.emu.admin.getUser(u.apikey);
    if (!v) continue;
    const drift = v.kudos - START_KUDOS - (v.kudosEarned - v.kudosConsumed);
    if (Math.abs(drift) > 0.05) broken.push(`${v.username}: balance drifted by ${drift}`);
    consumed += v.kudosConsumed;
    earned += v.kudosEarned;
  }
  // /check reports `kudos` rounded to a whole number, as the server does: half a kudo per request.
  if (Math.abs(consumed - reported) > 0.5 * summaries.length + 0.05)
    broken.push(`requesters consumed ${consumed}, their requests report ${reported}`);
  // Balances are whole numbers (as the server stores them): each reward is booked rounded.
  if (Math.abs(earned - w.rewards) > 0.5 * w.rewardCount + 0.05)
    broken.push(`owners earned ${earned}, submits rewarded ${w.rewards}`);
  return broken;
}

describe("emulator property fuzzing (fast-check)", () => {
  test(`arbitrary request sequences: no 5xx, no crash, invariants and kudos books hold (seed ${SEED})`, async () => {
    let requestsTried = 0;
    let accepted = 0;
    let rewarded = 0;
    const result = await fc.check(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40, size: "max" }), async (ops) => {
        const w = world();
        for (const op of ops) {
          await run(w, op);
          requestsTried++;
        }
        accepted += w.requests.size;
        rewarded += w.rewards > 0 ? 1 : 0;
        const broken = [...w.failures, ...(await invariants(w))];
        await w.emu.close();
        if (broken.length) throw new Error(broken.slice(0, 5).join("\n"));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    if (result.failed) console.error(fc.defaultReportMessage(result), String(result.errorInstance));
    console.info(
      `fuzz-props: seed ${SEED}, ${result.numRuns} sequences, ${requestsTried} requests, ${accepted} accepted, ${rewarded} sequences with paid submits`,
    );
    expect(result.failed, `seed ${SEED}: ${result.failed ? fc.defaultReportMessage(result) : ""}`).toBe(
      false,
    );
  }, 60_000);
});
