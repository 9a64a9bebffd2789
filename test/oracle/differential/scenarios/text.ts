/**
 * The text lifecycle, requester side (§10: text submit, pop, submit, status, cancel): validation in the
 * server's order, dry runs, upfront kudos, censored and faulted deliveries, kudos on both sides.
 */
import type { Answer, Conversation, StepOptions, TargetUser } from "../framework.js";
import { scenario } from "../framework.js";
import { cancelTextAtEnd, hasJob, isDone, SCRIBE } from "./common.js";

const AREA = "text lifecycle";
const PROGRESS = ["finished", "processing", "restarted", "waiting", "done", "faulted"];
/** A 13B model in the server's text model reference (and in the emulator's). */
export const KNOWN_TEXT_MODEL = "KoboldAI/OPT-13B-Erebus";
const NO_ID = "00000000-0000-0000-0000-000000000000";

/** A model name no other scenario serves, so this scenario's worker only meets this scenario's requests. */
export const ownModel = (c: Conversation, prefix = "m") => `koboldcpp/${c.name(prefix)}`;

/**
 * The requester and a trusted worker owner. The requester is not trusted: the server whitelists the IP of a
 * trusted requester (higher per-IP limits, docs/server/rate-limits.md#mechanics), which these scenarios do not
 * compare.
 */
export async function textCast(
  c: Conversation,
  kudos = 10_000,
): Promise<{ alice: TargetUser; owner: TargetUser }> {
  const [alice, owner] = await Promise.all([
    c.user("alice", { kudos, trusted: false }),
    c.user("owner", { trusted: true }),
  ]);
  return { alice, owner };
}

export function textBody(model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prompt: "Once upon a time",
    params: { max_length: 32, max_context_length: 1024 },
    models: [model],
    ...extra,
  };
}

export function textWorker(name: string, model: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    models: [model],
    bridge_agent: SCRIBE,
    max_length: 512,
    max_context_length: 2048,
    amount: 1,
    ...extra,
  };
}

/**
 * Records `POST /v2/generate/text/async` steps at most two a second (its per-IP and per-key limits are
 * 2/s, docs/server/rate-limits.md#per-route-limits): the sleep is virtual on the emulator, real on the
 * oracle. Every accepted request is cancelled when the scenario ends.
 */
export function textSubmitter(c: Conversation) {
  let sent = 0;
  return async (label: string, apikey: string, body: unknown, extra: StepOptions = {}): Promise<Answer> => {
    if (sent > 0 && sent % 2 === 0) await c.sleep(1100);
    sent++;
    const answer = await c.step(label, "POST /v2/generate/text/async", { apikey, body, ...extra });
    if (typeof answer.body?.id === "string") cancelTextAtEnd(c, answer.body.id);
    return answer;
  };
}

/**
 * Records a text pop (once, or until it hands out a job). The jobs it hands out are delivered when the
 * scenario ends: a job left in flight would time out later and put its cancelled request back in the
 * oracle's queue.
 */
export async function textPopStep(
  c: Conversation,
  label: string,
  options: StepOptions,
  untilJob = false,
): Promise<Answer> {
  const route = "POST /v2/generate/text/pop";
  const answer = untilJob ? await c.poll(label, route, options, hasJob) : await c.step(label, route, options);
  for (const id of (answer.body?.ids ?? []) as string[]) {
    c.onCleanup(() =>
      c.send("POST /v2/generate/text/submit", {
        apikey: options.apikey,
        body: { id, generation: " the end.", state: "ok" },
      }),
    );
  }
  return answer;
}

/** A user's kudos once `settled` holds (the server books kudos through a ledger a moment later). */
export function userKudos(
  c: Conversation,
  label: string,
  user: TargetUser,
  settled: (kudos: number) => boolean,
): Promise<Answer> {
  return c.poll(
    label,
    "GET /v2/users/{id}",
    { params: { id: String(user.id) }, only: ["kudos"], same: ["kudos"] },
    (a) => typeof a.body?.kudos === "number" && settled(a.body.kudos),
  );
}

const text = (body: Record<string, unknown>, params: Record<string, unknown>) => ({
  ...body,
  params: { ...(body.params as object), ...params },
});

export const textScenarios = [
  scenario(AREA, "text: submit, pop, submit, status, kudos", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const pop = textWorker(c.name("wt"), KNOWN_TEXT_MODEL);
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const accepted = await submit("submit", alice.apikey, textBody(KNOWN_TEXT_MODEL), { same: ["kudos"] });
    const id = accepted.body.id as string;
    await c.step("status while waiting", "GET /v2/generate/text/status/{id}", {
      params: { id },
      same: PROGRESS,
    });
    const popped = await textPopStep(
      c,
      "pop",
      { apikey: owner.apikey, body: pop, same: ["payload", "model", "ttl", "ids.length", "softprompt"] },
      true,
    );
    await c.step("status while processing", "GET /v2/generate/text/status/{id}", {
      params: { id },
      same: PROGRESS,
    });
    await c.step("submit text", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: " there was a lighthouse.", state: "ok", seed: 42 },
      same: ["reward"],
    });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      {
        params: { id },
        same: [
          ...PROGRESS,
          "kudos",
          "generations.length",
          "generations.0.text",
          "generations.0.state",
          "generations.0.seed",
          "generations.0.model",
          "generations.0.gen_metadata",
        ],
      },
      isDone,
    );
    await c.step("submit again", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: "twice", state: "ok" },
    });
    // 1 at activation, then the reward + 1 at the delivery.
    await userKudos(c, "requester kudos", alice, (k) => k < 9_998);
    await userKudos(c, "owner kudos", owner, (k) => k > 100_000);
  }),

  scenario(AREA, "text: cancel waiting and cancel processing", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model);
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const first = await submit("submit", alice.apikey, textBody(model));
    await c.step("cancel waiting", "DELETE /v2/generate/text/status/{id}", {
      params: { id: first.body.id },
      same: ["done", "generations.length", "waiting"],
    });
    await c.step("status after cancel", "GET /v2/generate/text/status/{id}", {
      params: { id: first.body.id },
      same: PROGRESS,
    });
    const second = await submit("submit 2", alice.apikey, textBody(model));
    const popped = await textPopStep(c, "pop", { apikey: owner.apikey, body: pop }, true);
    await c.step("cancel processing", "DELETE /v2/generate/text/status/{id}", {
      params: { id: second.body.id },
      same: ["done", "processing"],
    });
    await c.step("late submit", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: "too late", state: "ok" },
    });
    await c.step("status after the late submit", "GET /v2/generate/text/status/{id}", {
      params: { id: second.body.id },
      same: [...PROGRESS, "generations.length"],
    });
    await c.step("faulted submit of unknown job", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: NO_ID, generation: "x", state: "faulted" },
    });
  }),

  scenario(AREA, "text: payload validation", async (c) => {
    const { alice } = await textCast(c);
    const submit = textSubmitter(c);
    const base = textBody(ownModel(c));
    const send = (label: string, body: unknown) => submit(label, alice.apikey, body);
    await send("prompt not a string", { ...base, prompt: 123 });
    await send("params not an object", { ...base, params: "long" });
    await send("max_length too big", text(base, { max_length: 5000 }));
    await send("max_length too small", text(base, { max_length: 1 }));
    await send("max_length not an integer", text(base, { max_length: 32.5 }));
    await send("context too small", text(base, { max_context_length: 10 }));
    await send("context too big", text(base, { max_context_length: 2_000_000 }));
    await send("n too high", text(base, { n: 50 }));
    await send("n zero", text(base, { n: 0 }));
    await send("temperature too high", text(base, { temperature: 6 }));
    await send("top_p too small", text(base, { top_p: 0 }));
    await send("top_k too big", text(base, { top_k: 201 }));
    await send("rep_pen too small", text(base, { rep_pen: 0.5 }));
    await send("rep_pen_range too big", text(base, { rep_pen_range: 5000 }));
    await send("min_p too big", text(base, { min_p: 2 }));
    await send("smoothing_factor too big", text(base, { smoothing_factor: 11 }));
    await send("dynatemp_exponent too big", text(base, { dynatemp_exponent: 6 }));
    await send("sampler_order not a list", text(base, { sampler_order: "0123456" }));
    await send("stop_sequence of numbers", text(base, { stop_sequence: [1, 2] }));
    await send("two bad params", text(base, { max_length: 5000, n: 50 }));
    await send("empty softprompt", { ...base, softprompt: "" });
    await send("models not a list", { ...base, models: "koboldcpp/x" });
    await send("workers not a list", { ...base, workers: NO_ID });
    await send("trusted_workers not a boolean", { ...base, trusted_workers: "yes" });
    await send("extra source image without image", { ...base, extra_source_images: [{ strength: 1 }] });
  }),

  scenario(AREA, "text: request checks in the server's order", async (c) => {
    const { alice } = await textCast(c);
    const submit = textSubmitter(c);
    // A model no worker serves: whether a request gets the no-worker `message` must not depend on others.
    const base = textBody(ownModel(c));
    const send = (label: string, body: unknown, apikey = alice.apikey) => submit(label, apikey, body);
    const image = { image: "aGVsbG8=" };
    await c.step("no apikey", "POST /v2/generate/text/async", { body: base });
    await c.sleep(1100);
    await c.step("no apikey and no prompt", "POST /v2/generate/text/async", {
      body: { models: base.models },
    });
    await send("no prompt", { params: base.params, models: base.models });
    await send("http webhook", { ...base, webhook: "http://example.com/hook" });
    await send(
      "http webhook and a bad key",
      { ...base, webhook: "http://example.com/hook" },
      "bad0000000key",
    );
    await send("unknown key", base, "bad0000000key");
    await send("proxied account of a normal user", { ...base, proxied_account: "someone" });
    await send("six extra source images", { ...base, extra_source_images: Array(6).fill(image) });
    await send("two extra source images, untrusted", { ...base, extra_source_images: [image, image] });
    await send("empty prompt", { ...base, prompt: "" });
    await send("empty prompt and too many tokens", text({ ...base, prompt: "" }, { max_length: 600 }));
    await send("unknown worker", { ...base, workers: [NO_ID] });
    await send("unbatched, untrusted", text({ ...base, disable_batching: true }, { n: 2 }));
    await send("more tokens than context", text(base, { max_length: 512, max_context_length: 256 }));
    await send("short sampler order", text(base, { sampler_order: [0, 1, 2, 3, 3, 3, 3] }));
    const many = Array.from({ length: 129 }, (_, i) => `stop${i}`);
    await send("129 stop sequences", text(base, { stop_sequence: many }));
    await send("129 equal stop sequences count once", text(base, { stop_sequence: Array(129).fill("stop") }));
    await send(
      "stop sequences over 2000 characters",
      text(base, { stop_sequence: ["x".repeat(1001), "y".repeat(1000)] }),
    );
    await send("one extra source image", { ...base, extra_source_images: [image] });
    await send("extra source image and too many tokens", {
      ...text(base, { max_length: 512, max_context_length: 256 }),
      extra_source_images: [image],
    });
  }),

  scenario(AREA, "text: dry runs", async (c) => {
    const { alice } = await textCast(c);
    const submit = textSubmitter(c);
    const dry = (label: string, body: Record<string, unknown>) =>
      submit(label, alice.apikey, { ...body, dry_run: true }, { same: ["kudos"] });
    await dry("no models", { prompt: "Once upon a time" });
    await dry("known model", textBody(KNOWN_TEXT_MODEL));
    await dry(
      "known model, n 3, long context",
      text(textBody(KNOWN_TEXT_MODEL), { n: 3, max_context_length: 8192 }),
    );
    await dry("no models, 200 tokens", { prompt: "Once upon a time", params: { max_length: 200 } });
    await dry("unknown model", textBody(ownModel(c)));
  }),

  scenario(AREA, "text: upfront kudos and the downgrade", async (c) => {
    const [poor, broke, owner] = await Promise.all([
      c.user("poor", { kudos: 5, trusted: false }),
      c.user("broke", { kudos: 0, trusted: false }),
      c.user("owner", { trusted: true }),
    ]);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const long = text(textBody(model), { max_length: 600 });
    await submit("600 tokens without the kudos", poor.apikey, long);
    await submit("600 tokens, twice, without the kudos", poor.apikey, text(long, { n: 2 }));
    const downgraded = await submit("600 tokens, downgraded", poor.apikey, {
      ...long,
      allow_downgrade: true,
    });
    // The refusal names max_tokens before the clamp, which counts the whole horde's text workers and queue.
    await submit(
      "no slow workers and no kudos",
      broke.apikey,
      { ...textBody(model), slow_workers: false },
      {
        message: false,
      },
    );
    await submit(
      "no slow workers, 5 kudos",
      poor.apikey,
      { ...textBody(model), slow_workers: false },
      {
        message: false,
      },
    );
    await c.step("status of the downgraded request", "GET /v2/generate/text/status/{id}", {
      params: { id: downgraded.body.id },
      same: PROGRESS,
    });
    await textPopStep(
      c,
      "pop the downgraded request",
      {
        apikey: owner.apikey,
        body: textWorker(c.name("wt"), model, { max_length: 512, max_context_length: 1024 }),
        same: ["payload.max_length", "ids.length"],
      },
      true,
    );
  }),

  scenario(AREA, "text: censored and csam deliveries", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model, { amount: 4 });
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const accepted = await submit("submit four", alice.apikey, text(textBody(model), { n: 4 }));
    const id = accepted.body.id as string;
    const popped = await textPopStep(
      c,
      "pop a batch of four",
      { apikey: owner.apikey, body: pop, same: ["ids.length", "payload"] },
      true,
    );
    const ids = popped.body.ids as string[];
    const deliver = (label: string, i: number, extra: Record<string, unknown>) =>
      c.step(label, "POST /v2/generate/text/submit", {
        apikey: owner.apikey,
        body: { id: ids[i], generation: `text number ${i} of a censored batch`, ...extra },
        same: ["reward"],
      });
    await deliver("submit ok", 0, { state: "ok" });
    await deliver("submit censored", 1, { state: "censored" });
    await deliver("submit csam", 2, { state: "csam" });
    await deliver("submit ok with csam metadata", 3, {
      state: "ok",
      gen_metadata: [{ type: "censorship", value: "csam" }],
    });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      { params: { id }, same: [...PROGRESS, "generations.length", "kudos"] },
      isDone,
    );
    // The ok text pays reward + 1, each censored one only the 1 of the burn; 1 more at activation.
    await userKudos(c, "requester kudos", alice, (k) => k < 9_995);
    await userKudos(c, "owner kudos", owner, (k) => k > 100_000);
  }),

  scenario(AREA, "text: a faulted job goes back to the queue", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model);
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const accepted = await submit("submit", alice.apikey, textBody(model));
    const id = accepted.body.id as string;
    const first = await textPopStep(c, "pop", { apikey: owner.apikey, body: pop }, true);
    await c.step("submit faulted", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: first.body.id, generation: "", state: "faulted" },
      same: ["reward"],
    });
    await c.step("status after the fault", "GET /v2/generate/text/status/{id}", {
      params: { id },
      same: PROGRESS,
    });
    await c.step("submit the faulted job as ok", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: first.body.id, generation: "late", state: "ok" },
    });
    await c.step("fault it again", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: first.body.id, generation: "", state: "faulted" },
      same: ["reward"],
    });
    const second = await textPopStep(c, "pop again", { apikey: owner.apikey, body: pop }, true);
    await c.step("submit the new job", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: second.body.id, generation: " the second try worked.", state: "ok" },
    });
    // Each fault put a job back, so one is still waiting: the request is not done.
    await c.poll(
      "status after the delivery",
      "GET /v2/generate/text/status/{id}",
      { params: { id }, same: [...PROGRESS, "generations.length", "generations.0.text"] },
      (a) => a.body?.finished === 1,
    );
  }),

  scenario(AREA, "text: anonymous requester", async (c) => {
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const accepted = await submit("anonymous submit", "0000000000", textBody(model), { same: ["kudos"] });
    await c.step("status", "GET /v2/generate/text/status/{id}", {
      params: { id: accepted.body.id },
      same: PROGRESS,
    });
    await c.step("cancel", "DELETE /v2/generate/text/status/{id}", {
      params: { id: accepted.body.id },
      same: ["done", "waiting"],
    });
    await submit(
      "anonymous dry run",
      "0000000000",
      { ...textBody(KNOWN_TEXT_MODEL), dry_run: true },
      {
        same: ["kudos"],
      },
    );
  }),

  scenario(AREA, "text: unknown ids", async (c) => {
    await c.step("status", "GET /v2/generate/text/status/{id}", { params: { id: NO_ID } });
    await c.step("delete", "DELETE /v2/generate/text/status/{id}", { params: { id: NO_ID } });
    await c.step("status of a malformed id", "GET /v2/generate/text/status/{id}", {
      params: { id: "not-an-id" },
    });
  }),
];
