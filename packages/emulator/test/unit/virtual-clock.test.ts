import { VirtualClock } from "horde-emulator";
import { describe, expect, test } from "vitest";

describe("VirtualClock", () => {
  test("manual mode: sleepers wake only on advance, in time order", async () => {
    const clock = new VirtualClock({ startMs: 1_000_000 });
    const woke: string[] = [];
    const a = clock.sleep(300).then(() => woke.push(`a@${clock.now()}`));
    const b = clock.sleep(100).then(() => woke.push(`b@${clock.now()}`));
    const c = clock.sleep(100).then(() => woke.push(`c@${clock.now()}`));
    expect(clock.pending).toBe(3);
    await clock.advance(99);
    expect(woke).toEqual([]);
    await clock.advance(201);
    await Promise.all([a, b, c]);
    expect(woke).toEqual(["b@1000100", "c@1000100", "a@1000300"]);
    expect(clock.now()).toBe(1_000_300);
  });

  test("advance runs sleepers registered by woken code within the window", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(100);
        await new Promise((r) => setImmediate(r)); // some real async work between sleeps
        ticks.push(clock.now());
      }
    })();
    await clock.advance(1000);
    await loop;
    expect(ticks).toEqual([100, 200, 300, 400, 500]);
    expect(clock.now()).toBe(1000);
  });

  test("sleep(0) resolves at once; an aborted sleep rejects with the reason and is forgotten", async () => {
    const clock = new VirtualClock();
    await clock.sleep(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
    expect(clock.pending).toBe(0);
    await expect(clock.sleep(10, ac.signal)).rejects.toThrow("stop");
  });

  test("auto-advance: hours of sleeping pass in milliseconds", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: true });
    const started = Date.now();
    for (let i = 0; i < 120; i++) await clock.sleep(60_000);
    expect(clock.now()).toBe(2 * 3600_000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("auto-advance interleaves two sleepers like real time would", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: true });
    const log: string[] = [];
    const fast = (async () => {
      for (let i = 0; i < 4; i++) {
        await clock.sleep(1000);
        log.push(`fast@${clock.now()}`);
      }
    })();
    const slow = (async () => {
      await clock.sleep(2500);
      log.push(`slow@${clock.now()}`);
    })();
    await Promise.all([fast, slow]);
    expect(log).toEqual(["fast@1000", "fast@2000", "slow@2500", "fast@3000", "fast@4000"]);
  });

  test("time stands still while a hold is open", async () => {
    const clock = new VirtualClock({ startMs: 0, autoAdvance: true });
    const sleeper = clock.sleep(5000);
    let during = -1;
    await clock.hold(async () => {
      await new Promise((r) => setTimeout(r, 20));
      during = clock.now();
    });
    expect(during).toBe(0);
    await sleeper;
    expect(clock.now()).toBe(5000);
  });
});
