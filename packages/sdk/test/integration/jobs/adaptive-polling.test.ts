// How quickly, and how cheaply, a finished job is noticed: our adaptive polling beside fixed 4 s and 1 s
// pollers, all watching the same 20 s image job on one virtual clock.

import { createEmulator, DevWorker, VirtualClock } from "horde-emulator";
import { AIHordeAPIClient, type Clock, silentLogger } from "horde-sdk";
import { afterEach, describe, expect, it } from "vitest";

const BASE = "http://horde.test/api";
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

interface PollerResult {
  calls: number;
  noticedAt: number;
}

/** A fixed-interval poller of /check (what the Python SDK does at 4 s). */
async function fixedPoller(
  fetch: (url: string) => Promise<Response>,
  clock: Clock,
  id: string,
  everyMs: number,
): Promise<PollerResult> {
  let calls = 0;
  for (;;) {
    await clock.sleep(everyMs);
    calls++;
    const body = (await (await fetch(`${BASE}/v2/generate/check/${id}`)).json()) as { done: boolean };
    if (body.done) return { calls, noticedAt: clock.now() };
  }
}

describe("polling a 20 s image job (virtual time)", () => {
  it("uses fewer /check calls than a fixed 4 s poll and notices completion sooner than it", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({ clock });
    stops.push(() => emu.close());
    const owner = emu.admin.createUser({ username: "bench-owner", workerInvited: 1 });
    let completedAt = 0;
    const workerFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const response = await emu.fetch(input, init);
      if (String(input).endsWith("/v2/generate/submit") && response.status === 200) completedAt = clock.now();
      return response;
    };
    const worker = new DevWorker(
      { fetch: workerFetch, baseUrl: BASE, apikey: owner.apikey },
      { clock, generationMs: 20_000 },
    );
    worker.start();
    stops.push(() => worker.stop());

    let ourCalls = 0;
    const client = new AIHordeAPIClient({
      baseUrl: BASE,
      clock,
      logger: silentLogger,
      fetch: (input, init) => {
        if (String(input).includes("/check/")) ourCalls++;
        return emu.fetch(input, init);
      },
    });
    const request = { prompt: "a lighthouse", params: { width: 64, height: 64, steps: 10 } };
    // Warm-up: on the real horde every worker has a speed record, which is what `wait_time` is computed from.
    await client.generateImage(request);
    ourCalls = 0;
    const job = await client.submitImage(request);
    const submittedAt = clock.now();
    const raw = (url: string) => emu.fetch(url);
    const [ours, every4s, every1s] = await Promise.all([
      (async (): Promise<PollerResult> => {
        for await (const _ of job.progress()) {
          /* adaptive */
        }
        return { calls: ourCalls, noticedAt: clock.now() };
      })(),
      fixedPoller(raw, clock, job.id, 4000),
      fixedPoller(raw, clock, job.id, 1000),
    ]);
    await job.wait();
    const report = [
      ["adaptive (ours)", ours],
      ["fixed 4 s", every4s],
      ["fixed 1 s", every1s],
    ].map(([name, r]) => {
      const result = r as PollerResult;
      return `${String(name).padEnd(16)} /check calls: ${String(result.calls).padStart(3)}   noticed after completion: ${((result.noticedAt - completedAt) / 1000).toFixed(1)} s`;
    });
    console.log(
      `image job completed ${((completedAt - submittedAt) / 1000).toFixed(1)} s after submit\n${report.join("\n")}`,
    );
    expect(completedAt).toBeGreaterThan(0);
    expect(ours.calls).toBeLessThan(every4s.calls);
    expect(ours.noticedAt - completedAt).toBeLessThan(every4s.noticedAt - completedAt);
    expect(ours.noticedAt - completedAt).toBeLessThanOrEqual(every1s.noticedAt - completedAt + 1000);
  });
});
