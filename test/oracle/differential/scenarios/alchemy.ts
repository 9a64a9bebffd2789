/** Alchemy (interrogation): submit from a URL and from base64, pop, submit, status, cancel, bad sources. */
import { oracleInfo } from "horde-test-support/oracle";
import { type Conversation, scenario } from "../framework.js";
import { ALCHEMIST, cancelAlchemyAtEnd, cast, smallWebp } from "./common.js";

const AREA = "alchemy lifecycle";

/** A WebP at a URL both sides can fetch: the oracle's R2 stand-in. */
async function imageUrl(c: Conversation): Promise<string> {
  const url = `${oracleInfo().s3Url}/horde-source-images/${c.name("src")}.webp`;
  const put = await fetch(url, { method: "PUT", body: Buffer.from(await smallWebp(), "base64") });
  if (!put.ok) throw new Error(`s3 stand-in answered ${put.status}`);
  return url;
}

const pop = (c: Conversation, forms = ["caption", "nsfw"]) => ({
  name: c.name("wa"),
  forms,
  bridge_agent: ALCHEMIST,
  amount: 1,
});

export const alchemyScenarios = [
  scenario(AREA, "alchemy: caption from a URL, pop, submit, status", async (c) => {
    const { alice, owner } = await cast(c);
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop(c) });
    const submit = await c.step("submit", "POST /v2/interrogate/async", {
      apikey: alice.apikey,
      body: { forms: [{ name: "caption" }], source_image: await imageUrl(c) },
    });
    const id = submit.body.id as string;
    cancelAlchemyAtEnd(c, id);
    await c.step("status waiting", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    const popped = await c.poll(
      "pop",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop(c) },
      (a) => (a.body?.forms?.length ?? 0) > 0,
    );
    const form = popped.body.forms?.[0];
    await c.step("status processing", "GET /v2/interrogate/status/{id}", { params: { id }, same: ["state"] });
    await c.step("submit caption", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: form?.id, result: { caption: "a red square" }, state: "ok" },
    });
    await c.poll(
      "status done",
      "GET /v2/interrogate/status/{id}",
      { params: { id }, same: ["state", "forms.0.result", "forms.0.state"] },
      (a) => a.body?.state === "done",
    );
    await c.step("submit twice", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: form?.id, result: { caption: "again" }, state: "ok" },
    });
  }),

  scenario(AREA, "alchemy: base64 source, several forms, cancel", async (c) => {
    const { alice, owner } = await cast(c);
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop(c) });
    const submit = await c.step("submit base64", "POST /v2/interrogate/async", {
      apikey: alice.apikey,
      body: { forms: [{ name: "caption" }, { name: "nsfw" }], source_image: await smallWebp() },
    });
    const id = submit.body.id as string;
    cancelAlchemyAtEnd(c, id);
    await c.step("status", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    await c.step("cancel", "DELETE /v2/interrogate/status/{id}", { params: { id }, same: ["state"] });
    await c.step("status after cancel", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state"],
    });
  }),

  scenario(AREA, "alchemy: bad sources and forms", async (c) => {
    const { alice } = await cast(c);
    const send = (label: string, body: unknown) =>
      c.step(label, "POST /v2/interrogate/async", { apikey: alice.apikey, body });
    await send("unreachable URL", {
      forms: [{ name: "caption" }],
      source_image: "http://127.0.0.1:9/nothing.webp",
    });
    await send("URL that is not an image", {
      forms: [{ name: "caption" }],
      source_image: `${oracleInfo().baseUrl}/v2/status/heartbeat`,
    });
    await send("not base64", { forms: [{ name: "caption" }], source_image: "!!!not an image!!!" });
    await send("no forms", { source_image: await smallWebp() });
    await send("unknown form", { forms: [{ name: "dance" }], source_image: await smallWebp() });
    await send("no source", { forms: [{ name: "caption" }] });
    await c
      .step("anonymous", "POST /v2/interrogate/async", {
        apikey: "0000000000",
        body: { forms: [{ name: "caption" }], source_image: await smallWebp() },
      })
      .then((a) => a.body?.id && cancelAlchemyAtEnd(c, a.body.id));
    await c.step("unknown id", "GET /v2/interrogate/status/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("unknown id delete", "DELETE /v2/interrogate/status/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("submit unknown form id", "POST /v2/interrogate/submit", {
      apikey: alice.apikey,
      body: { id: "00000000-0000-0000-0000-000000000000", result: { caption: "x" }, state: "ok" },
    });
  }),
];
