/**
 * The text worker's side (§10: pop, submit, DuplicateGen, AbortedGen): the pop's shape and validation,
 * what a pop passes over, soft prompts, batches, and the submit's refusals.
 */
import { scenario } from "../framework.js";
import { isDone } from "./common.js";
import { ownModel, textBody, textCast, textPopStep, textSubmitter, textWorker } from "./text.js";

const AREA = "text workers";
const NO_ID = "00000000-0000-0000-0000-000000000000";

export const textWorkerScenarios = [
  scenario(AREA, "text worker: idle pop and pop validation", async (c) => {
    const { owner } = await textCast(c);
    const model = ownModel(c);
    const name = c.name("wt");
    const pop = (label: string, body: unknown, apikey: string | null = owner.apikey) =>
      textPopStep(c, label, { apikey: apikey ?? undefined, body });
    await pop("idle", textWorker(name, model));
    await pop("idle with defaults", { name: c.name("wt2"), models: [model] });
    await pop("without models", { name: c.name("wt3") });
    await pop("with an empty model list", { name: c.name("wt3"), models: [] });
    await pop("a model hosted by someone else", textWorker(name, "koboldcpp/x::someone#1"));
    await pop("a model of its own user", textWorker(name, `koboldcpp/x::${owner.username}`));
    await pop("priority username without a number", textWorker(name, model, { priority_usernames: ["bob"] }));
    await pop("max_length not an integer", textWorker(name, model, { max_length: "long" }));
    await pop("softprompts not a list", textWorker(name, model, { softprompts: "sp" }));
    await pop("no apikey", textWorker(name, model), null);
    await pop("anonymous", textWorker(name, model), "0000000000");
  }),

  scenario(AREA, "text worker: what a pop passes over", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const name = c.name("wt");
    const pop = textWorker(name, model, { max_length: 256, max_context_length: 1024, blacklist: ["dragon"] });
    const idle = await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const byName = await c.poll(
      "the worker by name",
      "GET /v2/workers/name/{name}",
      { params: { name }, only: ["max_length", "max_context_length", "type"], same: ["max_length", "type"] },
      (a) => a.status === 200,
    );
    const workerId = byName.body?.id as string;
    const passOver = async (label: string, body: Record<string, unknown>) => {
      const accepted = await submit(label, alice.apikey, body);
      await textPopStep(c, `${label}: pop`, {
        apikey: owner.apikey,
        body: pop,
        same: ["ids.length", "skipped"],
      });
      if (accepted.body?.id)
        await c.send("DELETE /v2/generate/text/status/{id}", { params: { id: accepted.body.id } });
    };
    const params = (p: Record<string, unknown>) => ({
      ...textBody(model),
      params: { max_length: 32, max_context_length: 1024, ...p },
    });
    await passOver("too many tokens", params({ max_length: 300 }));
    await passOver("too much context", params({ max_context_length: 2048 }));
    await passOver("another model", textBody(ownModel(c, "other")));
    await passOver("another worker", {
      ...textBody(model),
      workers: [workerId ?? NO_ID],
      worker_blacklist: true,
    });
    await passOver("a blacklisted word", { ...textBody(model), prompt: "A dragon sleeps" });
    if (idle.status !== 200) return;
    const accepted = await submit("a request it can take", alice.apikey, {
      ...textBody(model),
      workers: [workerId ?? NO_ID],
    });
    await textPopStep(
      c,
      "pop it",
      { apikey: owner.apikey, body: pop, same: ["payload", "ids.length", "model"] },
      true,
    );
    await c.step("status", "GET /v2/generate/text/status/{id}", {
      params: { id: accepted.body.id },
      same: ["processing"],
    });
  }),

  scenario(AREA, "text worker: an untrusted owner and an unvalidated bridge", async (c) => {
    const [alice, owner] = await Promise.all([
      c.user("alice", { kudos: 10_000, trusted: false }),
      c.user("owner", { trusted: false }),
    ]);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model, { bridge_agent: "SomeBridge:1:https://example.com" });
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    await submit("trusted workers only", alice.apikey, { ...textBody(model), trusted_workers: true });
    await textPopStep(c, "pop skips it as untrusted", {
      apikey: owner.apikey,
      body: pop,
      same: ["ids.length", "skipped"],
    });
    await submit("validated backends only", alice.apikey, { ...textBody(model), validated_backends: true });
    await textPopStep(c, "pop passes over both", {
      apikey: owner.apikey,
      body: pop,
      same: ["ids.length", "skipped"],
    });
    const open = await submit("an open request", alice.apikey, textBody(model));
    const popped = await textPopStep(
      c,
      "pop the open one",
      { apikey: owner.apikey, body: pop, same: ["ids.length"] },
      true,
    );
    await c.step("submit", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: " an untrusted worker's words.", state: "ok" },
      same: ["reward"],
    });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      { params: { id: open.body.id } },
      isDone,
    );
  }),

  scenario(AREA, "text worker: a request's soft prompt is not stored", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const plain = textWorker(c.name("wt"), model);
    const prompted = textWorker(c.name("ws"), model, { softprompts: ["sp_fantasy", "sp_noir"] });
    await textPopStep(c, "plain worker idle", { apikey: owner.apikey, body: plain });
    await textPopStep(c, "soft-prompt worker idle", {
      apikey: owner.apikey,
      body: prompted,
    });
    const accepted = await submit("submit with a soft prompt", alice.apikey, {
      ...textBody(model),
      softprompt: "sp_noir",
    });
    const popped = await textPopStep(
      c,
      "the plain worker takes it",
      { apikey: owner.apikey, body: plain, same: ["softprompt", "payload", "ids.length"] },
      true,
    );
    await textPopStep(c, "nothing left for the soft-prompt worker", {
      apikey: owner.apikey,
      body: prompted,
      same: ["ids.length", "skipped"],
    });
    await c.step("submit", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: " in a dark alley, rain fell.", state: "ok" },
    });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      { params: { id: accepted.body.id }, same: ["done", "generations.length"] },
      isDone,
    );
  }),

  scenario(AREA, "text worker: batches", async (c) => {
    const { alice, owner } = await textCast(c);
    const trusted = await c.user("trusted", { kudos: 10_000, trusted: true });
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model, { amount: 2 });
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const three = await submit("submit three", alice.apikey, {
      ...textBody(model),
      params: { max_length: 32, max_context_length: 1024, n: 3 },
    });
    const first = await textPopStep(
      c,
      "pop two",
      { apikey: owner.apikey, body: pop, same: ["ids.length", "payload"] },
      true,
    );
    await c.step("status with two processing", "GET /v2/generate/text/status/{id}", {
      params: { id: three.body.id },
      same: ["processing", "waiting", "finished"],
    });
    const second = await textPopStep(c, "pop the last one", {
      apikey: owner.apikey,
      body: pop,
      same: ["ids.length"],
    });
    for (const [i, id] of [...(first.body.ids ?? []), ...(second.body.ids ?? [])].entries()) {
      await c.step(`submit ${i + 1}`, "POST /v2/generate/text/submit", {
        apikey: owner.apikey,
        body: { id, generation: ` part ${i + 1} of the tale.`, state: "ok" },
      });
    }
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      { params: { id: three.body.id }, same: ["done", "finished", "generations.length"] },
      isDone,
    );
    await submit("unbatched request of a trusted user", trusted.apikey, {
      ...textBody(model),
      params: { max_length: 32, max_context_length: 1024, n: 2 },
      disable_batching: true,
    });
    await textPopStep(
      c,
      "an unbatched request pops one job",
      { apikey: owner.apikey, body: pop, same: ["ids.length"] },
      true,
    );
  }),

  scenario(AREA, "text worker: submit refusals", async (c) => {
    const { alice, owner } = await textCast(c);
    const stranger = await c.user("stranger", { trusted: true });
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model, { amount: 2 });
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    const accepted = await submit("submit two", alice.apikey, {
      ...textBody(model),
      params: { max_length: 32, max_context_length: 1024, n: 2 },
    });
    const popped = await textPopStep(c, "pop", { apikey: owner.apikey, body: pop }, true);
    const [a, b] = popped.body.ids as string[];
    const send = (label: string, body: unknown, apikey: string | null = owner.apikey) =>
      c.step(label, "POST /v2/generate/text/submit", { apikey: apikey ?? undefined, body });
    await send("unknown job", { id: NO_ID, generation: "x", state: "ok" });
    await send("without a generation", { id: a, state: "ok" });
    await send("a bad state", { id: a, generation: "x", state: "great" });
    await send("a bad metadata type", {
      id: a,
      generation: "x",
      gen_metadata: [{ type: "lora", value: "csam" }],
    });
    await send("another owner's job", { id: a, generation: "x", state: "ok" }, stranger.apikey);
    await send("no apikey", { id: a, generation: "x", state: "ok" }, null);
    await send("unknown key", { id: a, generation: "x", state: "ok" }, "bad0000000key");
    const metadata = Array.from({ length: 51 }, () => ({ type: "censorship", value: "csam" }));
    await send("51 metadata entries", {
      id: a,
      generation: " too much metadata.",
      state: "ok",
      gen_metadata: metadata,
    });
    await send("the same job again", { id: a, generation: "again", state: "ok" });
    await send("the other job", { id: b, generation: " the other half.", state: "ok" });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      { params: { id: accepted.body.id }, same: ["done", "generations.length"] },
      isDone,
    );
  }),

  scenario(AREA, "text worker: slow workers", async (c) => {
    const { alice, owner } = await textCast(c);
    const submit = textSubmitter(c);
    const model = ownModel(c);
    const pop = textWorker(c.name("wt"), model);
    await textPopStep(c, "pop idle", { apikey: owner.apikey, body: pop });
    await submit("a request without slow workers", alice.apikey, { ...textBody(model), slow_workers: false });
    await textPopStep(c, "a new worker is too slow for it", {
      apikey: owner.apikey,
      body: pop,
      same: ["ids.length", "skipped"],
    });
    await submit("a request that allows slow workers", alice.apikey, textBody(model));
    await textPopStep(
      c,
      "the new worker takes that one",
      { apikey: owner.apikey, body: pop, same: ["ids.length"] },
      true,
    );
  }),
];
