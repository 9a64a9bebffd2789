/**
 * Bad input to the directory's write routes (users, kudos, shared keys, teams, worker edits and messages,
 * styles, examples, collections, modes): each answer is one of the server's error shapes. Where the real
 * server itself fails (a bare 500, proven by the differential suite and described in
 * docs/server/directory.md), the emulator fails the same way and keeps nothing.
 */
import { type Json, setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const BARE_500 = { message: "Internal Server Error" };

describe("directory: bad input", () => {
  test("a shared key name over the server's 255-character column fails as the server does, storing nothing", async () => {
    const h = setup();
    const bob = h.owner.apikey;
    const long = await h.call("PUT", "/v2/sharedkeys", { apikey: bob, body: { name: "n".repeat(256) } });
    expect([long.status, long.body]).toEqual([500, BARE_500]);
    const me = await h.call("GET", "/v2/find_user", { apikey: bob });
    expect(me.body.sharedkey_ids ?? []).toEqual([]);
    const ok = await h.call("PUT", "/v2/sharedkeys", {
      apikey: bob,
      body: { name: "n".repeat(255), kudos: 10 },
    });
    expect(ok.status).toBe(200);
    const patch = await h.call("PATCH", `/v2/sharedkeys/${ok.body.id}`, {
      apikey: bob,
      body: { name: "😀".repeat(256), kudos: 99 },
    });
    expect([patch.status, patch.body]).toEqual([500, BARE_500]);
    const key = await h.call("GET", `/v2/sharedkeys/${ok.body.id}`);
    expect(key.body).toMatchObject({ kudos: 10, name: "n".repeat(255) });
  });

  test("a text style's token limits are compared as Python compares them", async () => {
    const h = setup();
    const bob = h.owner.apikey;
    const style = (name: string, params: Record<string, unknown>) =>
      h.call("POST", "/v2/styles/text", {
        apikey: bob,
        body: { name, prompt: "Story: {p}", models: ["koboldcpp/LLaMA2-13B-Psyfighter2"], params },
      });
    for (const params of [{ max_length: "long" }, { max_context_length: null }, { max_length: [64] }]) {
      const a = await style(`bad ${JSON.stringify(params)}`, params);
      expect([a.status, a.body], JSON.stringify(params)).toEqual([500, BARE_500]);
    }
    // Two strings compare (as text): "9" < "10" is false, so no overflow.
    expect((await style("strings", { max_length: "10", max_context_length: "9" })).status).toBe(200);
    const overflow = await style("overflow", { max_length: 512, max_context_length: 256 });
    expect([overflow.status, overflow.body.rc]).toEqual([400, "TokenOverflow"]);
    expect((await style("fine", { max_length: true })).status).toBe(200);
    const list = await h.call("GET", "/v2/styles/text");
    expect(list.body.map((s: Json) => s.name).sort()).toEqual(["fine", "strings"]);
  });

  test("style and collection lists below page 1 fail as the server does (a negative database offset)", async () => {
    const h = setup();
    for (const path of ["/v2/styles/image", "/v2/styles/text", "/v2/collections"]) {
      for (const page of [0, -3]) {
        const a = await h.call("GET", `${path}?page=${page}`);
        expect([a.status, a.body], `${path} page ${page}`).toEqual([500, BARE_500]);
      }
      expect((await h.call("GET", `${path}?page=1`)).status).toBe(200);
    }
  });
});
