import { setup } from "horde-test-support/emulator";
import { describe, expect, test } from "vitest";

const MIN = 60_000;

describe("expiry (§1.5)", () => {
  test("a request nobody touches is gone 20 min after creation; status calls do not extend it", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    await h.clock.advance(10 * MIN);
    expect((await h.check(id)).status).toBe(200);
    await h.clock.advance(10 * MIN - 1);
    expect((await h.status(id)).status).toBe(200);
    await h.clock.advance(1);
    const gone = await h.check(id);
    expect(gone.status).toBe(404);
    expect(gone.body.rc).toBe("RequestNotFound");
    // Never completed nor cancelled: the admin stats remember it as an orphan.
    const stats = h.emu.admin.stats();
    expect(stats.requests).toMatchObject({ total: 1, expired: 1, active: 0 });
    expect(stats.orphaned).toEqual([id]);
  });

  test("a pop and a delivery push the expiry to 20 min after them", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 2 } })).body.id;
    await h.clock.advance(15 * MIN);
    const job = (await h.pop()).body;
    await h.clock.advance(1 * MIN);
    await h.submit({ id: job.id });
    await h.clock.advance(19 * MIN);
    expect((await h.check(id)).status).toBe(200);
    await h.clock.advance(1 * MIN);
    expect((await h.check(id)).status).toBe(404);
  });

  test("a finished request reads for 20 min after its last delivery, then 404", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    await h.submit({ id: job.id });
    await h.clock.advance(20 * MIN - 1000);
    expect((await h.status(id)).body.done).toBe(true);
    await h.clock.advance(1000);
    expect((await h.status(id)).status).toBe(404);
    expect(h.emu.admin.stats()).toMatchObject({ requests: { done: 1, expired: 0 }, orphaned: [] });
  });
});

describe("staleness, restarts and faulting (§2.3)", () => {
  test("a job past its ttl is aborted and its image re-queued; a late submit is AbortedGen", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    const job = (await h.pop()).body;
    expect(job.ttl).toBe(150);
    await h.clock.advance(150_000);
    expect((await h.check(id)).body).toMatchObject({ processing: 1, restarted: 0, waiting: 0 });
    await h.clock.advance(1);
    expect((await h.check(id)).body).toMatchObject({
      processing: 0,
      restarted: 1,
      waiting: 1,
      done: false,
      faulted: false,
      queue_position: 1,
    });
    const late = await h.submit({ id: job.id });
    expect([late.status, late.body.rc]).toEqual([400, "AbortedGen"]);
    // It can be popped again, by anyone, and then finish.
    const again = (await h.pop({ name: "other-worker" })).body;
    expect(again.id).not.toBe(job.id);
    await h.submit({ id: again.id });
    expect((await h.status(id)).body).toMatchObject({
      finished: 1,
      restarted: 1,
      done: true,
      faulted: false,
    });
  });

  test("the ttl grows with size and steps (§2.3)", async () => {
    const h = setup();
    await h.generate(
      { params: { width: 1024, height: 1024, steps: 40, sampler_name: "k_heun" } },
      h.requester.apikey,
    );
    const job = (await h.pop({ max_pixels: 1024 * 1024 })).body;
    // 30 + 80 accurate steps · 2 · 4 = 670
    expect(job.ttl).toBe(670);
  });

  test("the 3rd faulted job faults the request", async () => {
    const h = setup();
    const id = (await h.generate()).body.id;
    // Three jobs go stale in turn; each stale abort gives the slot back.
    for (const restarted of [1, 2]) {
      await h.pop();
      await h.clock.advance(151_000);
      expect((await h.check(id)).body).toMatchObject({ restarted, waiting: 1, faulted: false, done: false });
    }
    await h.pop();
    await h.clock.advance(151_000);
    const faulted = await h.check(id);
    expect(faulted.body).toMatchObject({ restarted: 3, faulted: true, done: true, queue_position: 0 });
    // It is never popped again.
    expect((await h.pop()).body.id).toBeNull();
    expect(h.emu.admin.stats().requests).toMatchObject({ faulted: 1 });
  });

  test("a reported fault re-queues only while fewer jobs have ended than were asked for", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 1 } })).body.id;
    // The 1st job goes stale (its slot comes back); the 2nd is reported faulted: one job has ended already.
    await h.pop();
    await h.clock.advance(151_000);
    const second = (await h.pop()).body;
    expect((await h.submit({ id: second.id, state: "faulted" })).body).toEqual({ reward: 0 });
    expect((await h.check(id)).body).toMatchObject({ restarted: 2, waiting: 0, faulted: false, done: true });
    // A fault reported again on the aborted job changes nothing.
    expect((await h.submit({ id: second.id, state: "faulted" })).body).toEqual({ reward: 0 });
    expect((await h.check(id)).body).toMatchObject({ restarted: 2, waiting: 0, done: true });
  });

  test("a worker-reported fault does not re-queue once enough images are finished", async () => {
    const h = setup();
    const id = (await h.generate({ params: { n: 1 } })).body.id;
    const job = (await h.pop()).body;
    await h.cancel(id); // jobs := finished (0), so finished < jobs is false
    await h.submit({ id: job.id, state: "faulted" });
    expect((await h.check(id)).body).toMatchObject({ restarted: 1, waiting: 0, done: true });
  });
});

describe("queue order (§9.4)", () => {
  test("higher balance first, then older first; waiting buys priority", async () => {
    const h = setup();
    const rich = h.emu.admin.createUser({ username: "rich", kudos: 1000 });
    const a = (await h.generate({ prompt: "a" })).body.id; // alice: 100 kudos
    await h.clock.advance(1000);
    const b = (await h.generate({ prompt: "b" }, rich.apikey)).body.id;
    await h.clock.advance(1000);
    const c = (await h.generate({ prompt: "c" })).body.id;
    const pos = async (id: string) => (await h.check(id)).body.queue_position;
    expect([await pos(b), await pos(a), await pos(c)]).toEqual([1, 2, 3]);
    const popped = (await h.pop()).body;
    expect(popped.payload.prompt).toBe("b");
    await h.submit({ id: popped.id });
    expect([await pos(a), await pos(c)]).toEqual([1, 2]);
    // +50 per 10 s queued: after 3 min alice's old request has 100 + 900 and still leads a new rich one.
    await h.clock.advance(3 * MIN);
    const d = (await h.generate({ prompt: "d" }, rich.apikey)).body.id;
    expect(await pos(a)).toBe(1);
    expect(await pos(d)).toBeGreaterThan(1);
  });
});
