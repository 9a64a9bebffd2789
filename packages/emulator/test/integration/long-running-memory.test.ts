// What a `horde serve` left running must not keep after the traffic that made it (RELIABILITY.md,
// "Endurance"): nothing tied to a caller's signal once its call has been answered, and no cached answer
// past its timeout. Counts on a virtual clock, not heap sizes: each must come back to where it started.
import { getEventListeners } from "node:events";
import { createEmulator, type Emulator, silentLogger, VirtualClock } from "horde-emulator";
import { describe, expect, test } from "vitest";

const ORIGIN = "http://horde.local";

/** Submits a small image request; returns its id, or throws with the status. */
async function submit(emu: Emulator, apikey: string, prompt: string, signal?: AbortSignal): Promise<string> {
  const res = await emu.fetch(`${ORIGIN}/api/v2/generate/async`, {
    method: "POST",
    headers: { apikey, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt, params: { width: 64, height: 64 } }),
    ...(signal ? { signal } : {}),
  });
  if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
  return ((await res.json()) as { id: string }).id;
}

describe("long-running memory", () => {
  test("an in-process call leaves nothing on the caller's signal once answered", async () => {
    const emu = createEmulator({ clock: new VirtualClock(), logger: silentLogger, rateLimits: false });
    const { apikey } = emu.admin.createUser({ username: "signalled", kudos: 1e6, concurrency: 100 });
    // One long-lived signal for every call, as a worker's or an app's stop signal is.
    const stop = new AbortController();
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const id = await submit(emu, apikey, `signal ${i}`, stop.signal);
        const check = await emu.fetch(`${ORIGIN}/api/v2/generate/check/${id}`, { signal: stop.signal });
        statuses.push(check.status);
        await check.body?.cancel();
        // A Request as input, with init: the door builds its own Request from both.
        const status = await emu.fetch(new Request(`${ORIGIN}/api/v2/generate/status/${id}`), {
          signal: stop.signal,
        });
        statuses.push(status.status);
        await status.body?.cancel();
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      // Each Request built on the signal used to hold an abort listener on it (and a finalizer entry)
      // until a full GC: thousands of them from idle dev workers between two major GCs.
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
    } finally {
      await emu.close();
    }
  });

  test("cached answers are dropped once their timeout has passed, as Redis expires them", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, logger: silentLogger, rateLimits: false });
    const { apikey } = emu.admin.createUser({ username: "cached", kudos: 1e6, concurrency: 100 });
    const start = emu.responseCache.entries;
    try {
      for (let i = 0; i < 40; i++) {
        const id = await submit(emu, apikey, `cached ${i}`);
        // Each id's check is its own cache entry (the path is the key), kept for a second.
        const check = await emu.fetch(`${ORIGIN}/api/v2/generate/check/${id}`);
        expect(check.status).toBe(200);
        await check.body?.cancel();
      }
      expect(emu.responseCache.entries).toBe(start + 40);
      // A minute later the traffic is over; the next request (any) finds every answer expired.
      await clock.advance(61_000);
      const heartbeat = await emu.fetch(`${ORIGIN}/api/v2/status/heartbeat`);
      expect(heartbeat.status).toBe(200);
      expect(emu.responseCache.entries).toBe(start);
    } finally {
      await emu.close();
    }
  });
});
