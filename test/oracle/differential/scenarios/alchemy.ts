/**
 * Alchemy (interrogation), requester side: submit from a URL and from base64, status, cancel (waiting and
 * processing), post-processors that return an image through R2, bad sources and forms, kudos.
 */
import { createServer, type Socket } from "node:net";
import { oracleInfo } from "horde-test-support/oracle";
import sharp from "sharp";
import { type Conversation, scenario, type TargetUser } from "../framework.js";
import { ALCHEMIST, cancelAlchemyAtEnd, smallWebp } from "./common.js";
import { userKudos } from "./text.js";

const AREA = "alchemy lifecycle";
const NO_ID = "00000000-0000-0000-0000-000000000000";

/** Bytes at a URL both sides can fetch: an object in the oracle's R2 stand-in. */
export async function objectUrl(c: Conversation, name: string, bytes: Uint8Array | string): Promise<string> {
  const url = `${oracleInfo().s3Url}/horde-source-images/${c.name(name)}`;
  const put = await fetch(url, { method: "PUT", body: new Blob([bytes as BlobPart]) });
  if (!put.ok) throw new Error(`s3 stand-in answered ${put.status}`);
  return url;
}

export async function imageUrl(c: Conversation): Promise<string> {
  return objectUrl(c, "src.webp", Buffer.from(await smallWebp(), "base64"));
}

/** A solid PNG of the given size. */
export async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** A listener that accepts connections and never answers (closed when the scenario ends). */
async function silentServer(c: Conversation): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  c.onCleanup(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((ok) => server.close(ok));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}/image.webp`;
}

export function alchemistPop(c: Conversation, extra: Record<string, unknown> = {}, name = "wa") {
  return { name: c.name(name), forms: ["caption", "nsfw"], bridge_agent: ALCHEMIST, amount: 1, ...extra };
}

/** The requester (not trusted, so the server does not whitelist its IP) and a trusted alchemist owner. */
export async function alchemyCast(c: Conversation): Promise<{ alice: TargetUser; owner: TargetUser }> {
  const [alice, owner] = await Promise.all([
    c.user("alice", { kudos: 10_000, trusted: false }),
    c.user("owner", { trusted: true }),
  ]);
  return { alice, owner };
}

export async function interrogate(c: Conversation, label: string, apikey: string, body: unknown) {
  const answer = await c.step(label, "POST /v2/interrogate/async", { apikey, body });
  if (typeof answer.body?.id === "string") cancelAlchemyAtEnd(c, answer.body.id);
  return answer;
}

const hasForms = (a: { body: { forms?: unknown[] | null } }) => (a.body?.forms?.length ?? 0) > 0;

export const alchemyScenarios = [
  scenario(AREA, "alchemy: caption from a URL, pop, submit, status, kudos", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const pop = alchemistPop(c);
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await interrogate(c, "submit", alice.apikey, {
      forms: [{ name: "caption" }],
      source_image: await imageUrl(c),
    });
    const id = submit.body.id as string;
    await c.step("status waiting", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    const popped = await c.poll(
      "pop",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop, same: ["forms.length", "forms.0.form", "forms.0.source_image"] },
      hasForms,
    );
    const form = popped.body.forms?.[0];
    await c.step("status processing", "GET /v2/interrogate/status/{id}", { params: { id }, same: ["state"] });
    await c.step("submit caption", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: form?.id, result: { caption: "a red square" }, state: "ok" },
      same: ["reward"],
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
    // value 1 + 1 + 1 more for slow workers.
    await userKudos(c, "requester kudos", alice, (k) => k < 10_000);
    await userKudos(c, "owner kudos", owner, (k) => k > 100_000);
  }),

  scenario(AREA, "alchemy: base64 source, several forms, cancel", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: alchemistPop(c) });
    const submit = await interrogate(c, "submit base64", alice.apikey, {
      forms: [{ name: "caption" }, { name: "nsfw" }, { name: "caption" }],
      source_image: await smallWebp(),
    });
    const id = submit.body.id as string;
    await c.step("status", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    await c.step("cancel", "DELETE /v2/interrogate/status/{id}", { params: { id }, same: ["state"] });
    await c.step("status after cancel", "GET /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    await c.step("pop after cancel", "POST /v2/interrogate/pop", {
      apikey: owner.apikey,
      body: alchemistPop(c),
      same: ["forms"],
    });
  }),

  scenario(AREA, "alchemy: cancel while a form is processing", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const pop = alchemistPop(c, { forms: ["interrogation"] });
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await interrogate(c, "submit", alice.apikey, {
      forms: [{ name: "interrogation" }, { name: "nsfw" }],
      source_image: await smallWebp(),
      slow_workers: false,
    });
    const id = submit.body.id as string;
    const popped = await c.poll(
      "pop",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop },
      hasForms,
    );
    // The server lists a form it changed after the others, so only the count is compared.
    await c.step("cancel", "DELETE /v2/interrogate/status/{id}", {
      params: { id },
      same: ["state", "forms.length"],
    });
    await c.step("the worker submits after the cancel", "POST /v2/interrogate/submit", {
      apikey: owner.apikey,
      body: { id: popped.body.forms?.[0]?.id, result: { interrogation: { tags: [] } }, state: "ok" },
    });
    // The processing form is settled as if delivered (value 3 + 1, no slow workers); the waiting one is free.
    await userKudos(c, "requester kudos", alice, (k) => k < 10_000);
    await userKudos(c, "owner kudos", owner, (k) => k > 100_000);
  }),

  scenario(AREA, "alchemy: a post-processor returns its image through R2", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const pop = alchemistPop(c, { forms: ["RealESRGAN_x4plus", "strip_background"], amount: 2 });
    await c.step("pop idle", "POST /v2/interrogate/pop", { apikey: owner.apikey, body: pop });
    const submit = await interrogate(c, "submit", alice.apikey, {
      forms: [{ name: "RealESRGAN_x4plus" }, { name: "strip_background", payload: { color: "white" } }],
      source_image: (await png(1024, 600)).toString("base64"),
    });
    const id = submit.body.id as string;
    const popped = await c.poll(
      "pop both",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: pop, same: ["forms.length"] },
      hasForms,
    );
    // Forms of one request come in no particular order: submit them by name.
    const forms = ((popped.body.forms ?? []) as { id: string; form: string; r2_upload?: string }[]).sort(
      (a, b) => a.form.localeCompare(b.form),
    );
    const result = Buffer.from(await smallWebp(), "base64");
    for (const form of forms) {
      if (form.r2_upload) {
        const put = await c.fetchUrl(form.r2_upload, { method: "PUT", body: new Blob([result]) });
        if (!put.ok) throw new Error(`R2 upload answered ${put.status}`);
      }
      await c.step(`submit ${form.form}`, "POST /v2/interrogate/submit", {
        apikey: owner.apikey,
        body: { id: form.id, result: { [form.form]: "R2" }, state: "ok" },
        same: ["reward"],
      });
    }
    // Each form's result has its own key, and the forms' order is open: the results are checked below.
    const done = await c.poll(
      "status done",
      "GET /v2/interrogate/status/{id}",
      { params: { id }, same: ["state", "forms.length"], open: ["forms[].result"] },
      (a) => a.body?.state === "done",
    );
    for (const form of done.body.forms ?? []) {
      const url = Object.values(form.result ?? {})[0];
      if (typeof url !== "string") throw new Error(`no result URL for ${form.form}`);
      const got = await c.fetchUrl(url);
      if (!got.ok || (await got.arrayBuffer()).byteLength !== result.byteLength) {
        throw new Error(`the result of ${form.form} is not the uploaded image (${got.status})`);
      }
    }
    // 3 per 512² tile: 2 × 2 tiles × 3, each + 2.
    await userKudos(c, "requester kudos", alice, (k) => k < 10_000);
  }),

  scenario(AREA, "alchemy: forms", async (c) => {
    const { alice, owner } = await alchemyCast(c);
    const source = await smallWebp();
    const send = (label: string, body: Record<string, unknown>) =>
      interrogate(c, label, alice.apikey, { source_image: source, ...body });
    const none = await send("no forms", {});
    await c.step("status of no forms", "GET /v2/interrogate/status/{id}", {
      params: { id: none.body.id },
      same: ["state", "forms"],
    });
    const empty = await send("an empty form list", { forms: [] });
    await c.step("status of an empty form list", "GET /v2/interrogate/status/{id}", {
      params: { id: empty.body.id },
      same: ["state", "forms"],
    });
    await send("unknown form", { forms: [{ name: "dance" }] });
    await send("a form without a name", { forms: [{ payload: {} }] });
    await send("forms not a list", { forms: "caption" });
    await send("a form payload that is not an object", { forms: [{ name: "caption", payload: "x" }] });
    const withPayload = await send("a form with a payload", {
      forms: [{ name: "describe", payload: { style: "short" } }],
    });
    await c.poll(
      "pop the form with its payload",
      "POST /v2/interrogate/pop",
      { apikey: owner.apikey, body: alchemistPop(c, { forms: ["describe"] }), same: ["forms.0.payload"] },
      hasForms,
    );
    await c.step("status of the form with a payload", "GET /v2/interrogate/status/{id}", {
      params: { id: withPayload.body.id },
      same: ["state"],
    });
  }),

  scenario(AREA, "alchemy: bad sources", async (c) => {
    const { alice } = await alchemyCast(c);
    const send = (label: string, source_image: unknown, extra: Record<string, unknown> = {}) =>
      interrogate(c, label, alice.apikey, { forms: [{ name: "caption" }], source_image, ...extra });
    await send("unreachable URL", "http://127.0.0.1:9/nothing.webp");
    await send("a URL that never answers", await silentServer(c));
    await send("a word starting with http", "httpnothing");
    await send("URL that is not an image", await objectUrl(c, "text.txt", "hello, not an image"));
    await send("URL of an empty object", await objectUrl(c, "empty.webp", new Uint8Array(0)));
    await send(
      "URL of a missing object",
      `${oracleInfo().s3Url}/horde-source-images/${c.name("missing")}.webp`,
    );
    await send(
      "URL of a 6 MB object",
      await objectUrl(c, "big.bin", new Uint8Array(6 * 1024 * 1024).fill(7)),
    );
    await send("URL of an image of 272 tiles", await objectUrl(c, "huge.png", await png(8192, 8200)));
    await send("URL of a 3100² image", await objectUrl(c, "wide.png", await png(3100, 3100)));
    await send("not base64", "!!!not an image!!!");
    await send("base64 that is not an image", Buffer.from("hello").toString("base64"));
    await send("empty source", "");
    await send("base64 of a 3100² image", (await png(3100, 3100)).toString("base64"));
    const truncated = await png(256, 256);
    await send("a truncated base64 image", truncated.subarray(0, truncated.length - 40).toString("base64"));
    await send("source not a string", 42);
    await c.step("no source", "POST /v2/interrogate/async", {
      apikey: alice.apikey,
      body: { forms: [{ name: "caption" }] },
    });
    await send("http webhook", await smallWebp(), { webhook: "http://example.com/hook" });
    await send("short webhook", await smallWebp(), { webhook: "https://x" });
  }),

  scenario(AREA, "alchemy: who may ask", async (c) => {
    const body = { forms: [{ name: "caption" }], source_image: await smallWebp() };
    await c.step("no apikey", "POST /v2/interrogate/async", { body });
    await interrogate(c, "unknown key", "bad0000000key", body);
    await interrogate(c, "bad key and bad webhook", "bad0000000key", {
      ...body,
      webhook: "http://example.com/x",
    });
    const anon = await interrogate(c, "anonymous", "0000000000", body);
    await c.step("anonymous status", "GET /v2/interrogate/status/{id}", {
      params: { id: anon.body.id },
      same: ["state"],
    });
  }),

  scenario(AREA, "alchemy: unknown ids", async (c) => {
    const { alice } = await alchemyCast(c);
    await c.step("status", "GET /v2/interrogate/status/{id}", { params: { id: NO_ID } });
    await c.step("delete", "DELETE /v2/interrogate/status/{id}", { params: { id: NO_ID } });
    await c.step("status of a malformed id", "GET /v2/interrogate/status/{id}", {
      params: { id: "not-an-id" },
    });
    await c.step("submit unknown form id", "POST /v2/interrogate/submit", {
      apikey: alice.apikey,
      body: { id: NO_ID, result: { caption: "x" }, state: "ok" },
    });
  }),
];
