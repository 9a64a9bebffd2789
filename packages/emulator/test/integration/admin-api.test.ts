import { createEmulator, seedUser, silentLogger, VirtualClock } from "horde-emulator";
import { setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

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
    expect(await dev.json()).toEqual({ name: "http-dev", type: "image" });
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

describe("admin API: users, keys, requests and jobs", () => {
  test("seedUser is idempotent; setKudos and updateUser; listUsers and describe() give the keys", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({
      clock,
      logger: silentLogger,
      users: [{ username: "erin", kudos: 1000, apikey: "erin-key-0001" }],
    });
    const again = seedUser(emu, { username: "erin", kudos: 5 });
    expect(again).toEqual({ id: 1, username: "erin#1", apikey: "erin-key-0001" });
    expect(emu.admin.getUser("erin-key-0001")?.kudos).toBe(1000);
    expect(emu.admin.setKudos("erin-key-0001", 42).kudos).toBe(42);
    expect(emu.admin.updateUser("erin-key-0001", { trusted: true, concurrency: 3 })).toMatchObject({
      trusted: true,
      concurrency: 3,
    });
    expect(() => emu.admin.setKudos("nope", 1)).toThrow();
    expect(emu.admin.listUsers().map((u) => [u.username, u.apikey])).toEqual([
      ["Anonymous#0", "0000000000"],
      ["erin#1", "erin-key-0001"],
    ]);
    const info = emu.describe();
    expect(info).toMatchObject({
      baseUrl: "http://horde.local/api",
      listening: false,
      virtualClock: true,
      rateLimits: true,
      anonymousKey: "0000000000",
    });
    expect(info.users).toContainEqual({ id: 1, username: "erin#1", apikey: "erin-key-0001", kudos: 42 });
    const { url } = await emu.listen();
    expect(emu.describe()).toMatchObject({ baseUrl: url, listening: true });
    await emu.close();
  });

  test("listRequests and listJobs show every kind with its state; unfinishedCount counts the orphans", async () => {
    const h = setup();
    const image = (await h.generate({ params: { n: 2 } })).body.id;
    const text = (await h.textGenerate()).body.id;
    const alchemy = (await h.interrogate()).body.id;
    const job = (await h.pop()).body;
    await h.submit({ id: job.id });
    await h.cancel(image);
    await h.textPop();
    await h.alchemyPop();
    const requests = h.emu.admin.listRequests();
    expect(requests.map((r) => [r.id, r.kind, r.outcome])).toEqual([
      [image, "image", "cancelled"],
      [text, "text", "active"],
      [alchemy, "alchemy", "active"],
    ]);
    expect(requests[0]?.progress).toMatchObject({ finished: 1, waiting: 0 });
    expect(requests[2]?.progress).toMatchObject({ processing: 1 });
    const jobs = h.emu.admin.listJobs();
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([
      ["image", "finished"],
      ["text", "processing"],
      ["alchemy", "processing"],
    ]);
    expect(h.emu.admin.unfinishedCount()).toBe(2);
    const stats = h.emu.admin.stats();
    expect(stats.byKind.image).toMatchObject({ total: 1, cancelled: 1 });
    expect(stats.forms).toMatchObject({ processing: 1 });
    // Over HTTP, the same.
    expect((await h.call("GET", "/_emulator/requests")).body).toHaveLength(3);
    expect((await h.call("GET", "/_emulator/jobs")).body).toHaveLength(3);
    expect((await h.call("GET", "/_emulator/unfinished")).body).toEqual({ count: 2, ids: [text, alchemy] });
    // An expired request stays in the list as expired (never completed nor cancelled).
    await h.emu.admin.advanceClock(21 * 60_000);
    expect(h.emu.admin.listRequests().map((r) => r.outcome)).toEqual(["cancelled", "expired", "expired"]);
    expect(h.emu.admin.unfinishedCount()).toBe(2);
  });

  test("HTTP: users/seed, users, PATCH user, modes, worker maintenance, info, devworkers by type", async () => {
    const h = setup();
    const seeded = await h.call("POST", "/_emulator/users/seed", { body: { username: "finn", kudos: 7 } });
    expect(seeded.status).toBe(200);
    const again = await h.call("POST", "/_emulator/users/seed", { body: { username: "finn", kudos: 99 } });
    expect(again.body).toEqual(seeded.body);
    const patched = await h.call("PATCH", "/_emulator/user", {
      apikey: seeded.body.apikey,
      body: { kudos: 70 },
    });
    expect(patched.body.kudos).toBe(70);
    expect((await h.call("PATCH", "/_emulator/user", { apikey: "x", body: {} })).status).toBe(404);
    expect(
      (await h.call("PATCH", "/_emulator/user", { apikey: seeded.body.apikey, body: { kudos: "a" } })).status,
    ).toBe(400);
    expect(
      (await h.call("GET", "/_emulator/users")).body.map((u: { username: string }) => u.username),
    ).toContain("finn#3");
    expect((await h.call("PUT", "/_emulator/modes", { body: { raid: true } })).body).toEqual({
      maintenance: false,
      inviteOnly: false,
      raid: true,
    });
    await h.pop();
    expect(
      (await h.call("PUT", "/_emulator/workers/test-worker/maintenance", { body: { on: true } })).status,
    ).toBe(204);
    expect((await h.pop()).body.rc).toBe("WorkerMaintenance");
    expect((await h.call("GET", "/_emulator/info")).body.users.length).toBe(4);
    const text = await h.call("POST", "/_emulator/devworkers", { body: { type: "text", name: "t1" } });
    expect(text.body).toEqual({ name: "t1", type: "text" });
    expect((await h.call("POST", "/_emulator/devworkers", { body: { type: "video" } })).status).toBe(400);
    await h.emu.close();
  });
});
