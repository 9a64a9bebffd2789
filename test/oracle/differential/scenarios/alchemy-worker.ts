/**
 * The alchemist's side (§10: pop, submit, DuplicateGen, faults): the pop's shape and validation, which
 * forms a pop gets, trust and upfront kudos, and the submit's refusals.
 */
import { scenario } from "../framework.js";
import { alchemistPop, alchemyCast, interrogate, png } from "./alchemy.js";
import { smallWebp } from "./common.js";

const AREA = "alchemy workers";
const NO_ID = "00000000-0000-0000-0000-000000000000";
const hasForms = (a: { body: { forms?: unknown[] | null } }) => (a.body?.forms?.length ?? 0) > 0;

export const alchemyWorkerScenarios = [
  scenario(AREA, "alchemy worker: idle pop and pop validation", async (c) => {
    const { owner } = await alchemyCast(c);
    const pop = (label: string, body: unknown, apikey: string | null = owner.apikey) =>
      c.step(label, "POST /v2/interrogate/pop", { apikey: apikey ?? undefined, body });
    await pop("idle", alchemistPop(c, { forms: ["caption", "interrogation", "nsfw"] }));
    await pop("without forms", { name: c.name("wa") });
    await pop("with an empty form list", { name: c.name("wa"), forms: [] });
    await pop("unknown form", alchemistPop(c, { forms: ["dance"] }));
    await pop("forms not a list", alchemistPop(c, { forms: "caption" }));
    await pop("priority username without a number", alchemistPop(c, { priority_usernames: ["bob"] }));
    await pop("max_tiles zero", alchemistPop(c, { max_tiles: 0 }));
    await pop("max_tiles too big", alchemistPop(c, { max_tiles: 300 }));
    await pop("threads zero", alchemistPop(c, { threads: 0 }));
    await pop("amount not an integer", alchemistPop(c, { amount: "two" }));
    await pop("without a name", { forms: ["caption"] });
    await pop("no apikey", alchemistPop(c), null);
    await pop("unknown key", alchemistPop(c), "bad0000000key");
    await pop("anonymous", alchemistPop(c), "0000000000");
  }),

  scenario(AREA, "alchemy worker: forms, tiles and amount", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const nsfwOnly = alchemistPop(c, { forms: ["nsfw"], amount: 5 }, "wn");
    const small = alchemistPop(c, { forms: ["caption", "interrogation"], max_tiles: 2, amount: 5 }, "ws");
    const big = alchemistPop(c, { forms: ["caption", "interrogation"], max_tiles: 16, amount: 5 }, "wb");
    for (const [label, body] of [
      ["nsfw worker idle", nsfwOnly],
      ["small worker idle", small],
      ["big worker idle", big],
    ] as const) {
      await c.step(label, "POST /v2/interrogate/pop", { apikey: owner.apikey, body });
    }
    const submit = await interrogate(c, "submit three forms on four tiles", alice.apikey, {
      forms: [{ name: "caption" }, { name: "nsfw" }, { name: "interrogation" }],
      source_image: (await png(1024, 1024)).toString("base64"),
    });
    const id = submit.body.id as string;
    await c.poll(
      "the nsfw worker gets the nsfw form",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: nsfwOnly, same: ["forms.length", "forms.0.form"] },
      hasForms,
    );
    await c.step("the small worker cannot take four tiles", "POST /v2/interrogate/pop", {
      apikey: owner.apikey,
      body: small,
      same: ["forms", "skipped"],
    });
    await c.poll(
      "the big worker gets both of its forms",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: big, same: ["forms.length"] },
      hasForms,
    );
    await c.step("status", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    await c.step("nothing left", "POST /v2/interrogate/pop", {
      apikey: owner.apikey,
      body: big,
      same: ["forms", "skipped"],
    });
  }),

  scenario(AREA, "alchemy worker: an untrusted owner and trusted_workers", async (c) => {
    const [alice, owner] = await Promise.all([
      c.user("alice", { kudos: 10_000, trusted: false }),
      c.user("owner", { trusted: false }),
    ]);
    const pop = alchemistPop(c, { forms: ["caption"] });
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    await interrogate(c, "a request for trusted workers", alice.apikey, {
      forms: [{ name: "caption" }],
      source_image: await smallWebp(),
      trusted_workers: true,
    });
    await c.step("the untrusted worker skips it", "POST /v2/interrogate/pop", {
      apikey: owner.apikey,
      body: pop,
      same: ["forms", "skipped"],
    });
    const open = await interrogate(c, "an open request", alice.apikey, {
      forms: [{ name: "caption" }],
      source_image: await smallWebp(),
    });
    const popped = await c.poll(
      "the untrusted worker takes the open one",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop, same: ["forms.length"] },
      hasForms,
    );
    await c.step("submit", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.forms?.[0]?.id, result: { caption: "an untrusted caption" } },
      same: ["reward"],
    });
    await c.step("status", "GET /v2/interrogate/status/{id}", {
      params: { id: open.body.id },
      same: ["state"],
    });
  }),

  scenario(AREA, "alchemy worker: require_upfront_kudos does nothing for alchemists", async (c) => {
    const [broke, owner] = await Promise.all([
      c.user("broke", { kudos: 0, trusted: false }),
      c.user("owner", { trusted: true }),
    ]);
    const pop = alchemistPop(c, { forms: ["caption"], require_upfront_kudos: true });
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await interrogate(c, "a request of a user without kudos", broke.apikey, {
      forms: [{ name: "caption" }],
      source_image: await smallWebp(),
    });
    await c.poll(
      "the worker that asks for kudos up front takes it",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop, same: ["forms.length", "skipped"] },
      hasForms,
    );
    await c.step("status", "GET /v2/interrogate/status/{id}", {
      params: { id: submit.body.id },
      same: ["state"],
    });
  }),

  scenario(AREA, "alchemy worker: faults and submit refusals", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const stranger = await c.user("stranger", { trusted: true });
    const pop = alchemistPop(c, { forms: ["caption"] });
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await interrogate(c, "submit", alice.apikey, {
      forms: [{ name: "caption" }],
      source_image: await smallWebp(),
    });
    const id = submit.body.id as string;
    const send = (label: string, body: unknown, apikey: string | null = owner.apikey) =>
      c.step(label, "POST /v2/interrogate/submit", { apikey: apikey ?? undefined, body, same: ["reward"] });
    let formId = "";
    for (let round = 1; round <= 4; round++) {
      const popped = await c.poll(
        `pop ${round}`,
        "POST /v2/interrogate/pop",
        { apikey: owner.apikey, body: pop, same: ["forms.length"] },
        hasForms,
      );
      formId = popped.body.forms?.[0]?.id ?? NO_ID;
      if (round === 1) {
        await send("without a result", { id: formId, state: "ok" });
        await send("a result that is not an object", { id: formId, result: "a cat", state: "ok" });
        await send("another owner", { id: formId, result: { caption: "x" } }, stranger.apikey);
        await send("no apikey", { id: formId, result: { caption: "x" } }, null);
        await send("unknown key", { id: formId, result: { caption: "x" } }, "bad0000000key");
      }
      await send(`fault ${round}`, { id: formId, result: {}, state: "faulted" });
      await c.step(`status after fault ${round}`, "GET /v2/interrogate/status/{id}", {
        params: { id },
        same: ["state", "forms.0.state"],
      });
    }
    await send("submit the faulted form", { id: formId, result: { caption: "too late" }, state: "ok" });
    await send("fault the faulted form", { id: formId, result: {}, state: "faulted" });
    await c.step("nothing to pop", "POST /v2/interrogate/pop", {
      apikey: owner.apikey,
      body: pop,
      same: ["forms", "skipped"],
    });
  }),
];
