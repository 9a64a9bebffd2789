/** The text lifecycle (§10: text submit, pop, submit, status, cancel) and its validation. */
import { scenario } from "../framework.js";
import { cancelTextAtEnd, cast, hasJob, isDone, TEXT_MODEL, textPop, textRequest } from "./common.js";

const AREA = "text lifecycle";
const PROGRESS = ["finished", "processing", "restarted", "waiting", "done", "faulted"];

export const textScenarios = [
  scenario(AREA, "text: submit, pop, submit, status", async (c) => {
    const { alice, owner } = await cast(c);
    const pop = textPop(c.name("wt"));
    await c.step("pop idle", "POST /v2/generate/text/pop", { apikey: owner.apikey, body: pop });
    const submit = await c.step("submit", "POST /v2/generate/text/async", {
      apikey: alice.apikey,
      body: textRequest(),
    });
    const id = submit.body.id as string;
    cancelTextAtEnd(c, id);
    await c.step("status while waiting", "GET /v2/generate/text/status/{id}", {
      params: { id },
      same: PROGRESS,
    });
    const popped = await c.poll(
      "pop",
      "POST /v2/generate/text/pop",
      { apikey: owner.apikey, body: pop },
      hasJob,
    );
    await c.step("submit text", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: " there was a lighthouse.", state: "ok", seed: 42 },
    });
    await c.poll(
      "status done",
      "GET /v2/generate/text/status/{id}",
      {
        params: { id },
        same: [...PROGRESS, "generations.length", "generations.0.text", "generations.0.state"],
      },
      isDone,
    );
    await c.step("submit again", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: "twice", state: "ok" },
    });
  }),

  scenario(AREA, "text: cancel waiting and cancel processing", async (c) => {
    const { alice, owner } = await cast(c);
    const pop = textPop(c.name("wt"));
    await c.step("pop idle", "POST /v2/generate/text/pop", { apikey: owner.apikey, body: pop });
    const first = await c.step("submit", "POST /v2/generate/text/async", {
      apikey: alice.apikey,
      body: textRequest(),
    });
    cancelTextAtEnd(c, first.body.id);
    await c.step("cancel waiting", "DELETE /v2/generate/text/status/{id}", {
      params: { id: first.body.id },
      same: ["done", "generations.length"],
    });
    const second = await c.step("submit 2", "POST /v2/generate/text/async", {
      apikey: alice.apikey,
      body: textRequest(),
    });
    cancelTextAtEnd(c, second.body.id);
    const popped = await c.poll(
      "pop",
      "POST /v2/generate/text/pop",
      { apikey: owner.apikey, body: pop },
      hasJob,
    );
    await c.step("cancel processing", "DELETE /v2/generate/text/status/{id}", {
      params: { id: second.body.id },
      same: ["done"],
    });
    await c.step("late submit", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.id, generation: "too late", state: "ok" },
    });
    await c.step("faulted submit of unknown job", "POST /v2/generate/text/submit", {
      apikey: owner.apikey,
      body: { id: "00000000-0000-0000-0000-000000000000", generation: "x", state: "faulted" },
    });
  }),

  scenario(AREA, "text: validation", async (c) => {
    const { alice } = await cast(c);
    const send = (label: string, body: unknown) =>
      c.step(label, "POST /v2/generate/text/async", { apikey: alice.apikey, body });
    await send("no prompt", { params: { max_length: 32 }, models: [TEXT_MODEL] });
    await send("empty prompt", textRequest({ prompt: "" }));
    await send("max_length too big", textRequest({ params: { max_length: 5000, max_context_length: 1024 } }));
    await send("max_length too small", textRequest({ params: { max_length: 1, max_context_length: 1024 } }));
    await send("context too small", textRequest({ params: { max_length: 32, max_context_length: 10 } }));
    await send("n too high", textRequest({ params: { max_length: 32, max_context_length: 1024, n: 50 } }));
    await send("nul byte", textRequest({ prompt: "a\u0000b" }));
    await send("unknown worker id", textRequest({ workers: ["00000000-0000-0000-0000-000000000000"] }));
    await send("models not a list", textRequest({ models: "koboldcpp/x" }));
    await c.step("unknown id status", "GET /v2/generate/text/status/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("unknown id delete", "DELETE /v2/generate/text/status/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    const dry = await send("dry run", textRequest({ dry_run: true }));
    if (dry.body?.id) cancelTextAtEnd(c, dry.body.id);
  }),
];
