/** The worker side: pop validation, idle pops per kind, worker details, edits, deletion and messages. */
import { scenario } from "../framework.js";
import {
  CACHE_WAIT,
  cast,
  DIRECTORY_TEXT_MODEL,
  directoryPop,
  IMAGE_MODEL,
  imagePop,
  REGEN,
  textPop,
} from "./common.js";

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
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: directoryPop(name) });
    // The worker's id from its owner's details: the server caches single workers for 30 s, so the scenario
    // reads them only once each state is final.
    const found = await c.poll(
      "owner's worker ids",
      "GET /v2/find_user",
      { apikey: owner.apikey, same: ["worker_ids.length"] },
      (a) => a.body?.worker_ids?.length === 1,
      CACHE_WAIT,
    );
    const id = found.body?.worker_ids?.[0] as string;
    const put = (label: string, apikey: string | undefined, body: unknown, same?: string[]) =>
      c.step(label, "PUT /v2/workers/{id}", { params: { id }, apikey, body, ...(same ? { same } : {}) });
    const stranger = await c.user("stranger");
    const mod = await c.user("mod", { moderator: true });
    await put("edit by a stranger", stranger.apikey, { info: "mine now" });
    await put("rename by a stranger", stranger.apikey, { name: c.name("stolen") });
    await put("edit with nothing", owner.apikey, {});
    await put("edit without key", undefined, { info: "x" });
    await put("edit with an invalid key", "nosuchkey0000000000000", { info: "x" });
    await put("info too long", owner.apikey, { info: "i".repeat(1001) });
    await put("name too short", owner.apikey, { name: "abc" });
    await put("pause as the owner", owner.apikey, { paused: true });
    await put(
      "set info and maintenance",
      owner.apikey,
      {
        info: "a test worker",
        maintenance: true,
        maintenance_msg: "back soon",
      },
      ["info", "maintenance"],
    );
    await c.step("pop in maintenance", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: directoryPop(name),
    });
    await put("out of maintenance", owner.apikey, { maintenance: false }, ["maintenance"]);
    await put("pause as a moderator", mod.apikey, { paused: true }, ["paused"]);
    await put("unpause", mod.apikey, { paused: false }, ["paused"]);
    const other = c.name("wo");
    await c.step("another worker", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: directoryPop(other),
    });
    await put("rename to a taken name", owner.apikey, { name: other });
    await put("rename to its own name", owner.apikey, { name }, ["name"]);
    const renamed = c.name("renamed");
    await put("rename", owner.apikey, { name: renamed }, ["name"]);
    await c.step("edit an unknown worker", "PUT /v2/workers/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
      apikey: owner.apikey,
      body: { info: "x" },
    });
    await c.step("by id", "GET /v2/workers/{id}", {
      params: { id },
      same: ["name", "type", "trusted", "maintenance_mode", "info", "performance", "kudos_details"],
    });
    await c.step("by name, moderator's view", "GET /v2/workers/name/{name}", {
      params: { name: renamed },
      apikey: mod.apikey,
      same: ["name", "paused", "owner"],
    });
    // The server answers the list from a snapshot its own thread takes every 30 s.
    await c.poll(
      "list image workers",
      "GET /v2/workers",
      { query: { type: "image" } },
      (a) => Array.isArray(a.body) && a.body.some((w: { name?: string }) => w.name === renamed),
      { timeoutMs: 45_000, everyMs: 1000 },
    );
    await c.step("list by name", "GET /v2/workers", { query: { name: renamed } });
    await c.step("list, moderator's view", "GET /v2/workers", {
      query: { name: renamed },
      apikey: mod.apikey,
    });
    await c.step("unknown id", "GET /v2/workers/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("id not a uuid", "GET /v2/workers/{id}", { params: { id: "not-a-worker" } });
    await c.step("unknown name", "GET /v2/workers/name/{name}", { params: { name: c.name("nobody") } });
    await c.step("delete by a stranger", "DELETE /v2/workers/{id}", {
      params: { id },
      apikey: stranger.apikey,
    });
    await c.step("delete without key", "DELETE /v2/workers/{id}", { params: { id } });
    await c.step("delete with an invalid key", "DELETE /v2/workers/{id}", {
      params: { id },
      apikey: "nosuchkey0000000000000",
    });
    await c.step("delete by the owner", "DELETE /v2/workers/{id}", {
      params: { id },
      apikey: owner.apikey,
      same: ["deleted_name"],
    });
    await c.step("delete again", "DELETE /v2/workers/{id}", { params: { id }, apikey: owner.apikey });
  }),

  scenario(AREA, "worker: a public owner shows on its workers", async (c) => {
    const { owner } = await cast(c);
    const name = c.name("wp");
    await c.step("make workers public", "PUT /v2/users/{id}", {
      params: { id: String(owner.id) },
      apikey: owner.apikey,
      body: { public_workers: true },
    });
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: directoryPop(name) });
    await c.poll(
      "by name",
      "GET /v2/workers/name/{name}",
      { params: { name }, same: ["owner", "messages"] },
      (a) => a.status === 200,
      CACHE_WAIT,
    );
    await c.step("text pop idle", "POST /v2/generate/text/pop", {
      apikey: owner.apikey,
      body: textPop(c.name("wpt"), { models: [DIRECTORY_TEXT_MODEL] }),
    });
    await c.poll(
      "text worker by name",
      "GET /v2/workers/name/{name}",
      { params: { name: c.name("wpt") }, same: ["owner", "performance", "models"] },
      (a) => a.status === 200,
      CACHE_WAIT,
    );
  }),

  scenario(AREA, "worker messages", async (c) => {
    const { owner } = await cast(c);
    const other = await c.user("other", { trusted: true });
    const name = c.name("wm");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: directoryPop(name) });
    await c.step("other's worker", "POST /v2/generate/pop", {
      apikey: other.apikey,
      body: directoryPop(c.name("wmo")),
    });
    const ids = await c.poll(
      "owner's worker ids",
      "GET /v2/find_user",
      { apikey: owner.apikey, same: ["worker_ids.length"] },
      (a) => a.body?.worker_ids?.length === 1,
      CACHE_WAIT,
    );
    const workerId = ids.body?.worker_ids?.[0] as string;
    await c.step("list without key", "GET /v2/workers/messages");
    await c.step("list as owner", "GET /v2/workers/messages", { apikey: owner.apikey, same: ["length"] });
    await c.step("list naming a user", "GET /v2/workers/messages", {
      apikey: owner.apikey,
      query: { user_id: owner.id },
    });
    await c.step("list, unknown validity", "GET /v2/workers/messages", {
      apikey: owner.apikey,
      query: { validity: "soon" },
    });
    const post = (label: string, apikey: string | undefined, body: unknown, same?: string[]) =>
      c.step(label, "POST /v2/workers/messages", { apikey, body, ...(same ? { same } : {}) });
    await post("create, empty message", owner.apikey, { worker_id: workerId, message: "", expiry: 12 });
    await post("create, expiry too long", owner.apikey, { worker_id: workerId, message: "hi", expiry: 1000 });
    // The server answers a successful POST from a 60 s cache keyed by the path alone; a POST it answers
    // itself (here refused for the key) shows the cache is cold.
    await c.poll(
      "create with an invalid key",
      "POST /v2/workers/messages",
      { apikey: "nosuchkey0000000000000", body: { worker_id: workerId, message: "hi", expiry: 12 } },
      (a) => a.status === 401,
      { timeoutMs: 75_000, everyMs: 2000 },
    );
    await post("create without key", undefined, { worker_id: workerId, message: "hi", expiry: 12 });
    await post("create, unknown worker", owner.apikey, {
      worker_id: "00000000-0000-0000-0000-000000000000",
      message: "hi",
      expiry: 12,
    });
    await post("create for another user's worker", other.apikey, {
      worker_id: workerId,
      message: "hi",
      expiry: 12,
    });
    await post("create for every worker, not a moderator", owner.apikey, { message: "hi", expiry: 12 });
    await post("create without expiry", c.target.adminKey, { worker_id: workerId, message: "hi" });
    await post("create anonymous", "0000000000", { worker_id: workerId, message: "hi", expiry: 12 });
    const created = await post(
      "create as moderator",
      c.target.adminKey,
      { worker_id: workerId, message: "please update", origin: "tests", expiry: 12 },
      ["message", "origin", "worker_id"],
    );
    const messageId = created.body?.id as string;
    await c.step("list as moderator", "GET /v2/workers/messages", {
      apikey: c.target.adminKey,
      query: { worker_id: workerId },
      same: ["length", "0.message"],
    });
    // Messages are listed by sender: the owner does not see the moderator's.
    await c.step("list as owner after", "GET /v2/workers/messages", {
      apikey: owner.apikey,
      same: ["length"],
    });
    await c.step("get one", "GET /v2/workers/messages/{id}", {
      params: { id: messageId },
      same: ["message", "origin"],
    });
    await c.step("get an unknown one", "GET /v2/workers/messages/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("get, id not a uuid", "GET /v2/workers/messages/{id}", { params: { id: "message-1" } });
    await c.step("pop shows it", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: directoryPop(name),
      same: ["messages.length", "messages.0.message", "messages.0.origin"],
    });
    await c.step("moderator's view of the worker", "GET /v2/workers/{id}", {
      params: { id: workerId },
      apikey: c.target.adminKey,
      same: ["messages.length", "messages.0.message"],
    });
    await c.step("delete as owner", "DELETE /v2/workers/messages/{id}", {
      params: { id: messageId },
      apikey: owner.apikey,
    });
    await c.step("delete without key", "DELETE /v2/workers/messages/{id}", { params: { id: messageId } });
    await c.step("delete as moderator", "DELETE /v2/workers/messages/{id}", {
      params: { id: messageId },
      apikey: c.target.adminKey,
    });
    await c.step("delete again", "DELETE /v2/workers/messages/{id}", {
      params: { id: messageId },
      apikey: c.target.adminKey,
    });
    await c.step("list as moderator after", "GET /v2/workers/messages", {
      apikey: c.target.adminKey,
      query: { worker_id: workerId },
      same: ["length"],
    });
  }),
];
