/** The progress counters and verdicts of §2, and what the lifecycle does to them (§1.4, §2.3), on the domain. */
import { describe, expect, test } from "vitest";
import { cancelImage } from "../../../src/horde/image/cancel.js";
import { deliverImage } from "../../../src/horde/image/deliver.js";
import { popImage } from "../../../src/horde/image/pop.js";
import { submitImage } from "../../../src/horde/image/submit.js";
import { sweep } from "../../../src/horde/lifecycle.js";
import { counters, isDone, isPossible } from "../../../src/horde/progress.js";
import type { ImageRequest } from "../../../src/horde/store/requests.js";
import { horde, REGEN } from "./fixture.js";

async function started(n: number) {
  const h = horde();
  const out = await submitImage(h.store, { prompt: "a lighthouse", params: { n } }, h.caller(h.alice));
  const req = h.store.findRequest("image", (out.body as { id: string }).id) as ImageRequest;
  /** Pops one job; fails the test when none is handed out. */
  const pop = () => {
    const body = { name: "w", models: ["stable_diffusion"], bridge_agent: REGEN };
    const job = popImage(h.store, body, h.caller(h.bob));
    if (job.id === null) throw new Error(`no job: ${JSON.stringify(job.skipped)}`);
    return job;
  };
  const deliver = (id: string) => deliverImage(h.store, { id, generation: "R2", seed: 1 }, h.caller(h.bob));
  const progress = () => {
    const c = counters(h.store, req);
    return { ...c, done: isDone(req, c) };
  };
  return { h, req, pop, deliver, progress };
}

describe("counters and done", () => {
  test("waiting → processing → finished; done only when every job is delivered", async () => {
    const { pop, deliver, progress } = await started(2);
    expect(progress()).toEqual({ finished: 0, processing: 0, restarted: 0, waiting: 2, done: false });
    const first = pop();
    expect(progress()).toEqual({ finished: 0, processing: 1, restarted: 0, waiting: 1, done: false });
    deliver(first.ids[0] as string);
    expect(progress()).toEqual({ finished: 1, processing: 0, restarted: 0, waiting: 1, done: false });
    deliver(pop().ids[0] as string);
    expect(progress()).toEqual({ finished: 2, processing: 0, restarted: 0, waiting: 0, done: true });
  });

  test("a cancel drops the job count to what is finished, so the request is done at once (§1.4)", async () => {
    const { h, req, pop, deliver, progress } = await started(3);
    deliver(pop().ids[0] as string);
    cancelImage(h.store, req.id, "http://horde.local");
    expect(progress()).toEqual({ finished: 1, processing: 0, restarted: 0, waiting: 0, done: true });
  });

  test("a stale job is aborted and re-queued; the third fault faults the request, which is then done (§2.3)", async () => {
    const { h, req, pop, progress } = await started(1);
    const ttlMs = (pop().ttl as number) * 1000;
    await h.clock.advance(ttlMs + 1);
    sweep(h.store);
    expect(progress()).toEqual({ finished: 0, processing: 0, restarted: 1, waiting: 1, done: false });
    for (let i = 0; i < 2; i++) {
      pop();
      await h.clock.advance(ttlMs + 1);
      sweep(h.store);
    }
    expect(req.faulted).toBe(true);
    expect(progress()).toMatchObject({ restarted: 3, processing: 0, done: true });
  });
});

describe("is_possible (§2.1)", () => {
  test("false with no worker that could serve it; true once one checks in and the verdict is a minute old, and while a job is in flight", async () => {
    const { h, req, pop } = await started(1);
    const possible = () => isPossible(h.store, req, counters(h.store, req));
    expect(possible()).toBe(false);
    h.worker("image", { models: ["SDXL 1.0"] });
    h.worker("image", { models: ["stable_diffusion"] });
    // The server remembers the verdict for a minute.
    expect(possible()).toBe(false);
    await h.clock.advance(60_000);
    h.worker("image", { models: ["stable_diffusion"] });
    expect(possible()).toBe(true);
    pop();
    // Every worker gone quiet (300 s without a check-in): the job in flight still makes it possible.
    await h.clock.advance(301_000);
    expect(h.store.workers.active(h.clock.now())).toEqual([]);
    expect(possible()).toBe(true);
  });
});
