// An idle worker against the in-process emulator on the virtual clock: how often it pops (prompt but polite),
// and how it says why no job comes ("why no jobs": the pops' `skipped` counters in its stats, its log and
// the `idle` event).
import type { HordeWorkerEvents } from "horde-sdk/worker";
import { capturingLogger, next, setupWorkerHarness } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const bytesOf = (text: string) => new TextEncoder().encode(text);

/** A captured log: its lines at one level, as written. */
function captureLog() {
  const lines: string[] = [];
  const at = (level: string) =>
    lines.filter((l) => l.startsWith(`${level} `)).map((l) => l.slice(level.length + 1).trimEnd());
  return { logger: capturingLogger(lines), at };
}

describe("idle pops", () => {
  it("come 1 s, 1.5 s, then every 2 s apart; a new request waits at most 2 s for the pop that takes it", async () => {
    const { worker, calls, clock, requesterClient } = setupWorkerHarness();
    const w = worker({ kind: "image", generate: (job) => job.ids.map(() => bytesOf("x")) });
    w.start();
    for (let i = 0; i < 8; i++) await next(w, "skipped");
    const pops = () => calls.filter((c) => c.path === "/v2/generate/pop").map((c) => c.at);
    const times = pops();
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps.slice(0, 7)).toEqual([1000, 1500, 2000, 2000, 2000, 2000, 2000]);
    // Far below the horde's pop limit of 60/s per IP (docs/server/workers.md#pop).
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2000);

    const submittedAt = clock.now();
    const popped = next(w, "popped");
    await requesterClient.submitImage({ prompt: "a lighthouse", params: { width: 64, height: 64 } });
    await popped;
    const took = pops().find((t) => t >= submittedAt) as number;
    expect(took - submittedAt).toBeLessThanOrEqual(2000);
    await w.stop();
  });
});

describe("why no jobs", () => {
  it("after 60 s without a job the log, the idle event and the stats say which requests were skipped and why", async () => {
    const { worker, requesterClient, clock } = setupWorkerHarness();
    for (let i = 0; i < 2; i++) {
      await requesterClient.submitImage({
        prompt: "not mine",
        models: ["other_model"],
        params: { width: 64, height: 64 },
      });
    }
    await requesterClient.submitImage({ prompt: "too big", params: { width: 1024, height: 1024 } });
    const logs = captureLog();
    const w = worker({
      kind: "image",
      maxPixels: 512 * 512,
      logger: logs.logger,
      generate: (job) => job.ids.map(() => bytesOf("x")),
    });
    const idle: HordeWorkerEvents["idle"][] = [];
    w.on("idle", (e) => idle.push(e));
    const started = clock.now();
    w.start();
    const first = await next(w, "idle");
    expect(first.idleMs).toBeGreaterThanOrEqual(60_000);
    expect(first.idleMs).toBeLessThan(63_000);
    expect(first.skipped).toEqual({ models: 2, max_pixels: 1 });
    expect(first.summary).toBe(
      "2 requests need a model you do not serve, 1 needs more pixels than you allow",
    );
    expect(logs.at("warn")).toContainEqual(
      expect.stringMatching(
        /^worker test-worker: no jobs for 6\d s: 2 requests need a model you do not serve, 1 needs more pixels than you allow$/,
      ),
    );
    const stats = w.stats;
    expect(stats.idleSince).toBe(started);
    expect(stats.skipped).toEqual({ models: 2, max_pixels: 1 });
    // Every empty pop's counters added up: each pop saw the same three requests.
    expect(stats.skippedTotal).toEqual({ models: 2 * stats.emptyPops, max_pixels: stats.emptyPops });
    expect(first.pops).toBe(stats.emptyPops);

    // Reported again a minute later while it lasts, not on every pop.
    await next(w, "idle");
    expect(idle).toHaveLength(2);
    expect((idle[1]?.idleMs ?? 0) - first.idleMs).toBeGreaterThanOrEqual(60_000);

    // A job ends the idle stretch.
    const completed = next(w, "completed");
    await requesterClient.submitImage({ prompt: "mine", params: { width: 64, height: 64 } });
    await completed;
    expect(w.stats.idleSince).toBeNull();
    await w.stop();
  });

  it("says when nothing is waiting at all, at info level", async () => {
    const { worker } = setupWorkerHarness();
    const logs = captureLog();
    const w = worker({
      kind: "text",
      models: ["koboldcpp/nobody"],
      idleReportMs: 10_000,
      logger: logs.logger,
      generate: () => "x",
    });
    w.start();
    const idle = await next(w, "idle");
    expect(idle.summary).toBe("no text request is waiting that this worker could take");
    expect(logs.at("info")).toContainEqual(expect.stringMatching(/no jobs for 1\d s: no text request/));
    expect(logs.at("warn")).toEqual([]);
    await w.stop();
  });
});
