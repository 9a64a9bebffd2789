import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { describe, expect, test } from "vitest";
import { setup } from "./helpers.js";

describe("admin API", () => {
  test("in-process: create, look up, stats, reset", async () => {
    const h = setup();
    const carol = h.emu.admin.createUser({ username: "carol", kudos: 500, concurrency: 5, trusted: true });
    expect(carol).toEqual({
      id: expect.any(Number),
      username: `carol#${carol.id}`,
      apikey: expect.any(String),
    });
    expect(h.emu.admin.getUser(carol.apikey)).toMatchObject({
      username: carol.username,
      kudos: 500,
      concurrency: 5,
      trusted: true,
    });
    expect(h.emu.admin.getUser("0000000000")).toMatchObject({ username: "Anonymous#0", anonymous: true });
    expect(h.emu.admin.getUser("nope")).toBeNull();
    expect(() => h.emu.admin.createUser({ username: "bad#name" })).toThrow();

    const id = (await h.generate({}, carol.apikey)).body.id;
    expect(h.emu.admin.getUser(carol.apikey)?.kudos).toBe(497); // the activation tax
    const kept = (await h.generate({ params: { n: 2 } })).body.id;
    const job = (await h.pop()).body;
    await h.submit({ id: job.id });
    await h.cancel(kept);
    const stats = h.emu.admin.stats();
    expect(stats.requests).toEqual({ total: 2, active: 0, done: 1, cancelled: 1, faulted: 0, expired: 0 });
    expect(stats.jobs).toEqual({ waiting: 0, processing: 0, finished: 1, restarted: 0 });
    expect(stats.orphaned).toEqual([]);
    expect((await h.check(id)).body.done).toBe(true);

    h.emu.admin.reset();
    expect(h.emu.admin.getUser(carol.apikey)).toBeNull();
    expect((await h.check(id)).status).toBe(404);
    expect(h.emu.admin.stats().requests.total).toBe(0);
  });

  test("over HTTP under /_emulator/", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const emu = createEmulator({ clock, logger: silentLogger });
    const base = "http://horde.local/_emulator";
    const post = (path: string, body: unknown) =>
      emu.fetch(`${base}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });

    const created = await post("/users", { username: "dana", kudos: 20 });
    expect(created.status).toBe(201);
    const dana = (await created.json()) as { id: number; username: string; apikey: string };
    expect(dana.username).toBe(`dana#${dana.id}`);
    expect((await post("/users", {})).status).toBe(400);

    const me = await emu.fetch(`${base}/user`, { headers: { apikey: dana.apikey } });
    expect(await me.json()).toMatchObject({ id: dana.id, kudos: 20 });
    expect((await emu.fetch(`${base}/user`, { headers: { apikey: "nope" } })).status).toBe(404);

    await emu.fetch("http://horde.local/api/v2/generate/async", {
      method: "POST",
      headers: { apikey: dana.apikey, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    });
    const stats = (await (await emu.fetch(`${base}/stats`)).json()) as {
      requests: { active: number };
      orphaned: string[];
    };
    expect(stats.requests.active).toBe(1);
    expect(stats.orphaned).toHaveLength(1);

    const dev = await post("/devworkers", { name: "http-dev", generationMs: 500 });
    expect(await dev.json()).toEqual({ name: "http-dev" });
    expect(await (await post("/clock/advance", { ms: 600 })).json()).toEqual({ now: 600 });
    expect(await (await emu.fetch(`${base}/clock`)).json()).toEqual({ now: 600, virtual: true });
    const after = (await (await emu.fetch(`${base}/stats`)).json()) as {
      requests: { done: number };
      orphaned: string[];
    };
    expect(after).toMatchObject({ requests: { done: 1 }, orphaned: [] });

    expect((await post("/reset", {})).status).toBe(200);
    expect((await emu.fetch(`${base}/user`, { headers: { apikey: dana.apikey } })).status).toBe(404);
    await emu.close();
  });
});
