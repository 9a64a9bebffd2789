/** Users and keys: find_user, user details, admin edits, kudos transfer and award, shared keys, teams. */
import { scenario } from "../framework.js";
import { cancelImageAtEnd, imagePop, imageRequest } from "./common.js";

const AREA = "users, kudos and keys";

export const userScenarios = [
  scenario(AREA, "find_user and user details", async (c) => {
    const alice = await c.user("alice", { kudos: 500 });
    await c.step("find_user", "GET /v2/find_user", {
      apikey: alice.apikey,
      same: ["kudos", "trusted", "moderator", "concurrency"],
    });
    await c.step("find_user anonymous", "GET /v2/find_user", {
      apikey: "0000000000",
      same: ["username", "id"],
    });
    await c.step("find_user invalid key", "GET /v2/find_user", { apikey: "nosuchkey0000000000000" });
    await c.step("find_user without key", "GET /v2/find_user");
    await c.step("user by id", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      same: ["kudos", "trusted"],
    });
    await c.step("user by id, own key", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: alice.apikey,
    });
    await c.step("unknown user", "GET /v2/users/{id}", { params: { id: "99999999" } });
    await c.step("user id not a number", "GET /v2/users/{id}", { params: { id: "abc" } });
    await c.step("users list", "GET /v2/users", { query: { page: 1 } });
    await c.step("users list sorted", "GET /v2/users", { query: { page: 1, sort: "age" } });
  }),

  scenario(AREA, "admin edits a user", async (c) => {
    const alice = await c.user("alice", { kudos: 500, trusted: false });
    const id = String(alice.id);
    await c.step("as the user", "PUT /v2/users/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: { kudos: 1000 },
    });
    await c.step("no changes", "PUT /v2/users/{id}", { params: { id }, apikey: c.target.adminKey, body: {} });
    await c.step("add kudos", "PUT /v2/users/{id}", {
      params: { id },
      apikey: c.target.adminKey,
      body: { kudos: 1000 },
    });
    await c.step("trust and concurrency", "PUT /v2/users/{id}", {
      params: { id },
      apikey: c.target.adminKey,
      body: { trusted: true, concurrency: 5, usage_multiplier: 1.5 },
    });
    await c.step("contact and customizer", "PUT /v2/users/{id}", {
      params: { id },
      apikey: c.target.adminKey,
      body: { contact: "alice@example.com", customizer: true },
    });
    await c.poll(
      "after",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["trusted", "concurrency", "customizer"] },
      (a) => a.body?.trusted === true,
    );
    await c.step("unknown user", "PUT /v2/users/{id}", {
      params: { id: "99999999" },
      apikey: c.target.adminKey,
      body: { kudos: 1 },
    });
  }),

  scenario(AREA, "kudos transfer and award", async (c) => {
    const alice = await c.user("alice", { kudos: 500 });
    const bob = await c.user("bob", { kudos: 0 });
    await c.step("transfer", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 100 },
    });
    await c.poll(
      "bob has it",
      "GET /v2/find_user",
      { apikey: bob.apikey, same: ["kudos"] },
      (a) => a.body?.kudos >= 100,
    );
    await c.poll(
      "alice paid",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["kudos"] },
      (a) => a.body?.kudos <= 400,
    );
    await c.sleep(1100);
    await c.step("too much", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 100000 },
    });
    await c.sleep(1100);
    await c.step("to self", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: alice.username, amount: 1 },
    });
    await c.sleep(1100);
    await c.step("unknown user", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: "nobody#99999999", amount: 1 },
    });
    await c.sleep(1100);
    await c.step("negative", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: -5 },
    });
    await c.sleep(1100);
    await c.step("anonymous", "POST /v2/kudos/transfer", {
      apikey: "0000000000",
      body: { username: bob.username, amount: 1 },
    });
    await c.step("no username", "POST /v2/kudos/transfer", { apikey: alice.apikey, body: { amount: 1 } });
    await c.step("award as a user", "POST /v2/kudos/award", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 10 },
    });
  }),

  scenario(AREA, "shared keys", async (c) => {
    const alice = await c.user("alice", { kudos: 5000 });
    const created = await c.step("create", "PUT /v2/sharedkeys", {
      apikey: alice.apikey,
      body: {
        kudos: 1000,
        expiry: 30,
        name: "for my friends",
        max_image_pixels: 1048576,
        max_image_steps: 30,
      },
      same: ["kudos", "name", "max_image_pixels", "max_image_steps", "max_text_tokens"],
    });
    const id = created.body?.id as string;
    await c.step("get", "GET /v2/sharedkeys/{id}", { params: { id }, same: ["kudos", "name", "utilized"] });
    await c.step("patch", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: { kudos: 2000, name: "renamed" },
      same: ["kudos", "name"],
    });
    await c.step("patch nothing", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: {},
    });
    const stranger = await c.user("stranger");
    await c.step("patch by a stranger", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: stranger.apikey,
      body: { kudos: 1 },
    });
    await c.step("find_user with it", "GET /v2/find_user", { apikey: id, same: ["username"] });
    const owner = await c.user("owner", { trusted: true });
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(c.name("w")) });
    const submit = await c.step("submit with it", "POST /v2/generate/async", {
      apikey: id,
      body: imageRequest(),
    });
    if (submit.body?.id) cancelImageAtEnd(c, submit.body.id);
    await c.step("too many steps for it", "POST /v2/generate/async", {
      apikey: id,
      body: imageRequest({ params: { width: 512, height: 512, steps: 50, n: 1 } }),
    });
    await c.step("user shows it", "GET /v2/find_user", {
      apikey: alice.apikey,
      same: ["sharedkey_ids.length"],
    });
    await c.step("delete by a stranger", "DELETE /v2/sharedkeys/{id}", {
      params: { id },
      apikey: stranger.apikey,
    });
    await c.step("delete", "DELETE /v2/sharedkeys/{id}", { params: { id }, apikey: alice.apikey });
    await c.step("get deleted", "GET /v2/sharedkeys/{id}", { params: { id } });
    await c.step("create anonymous", "PUT /v2/sharedkeys", { apikey: "0000000000", body: { kudos: 10 } });
  }),

  scenario(AREA, "teams", async (c) => {
    const owner = await c.user("owner", { trusted: true });
    const untrusted = await c.user("untrusted", { trusted: false });
    await c.step("list", "GET /v2/teams");
    await c.step("create untrusted", "POST /v2/teams", {
      apikey: untrusted.apikey,
      body: { name: c.name("team") },
    });
    const created = await c.step("create", "POST /v2/teams", {
      apikey: owner.apikey,
      body: { name: c.name("team"), info: "we draw", channel: "#team" },
      same: ["name"],
    });
    const id = created.body?.id as string;
    await c.step("create same name", "POST /v2/teams", {
      apikey: owner.apikey,
      body: { name: c.name("team") },
    });
    await c.step("get", "GET /v2/teams/{id}", { params: { id }, same: ["name", "info", "worker_count"] });
    await c.step("patch", "PATCH /v2/teams/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { info: "we draw a lot" },
    });
    await c.step("patch nothing", "PATCH /v2/teams/{id}", { params: { id }, apikey: owner.apikey, body: {} });
    await c.step("patch by another", "PATCH /v2/teams/{id}", {
      params: { id },
      apikey: untrusted.apikey,
      body: { info: "x" },
    });
    const name = c.name("tw");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
    const worker = await c.poll(
      "worker",
      "GET /v2/workers/name/{name}",
      { params: { name } },
      (a) => a.status === 200,
    );
    await c.step("join team", "PUT /v2/workers/{id}", {
      params: { id: worker.body.id },
      apikey: owner.apikey,
      body: { team: id },
    });
    await c.poll(
      "team shows the worker",
      "GET /v2/teams/{id}",
      { params: { id }, same: ["worker_count"] },
      (a) => a.body?.worker_count === 1,
    );
    await c.step("delete by another", "DELETE /v2/teams/{id}", { params: { id }, apikey: untrusted.apikey });
    await c.step("delete", "DELETE /v2/teams/{id}", { params: { id }, apikey: owner.apikey });
    await c.step("get deleted", "GET /v2/teams/{id}", { params: { id } });
  }),
];
