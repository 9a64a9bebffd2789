/**
 * Users and keys: find_user and user details, admin edits, deletion, kudos transfer and award, shared
 * keys (and generating with one), teams.
 *
 * The server caches find_user and user details for 30 s and applies some kudos changes through a ledger a
 * moment later: steps that read a changed user poll until the change shows (the emulator shows it at once).
 */
import { type Answer, type Conversation, scenario } from "../framework.js";
import { CACHE_WAIT, cancelImageAtEnd, DIRECTORY_MODEL, directoryPop, directoryRequest } from "./common.js";

const AREA = "users, kudos and keys";

/** The transfer route allows one call per second and key. */
const transferGap = (c: Conversation) => c.sleep(1100);

const kudosAtLeast = (n: number) => (a: Answer) => typeof a.body?.kudos === "number" && a.body.kudos >= n;
const kudosAtMost = (n: number) => (a: Answer) => typeof a.body?.kudos === "number" && a.body.kudos <= n;

export const userScenarios = [
  scenario(AREA, "find_user and user details", async (c) => {
    const alice = await c.user("alice", { kudos: 500 });
    await c.step("find_user", "GET /v2/find_user", {
      apikey: alice.apikey,
      same: ["kudos", "trusted", "moderator", "concurrency", "username"],
    });
    await c.step("find_user anonymous", "GET /v2/find_user", {
      apikey: "0000000000",
      same: ["username", "id"],
    });
    await c.step("find_user invalid key", "GET /v2/find_user", { apikey: "nosuchkey0000000000000" });
    await c.step("find_user without key", "GET /v2/find_user");
    await c.step("user by id", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      same: ["kudos", "trusted", "username"],
    });
    await c.step("user by id, own key", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: alice.apikey,
    });
    // The moderator's view adds the privileged fields (a fresh privilege level: not cached yet).
    await c.step("user by id, moderator's key", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: c.target.adminKey,
      same: ["monthly_kudos", "suspicious"],
    });
    await c.step("user by id, invalid key", "GET /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: "nosuchkey0000000000000",
    });
    await c.step("unknown user", "GET /v2/users/{id}", { params: { id: "99999999" } });
    await c.step("user id not a number", "GET /v2/users/{id}", { params: { id: "abc" } });
    await c.step("user id with alias", "GET /v2/users/{id}", { params: { id: alice.username } });
    // Which listed users own workers depends on what earlier scenarios left in each side's database.
    const mixed = { open: ["[].worker_ids"] };
    await c.step("users list", "GET /v2/users", { query: { page: 1 }, ...mixed });
    await c.step("users list sorted by age", "GET /v2/users", { query: { page: 1, sort: "age" } });
    await c.step("users list, unknown sort", "GET /v2/users", { query: { page: 2, sort: "name" } });
    await c.step("users list, page past the end", "GET /v2/users", { query: { page: 10001 } });
    await c.step("users list, page not a number", "GET /v2/users", { query: { page: "two" } });
  }),

  scenario(AREA, "admin edits a user", async (c) => {
    const alice = await c.user("alice", { kudos: 500, trusted: false });
    const mod = await c.user("mod", { moderator: true });
    const id = String(alice.id);
    const put = (label: string, apikey: string, body: unknown) =>
      c.step(label, "PUT /v2/users/{id}", { params: { id }, apikey, body });
    await put("as the user, kudos", alice.apikey, { kudos: 1000 });
    await put("as the user, trust", alice.apikey, { trusted: true });
    await put("as a moderator, kudos", mod.apikey, { kudos: 1000 });
    await put("no changes", c.target.adminKey, {});
    await put("without key", "", { kudos: 1 });
    await c.step("without key header", "PUT /v2/users/{id}", { params: { id }, body: { kudos: 1 } });
    await put("invalid key", "nosuchkey0000000000000", { kudos: 1 });
    await put("concurrency too high", c.target.adminKey, { concurrency: 600 });
    await put("usage multiplier too low", c.target.adminKey, { usage_multiplier: 0.01 });
    await put("add kudos", c.target.adminKey, { kudos: 1000 });
    await put("trust and concurrency", c.target.adminKey, {
      trusted: true,
      concurrency: 5,
      usage_multiplier: 1.5,
    });
    await put("roles", mod.apikey, { customizer: true, vpn: true, special: true, service: false });
    await put("education raises the concurrency", mod.apikey, { education: true });
    await put("worker invitations and suspicion", mod.apikey, { worker_invited: 2, reset_suspicion: true });
    await put("admin comment", mod.apikey, { admin_comment: "a good user" });
    await put("monthly kudos", c.target.adminKey, { monthly_kudos: 100 });
    await put("contact, by the user", alice.apikey, { contact: "alice@example.com" });
    await put("public workers, by the user", alice.apikey, { public_workers: true });
    await put("proxy passkey without a service account", alice.apikey, { generate_proxy_passkey: true });
    await put("undelete a user that is not deleted", alice.apikey, { undelete: true });
    await put("alias too long", alice.apikey, { username: "a".repeat(31) });
    await put("alias", alice.apikey, { username: c.name("alicia") });
    await c.poll(
      "after",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["trusted", "concurrency", "customizer", "contact", "username"] },
      (a) => a.body?.trusted === true && a.body?.username?.startsWith("alicia"),
      CACHE_WAIT,
    );
    await c.step("moderator's view after", "GET /v2/users/{id}", {
      params: { id },
      apikey: mod.apikey,
      same: ["admin_comment", "monthly_kudos.amount", "education", "vpn", "special"],
    });
    await put("make a moderator, as a moderator", mod.apikey, { moderator: true });
    await put("make a moderator", c.target.adminKey, { moderator: true });
    await c.step("unknown user", "PUT /v2/users/{id}", {
      params: { id: "99999999" },
      apikey: c.target.adminKey,
      body: { kudos: 1 },
    });
  }),

  scenario(AREA, "delete a user", async (c) => {
    const alice = await c.user("alice", { kudos: 500 });
    const bob = await c.user("bob", { kudos: 500 });
    const mod = await c.user("mod", { moderator: true });
    const del = (label: string, id: number | string, apikey?: string) =>
      c.step(label, "DELETE /v2/users/{id}", { params: { id: String(id) }, apikey });
    await del("not a number", "abc", alice.apikey);
    await del("unknown user", 99999999, alice.apikey);
    await del("invalid key", alice.id, "nosuchkey0000000000000");
    await del("by another user", alice.id, bob.apikey);
    await del("a moderator", mod.id, alice.apikey);
    await del("by the anonymous key", alice.id, "0000000000");
    await del("by the user", alice.id, alice.apikey);
    await c.poll(
      "deleted user's details",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["deleted"] },
      (a) => a.body?.deleted === true,
      CACHE_WAIT,
    );
    await c.step("transfer to the deleted user", "POST /v2/kudos/transfer", {
      apikey: bob.apikey,
      body: { username: alice.username, amount: 5 },
    });
    // The date after which the account may be wiped is in the message: compared by rc only.
    await c.step("delete again: too recently active to wipe", "DELETE /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: mod.apikey,
      message: false,
    });
    await c.step("undelete", "PUT /v2/users/{id}", {
      params: { id: String(alice.id) },
      apikey: alice.apikey,
      body: { undelete: true },
    });
    await del("by a moderator", bob.id, mod.apikey);
    await c.step("without a key", "DELETE /v2/users/{id}", { params: { id: String(bob.id) } });
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
      { apikey: bob.apikey, same: ["kudos", "kudos_details.received"] },
      kudosAtLeast(100),
      CACHE_WAIT,
    );
    await c.poll(
      "alice paid",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["kudos", "kudos_details.gifted"] },
      kudosAtMost(400),
      CACHE_WAIT,
    );
    await transferGap(c);
    await c.step("bob sends some back at once", "POST /v2/kudos/transfer", {
      apikey: bob.apikey,
      body: { username: alice.username, amount: 10 },
    });
    await c.step("too much", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 100000 },
    });
    await transferGap(c);
    // 400 left, the floor of 25 stays: 376 is one too many.
    await c.step("more than the balance above the floor", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 376 },
    });
    await transferGap(c);
    await c.step("to self", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: alice.username, amount: 1 },
    });
    await transferGap(c);
    await c.step("unknown user", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: "nobody#99999999", amount: 1 },
    });
    await transferGap(c);
    await c.step("to the anonymous user", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: "Anonymous#0", amount: 1 },
    });
    await transferGap(c);
    await c.step("negative", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: -5 },
    });
    await transferGap(c);
    await c.step("zero", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 0 },
    });
    await transferGap(c);
    await c.step("amount not a number", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: "ten" },
    });
    await transferGap(c);
    await c.step("anonymous", "POST /v2/kudos/transfer", {
      apikey: "0000000000",
      body: { username: bob.username, amount: 1 },
    });
    await c.step("no username", "POST /v2/kudos/transfer", { apikey: alice.apikey, body: { amount: 1 } });
    await transferGap(c);
    await c.step("no key", "POST /v2/kudos/transfer", { body: { username: bob.username, amount: 1 } });
    await c.step("invalid key", "POST /v2/kudos/transfer", {
      apikey: "nosuchkey0000000000000",
      body: { username: bob.username, amount: 1 },
    });
    await transferGap(c);
    const retry = { "Idempotency-Key": c.name("retry") };
    await c.step("with an idempotency key", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      headers: retry,
      body: { username: bob.username, amount: 7 },
      same: ["transferred"],
    });
    await transferGap(c);
    await c.step("the same again", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      headers: retry,
      body: { username: bob.username, amount: 7 },
      same: ["transferred"],
    });
    await transferGap(c);
    await c.step("the key with another amount", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      headers: retry,
      body: { username: bob.username, amount: 8 },
    });
    await c.poll(
      "bob got it once",
      "GET /v2/find_user",
      { apikey: bob.apikey, same: ["kudos"] },
      kudosAtLeast(107),
      CACHE_WAIT,
    );
    await c.step("award as a user", "POST /v2/kudos/award", {
      apikey: alice.apikey,
      body: { username: bob.username, amount: 10 },
    });
    await c.step("award", "POST /v2/kudos/award", {
      apikey: c.target.adminKey,
      body: { username: bob.username, amount: 10 },
      same: ["awarded"],
    });
    await c.step("award to an unknown user", "POST /v2/kudos/award", {
      apikey: c.target.adminKey,
      body: { username: "nobody#99999999", amount: 10 },
    });
    await c.step("award to the anonymous user", "POST /v2/kudos/award", {
      apikey: c.target.adminKey,
      body: { username: "Anonymous#0" },
    });
    await c.step("award without username", "POST /v2/kudos/award", {
      apikey: c.target.adminKey,
      body: { amount: 10 },
    });
    await c.poll(
      "bob was awarded",
      "GET /v2/find_user",
      { apikey: bob.apikey, same: ["kudos", "kudos_details.awarded"] },
      kudosAtLeast(117),
      CACHE_WAIT,
    );
  }),

  scenario(AREA, "shared keys", async (c) => {
    const alice = await c.user("alice", { kudos: 5000, trusted: false });
    const stranger = await c.user("stranger");
    const owner = await c.user("owner", { trusted: true });
    const created = await c.step("create", "PUT /v2/sharedkeys", {
      apikey: alice.apikey,
      body: {
        kudos: 1000,
        expiry: 30,
        name: "for my friends",
        max_image_pixels: 1048576,
        max_image_steps: 30,
      },
      same: [
        "kudos",
        "name",
        "max_image_pixels",
        "max_image_steps",
        "max_text_tokens",
        "utilized",
        "username",
      ],
    });
    const id = created.body?.id as string;
    await c.step("get", "GET /v2/sharedkeys/{id}", { params: { id }, same: ["kudos", "name", "utilized"] });
    await c.step("patch", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: { kudos: 2000, name: "renamed", max_text_tokens: 100 },
      same: ["kudos", "name", "max_text_tokens"],
    });
    await c.step("patch: no expiry", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: { expiry: -1 },
    });
    await c.step("patch nothing", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: alice.apikey,
      body: {},
    });
    await c.step("patch by a stranger", "PATCH /v2/sharedkeys/{id}", {
      params: { id },
      apikey: stranger.apikey,
      body: { kudos: 1 },
    });
    await c.step("patch an unknown key", "PATCH /v2/sharedkeys/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
      apikey: alice.apikey,
      body: { kudos: 1 },
    });
    await c.step("patch without key", "PATCH /v2/sharedkeys/{id}", { params: { id }, body: { kudos: 1 } });
    await c.step("find_user with it", "GET /v2/find_user", { apikey: id, same: ["username"] });
    await c.step("pop idle", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: directoryPop(c.name("w")),
    });
    const submit = await c.step("submit with it", "POST /v2/generate/async", {
      apikey: id,
      body: directoryRequest(),
    });
    if (submit.body?.id) cancelImageAtEnd(c, submit.body.id);
    // QUIRK: over a key's per-job limit without a style, the server fails looking for the style.
    await c.step("too many steps for it", "POST /v2/generate/async", {
      apikey: id,
      body: directoryRequest({ params: { width: 512, height: 512, steps: 50, n: 1 } }),
    });
    await c.poll(
      "user shows it and its request",
      "GET /v2/find_user",
      { apikey: alice.apikey, same: ["sharedkey_ids.length", "active_generations.image.length"] },
      (a) => a.body?.active_generations?.image?.length === 1,
      CACHE_WAIT,
    );
    await c.sleep(1100);
    await c.step("transfer to the key", "POST /v2/kudos/transfer", {
      apikey: owner.apikey,
      body: { username: id, amount: 50 },
      same: ["transferred"],
    });
    await c.step("delete by a stranger", "DELETE /v2/sharedkeys/{id}", {
      params: { id },
      apikey: stranger.apikey,
    });
    await c.step("delete", "DELETE /v2/sharedkeys/{id}", { params: { id }, apikey: alice.apikey });
    await c.step("delete again", "DELETE /v2/sharedkeys/{id}", { params: { id }, apikey: alice.apikey });
    await c.step("submit with the deleted key", "POST /v2/generate/async", {
      apikey: id,
      body: directoryRequest(),
    });
    // A key whose details were never read (the server caches them for a minute).
    const second = await c.step("create a key without limits", "PUT /v2/sharedkeys", {
      apikey: alice.apikey,
      body: {},
      same: ["kudos", "max_image_pixels", "max_image_steps", "max_text_tokens"],
    });
    const other = second.body?.id as string;
    await c.step("delete it", "DELETE /v2/sharedkeys/{id}", { params: { id: other }, apikey: alice.apikey });
    await c.step("get a deleted key", "GET /v2/sharedkeys/{id}", { params: { id: other } });
    await c.step("get an unknown key", "GET /v2/sharedkeys/{id}", { params: { id: "not-a-key" } });
    await c.step("create anonymous", "PUT /v2/sharedkeys", { apikey: "0000000000", body: { kudos: 10 } });
    await c.step("create with an invalid key", "PUT /v2/sharedkeys", {
      apikey: "nosuchkey0000000000000",
      body: { kudos: 10 },
    });
    await c.step("create, kudos not a number", "PUT /v2/sharedkeys", {
      apikey: alice.apikey,
      body: { kudos: "lots" },
    });
  }),

  scenario(AREA, "shared keys: budgets, expiry and styles", async (c) => {
    const owner = await c.user("owner", { trusted: true, kudos: 100_000 });
    await c.step("pop idle", "POST /v2/generate/pop", {
      apikey: owner.apikey,
      body: directoryPop(c.name("w")),
    });
    const key = async (label: string, body: Record<string, unknown>) =>
      (await c.step(label, "PUT /v2/sharedkeys", { apikey: owner.apikey, body, same: ["kudos"] })).body
        ?.id as string;
    const generate = async (
      label: string,
      apikey: string,
      extra: Record<string, unknown> = {},
      message = true,
    ) => {
      await c.sleep(1100);
      const a = await c.step(label, "POST /v2/generate/async", {
        apikey,
        body: directoryRequest(extra),
        message,
      });
      if (a.body?.id) cancelImageAtEnd(c, a.body.id);
      return a;
    };
    const small = await key("a key of 5 kudos", { kudos: 5 });
    // The estimate is in the message; the emulator's prices are compared elsewhere.
    await generate(
      "more than its budget",
      small,
      { params: { width: 512, height: 512, steps: 40, n: 1 } },
      false,
    );
    await generate("more than its budget, downgraded", small, {
      params: { width: 512, height: 512, steps: 40, n: 1 },
      allow_downgrade: true,
    });
    const empty = await key("an empty key", { kudos: 0 });
    await generate("with the empty key", empty);
    await generate("with the empty key, downgraded", empty, { allow_downgrade: true });
    const expired = await key("an expired key", { expiry: -2 });
    await generate("with the expired key", expired);
    await c.step("find_user with the expired key", "GET /v2/find_user", {
      apikey: expired,
      same: ["username"],
    });
    await c.step("transfer to the expired key", "POST /v2/kudos/transfer", {
      apikey: owner.apikey,
      body: { username: expired, amount: 5 },
    });
    await c.step("tokens limit", "PATCH /v2/sharedkeys/{id}", {
      params: { id: small },
      apikey: owner.apikey,
      body: { kudos: 1000, max_text_tokens: 16 },
      same: ["kudos", "max_text_tokens"],
    });
    await c.sleep(1100);
    // QUIRK: over the key's limit without a style, the server fails looking for the style.
    await c.step("text over its token limit", "POST /v2/generate/text/async", {
      apikey: small,
      body: { prompt: "Once upon a time", params: { max_length: 32 } },
    });
    const styleKey = await key("a key for a style", { kudos: 1000, max_image_steps: 10 });
    await c.sleep(1100);
    const style = await c.step("a style that pays with it", "POST /v2/styles/image", {
      apikey: owner.apikey,
      body: {
        name: c.name("paid"),
        prompt: "{p}, watercolour###{np}",
        models: [DIRECTORY_MODEL],
        params: { steps: 12 },
        sharedkey: styleKey,
      },
    });
    await generate("the style's key used directly", styleKey);
    // The style's key pays for anybody, over its own steps limit.
    await generate("anonymous with the paid style", "0000000000", { style: style.body?.id });
    await c.poll(
      "the key's owner has the requests",
      "GET /v2/find_user",
      { apikey: owner.apikey, same: ["active_generations.image.length", "sharedkey_ids.length"] },
      (a) => a.body?.active_generations?.image?.length === 2,
      CACHE_WAIT,
    );
  }),

  scenario(AREA, "shared keys: an untrusted user has three", async (c) => {
    const alice = await c.user("alice", { kudos: 5000, trusted: false });
    for (const n of [1, 2, 3]) {
      await c.step(`key ${n}`, "PUT /v2/sharedkeys", {
        apikey: alice.apikey,
        body: { name: `key ${n}`, kudos: 10 },
      });
    }
    await c.step("a fourth", "PUT /v2/sharedkeys", { apikey: alice.apikey, body: { name: "key 4" } });
  }),

  scenario(AREA, "teams", async (c) => {
    const owner = await c.user("owner", { trusted: true });
    const untrusted = await c.user("untrusted", { trusted: false });
    await c.step("list", "GET /v2/teams");
    await c.step("create untrusted", "POST /v2/teams", {
      apikey: untrusted.apikey,
      body: { name: c.name("team") },
    });
    await c.step("create, name too short", "POST /v2/teams", {
      apikey: owner.apikey,
      body: { name: "ab" },
    });
    await c.step("create without key", "POST /v2/teams", { body: { name: c.name("team") } });
    const created = await c.step("create", "POST /v2/teams", {
      apikey: owner.apikey,
      body: { name: c.name("team"), info: "we draw", channel: "#team" },
      same: ["name", "info"],
    });
    const id = created.body?.id as string;
    await c.step("create same name", "POST /v2/teams", {
      apikey: owner.apikey,
      body: { name: c.name("TEAM") },
    });
    await c.step("patch", "PATCH /v2/teams/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { info: "we draw a lot", name: c.name("renamed") },
      same: ["info", "name"],
    });
    await c.step("patch nothing", "PATCH /v2/teams/{id}", { params: { id }, apikey: owner.apikey, body: {} });
    await c.step("patch by another", "PATCH /v2/teams/{id}", {
      params: { id },
      apikey: untrusted.apikey,
      body: { info: "not yours" },
    });
    await c.step("patch, info too short", "PATCH /v2/teams/{id}", {
      params: { id },
      apikey: untrusted.apikey,
      body: { info: "x" },
    });
    await c.step("patch an unknown team", "PATCH /v2/teams/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
      apikey: owner.apikey,
      body: { info: "anybody" },
    });
    const name = c.name("tw");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: directoryPop(name) });
    const worker = await c.poll(
      "owner's worker",
      "GET /v2/find_user",
      { apikey: owner.apikey, same: ["worker_ids.length"] },
      (a) => a.body?.worker_ids?.length === 1,
      CACHE_WAIT,
    );
    const workerId = worker.body?.worker_ids?.[0] as string;
    await c.step("join an unknown team", "PUT /v2/workers/{id}", {
      params: { id: workerId },
      apikey: owner.apikey,
      body: { team: "00000000-0000-0000-0000-000000000000" },
    });
    await c.step("join team", "PUT /v2/workers/{id}", {
      params: { id: workerId },
      apikey: owner.apikey,
      body: { team: id },
      same: ["team"],
    });
    // First read of the team: no cached copy on the server.
    await c.step("team shows the worker", "GET /v2/teams/{id}", {
      params: { id },
      same: ["worker_count", "name", "info", "models"],
    });
    // The server answers this route from a 3 s cache keyed by the path alone, whoever asks.
    await c.sleep(3100);
    await c.step("get with a user's key", "GET /v2/teams/{id}", { params: { id }, apikey: owner.apikey });
    await c.sleep(3100);
    await c.step("get with an invalid key", "GET /v2/teams/{id}", {
      params: { id },
      apikey: "nosuchkey0000000000000",
    });
    await c.step("leave the team", "PUT /v2/workers/{id}", {
      params: { id: workerId },
      apikey: owner.apikey,
      body: { team: "" },
      same: ["team"],
    });
    await c.step("delete by another", "DELETE /v2/teams/{id}", { params: { id }, apikey: untrusted.apikey });
    await c.step("delete", "DELETE /v2/teams/{id}", { params: { id }, apikey: owner.apikey });
    await c.poll(
      "get deleted",
      "GET /v2/teams/{id}",
      { params: { id } },
      (a) => a.status === 404,
      CACHE_WAIT,
    );
    await c.step("unknown team", "GET /v2/teams/{id}", { params: { id: "no-such-team" } });
  }),

  scenario(AREA, "bad input to users, kudos, shared keys and teams", async (c) => {
    const alice = await c.user("alice", { kudos: 500 });
    const owner = await c.user("owner", { trusted: true });
    const id = String(alice.id);
    const put = (label: string, body: unknown) =>
      c.step(label, "PUT /v2/users/{id}", { params: { id }, apikey: c.target.adminKey, body });
    await put("user edit, kudos not a number", { kudos: "lots" });
    await put("user edit, trusted not a boolean", { trusted: "yes" });
    await put("user edit, negative concurrency", { concurrency: -1 });
    await put("user edit, alias not a string", { username: 5 });
    await put("user edit, body a list", [1, 2]);
    await c.step("user edit, body not JSON", "PUT /v2/users/{id}", {
      params: { id },
      apikey: c.target.adminKey,
      raw: "{kudos: 1",
    });
    // Which listed users own workers depends on what earlier scenarios left in each side's database.
    const mixed = { open: ["[].worker_ids"] };
    await c.step("users list, page zero", "GET /v2/users", { query: { page: 0 }, ...mixed });
    await c.step("users list, negative page", "GET /v2/users", { query: { page: -1 }, ...mixed });
    const award = (label: string, apikey: string | undefined, body: unknown) =>
      c.step(label, "POST /v2/kudos/award", { apikey, body });
    await award("award without key", undefined, { username: alice.username, amount: 1 });
    await award("award with an invalid key", "nosuchkey0000000000000", {
      username: alice.username,
      amount: 1,
    });
    await award("award, amount not a number", c.target.adminKey, { username: alice.username, amount: "ten" });
    await award("award, negative amount", c.target.adminKey, { username: alice.username, amount: -5 });
    // A number is read as a string, and a username without `#` as a user id.
    await c.step("transfer, username a bare user id", "POST /v2/kudos/transfer", {
      apikey: alice.apikey,
      body: { username: owner.id, amount: 1 },
      same: ["transferred"],
    });
    const key = (label: string, body: unknown) =>
      c.step(label, "PUT /v2/sharedkeys", { apikey: owner.apikey, body });
    await key("shared key, negative kudos", { kudos: -5 });
    await key("shared key, expiry not a number", { expiry: "soon" });
    await key("shared key, name too long", { name: "n".repeat(256) });
    await key("shared key, negative pixels", { max_image_pixels: -2 });
    await key("shared key, steps not a number", { max_image_steps: "many" });
    await c.step("shared key without key", "PUT /v2/sharedkeys", { body: { kudos: 1 } });
    const unknownKey = { id: "00000000-0000-0000-0000-000000000000" };
    await c.step("delete an unknown shared key", "DELETE /v2/sharedkeys/{id}", {
      params: unknownKey,
      apikey: owner.apikey,
    });
    await c.step("delete a shared key without key", "DELETE /v2/sharedkeys/{id}", { params: unknownKey });
    await c.step("get an unknown shared key", "GET /v2/sharedkeys/{id}", { params: unknownKey });
    const team = (label: string, apikey: string | undefined, body: unknown) =>
      c.step(label, "POST /v2/teams", { apikey, body });
    await team("team, name not a string", owner.apikey, { name: 5 });
    await team("team, name too long", owner.apikey, { name: "t".repeat(101) });
    await team("team, info not a string", owner.apikey, { name: c.name("team"), info: 5 });
    await team("team with an invalid key", "nosuchkey0000000000000", { name: c.name("team") });
    const unknownTeam = { id: "00000000-0000-0000-0000-000000000000" };
    await c.step("get an unknown team", "GET /v2/teams/{id}", { params: unknownTeam });
    await c.step("delete an unknown team", "DELETE /v2/teams/{id}", {
      params: unknownTeam,
      apikey: owner.apikey,
    });
    await c.step("delete a team without key", "DELETE /v2/teams/{id}", { params: unknownTeam });
    await c.step("patch a team without key", "PATCH /v2/teams/{id}", {
      params: unknownTeam,
      body: { info: "anybody" },
    });
  }),
];
