/** The worker side: pop validation, idle pops per kind, worker details, edits, deletion and messages. */
import { scenario } from "../framework.js";
import { cast, IMAGE_MODEL, imagePop, REGEN } from "./common.js";

const AREA = "workers";

export const workerScenarios = [
  scenario(AREA, "worker: idle image pop", async (c) => {
    const { owner } = await cast(c);
    await c.step("image pop idle", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: imagePop(c.name("wi")),
    });
  }),

  scenario(AREA, "worker: pop validation", async (c) => {
    const { owner } = await cast(c);
    const name = c.name("wv");
    await c.step("no apikey", "POST /v2/generate/pop", { body: imagePop(name) });
    await c.step("invalid apikey", "POST /v2/generate/pop", {
      apikey: "notakey0000000000000zz",
      body: imagePop(name),
    });
    await c.step("anonymous worker", "POST /v2/generate/pop", { apikey: "0000000000", body: imagePop(name) });
    await c.step("no name", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: { models: [IMAGE_MODEL], bridge_agent: REGEN },
    });
    await c.step("empty body", "POST /v2/generate/pop", { apikey: owner.apikey, body: {} });
    await c.step("name too long", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: imagePop("w".repeat(120)),
    });
    await c.step("amount too high", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: imagePop(name, { amount: 40 }),
    });
    await c.step("max_pixels as string", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: imagePop(name, { max_pixels: "big" }),
    });
    await c.step("unknown model only", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: imagePop(name, { models: ["no such model xyz"] }),
    });
  }),

  scenario(AREA, "worker: a second owner cannot use the name", async (c) => {
    const { owner } = await cast(c);
    const other = await c.user("other", { trusted: true });
    const name = c.name("shared");
    await c.step("owner pops", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
    await c.step("other owner pops same name", "POST /v2/generate/pop", {
      apikey: other.apikey,
      body: imagePop(name),
    });
  }),

  scenario(AREA, "worker: details by id and by name, list, edits", async (c) => {
    const { owner } = await cast(c);
    const name = c.name("wd");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
    const byName = await c.poll(
      "by name",
      "GET /v2/workers/name/{name}",
      { params: { name } },
      (a) => a.status === 200,
    );
    const id = byName.body.id as string;
    await c.step("by id", "GET /v2/workers/{id}", {
      params: { id },
      same: ["name", "type", "trusted", "maintenance_mode"],
    });
    await c.step("by id, owner's view", "GET /v2/workers/{id}", { params: { id }, apikey: owner.apikey });
    await c.step("list image workers", "GET /v2/workers", { query: { type: "image" } });
    await c.step("list by name", "GET /v2/workers", { query: { name } });
    await c.step("unknown id", "GET /v2/workers/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("unknown name", "GET /v2/workers/name/{name}", { params: { name: c.name("nobody") } });
    await c.step("set info and maintenance", "PUT /v2/workers/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { info: "a test worker", maintenance: true, maintenance_msg: "back soon" },
    });
    await c.poll(
      "after edit",
      "GET /v2/workers/{id}",
      { params: { id } },
      (a) => a.body?.maintenance_mode === true,
    );
    await c.step("edit by a stranger", "PUT /v2/workers/{id}", {
      params: { id },
      apikey: (await c.user("stranger")).apikey,
      body: { info: "mine now" },
    });
    await c.step("edit with nothing", "PUT /v2/workers/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: {},
    });
    await c.step("rename", "PUT /v2/workers/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { name: c.name("renamed") },
    });
    await c.step("delete by a stranger", "DELETE /v2/workers/{id}", {
      params: { id },
      apikey: (await c.user("stranger2")).apikey,
    });
    await c.step("delete by the owner", "DELETE /v2/workers/{id}", { params: { id }, apikey: owner.apikey });
    await c.step("after delete", "GET /v2/workers/{id}", { params: { id } });
  }),

  scenario(AREA, "worker messages", async (c) => {
    const { owner } = await cast(c);
    const name = c.name("wm");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
    const worker = await c.poll(
      "by name",
      "GET /v2/workers/name/{name}",
      { params: { name } },
      (a) => a.status === 200,
    );
    await c.step("list without key", "GET /v2/workers/messages");
    await c.step("list as owner", "GET /v2/workers/messages", { apikey: owner.apikey });
    await c.step("create as non-moderator", "POST /v2/workers/messages", {
      apikey: owner.apikey,
      body: { worker_id: worker.body.id, message: "hello", expiry: 12 },
    });
    const created = await c.step("create as moderator", "POST /v2/workers/messages", {
      apikey: c.target.adminKey,
      body: { worker_id: worker.body.id, message: "please update", origin: "tests", expiry: 12 },
    });
    const messageId = created.body?.id as string | undefined;
    await c.step("list as owner after", "GET /v2/workers/messages", {
      apikey: owner.apikey,
      same: ["length"],
    });
    if (messageId) {
      await c.step("get one", "GET /v2/workers/messages/{id}", {
        params: { id: messageId },
        apikey: owner.apikey,
        same: ["message", "origin"],
      });
      await c.step("pop shows it", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
      await c.step("delete as owner", "DELETE /v2/workers/messages/{id}", {
        params: { id: messageId },
        apikey: owner.apikey,
      });
      await c.step("delete as moderator", "DELETE /v2/workers/messages/{id}", {
        params: { id: messageId },
        apikey: c.target.adminKey,
      });
      await c.step("get deleted", "GET /v2/workers/messages/{id}", {
        params: { id: messageId },
        apikey: owner.apikey,
      });
    }
  }),
];
