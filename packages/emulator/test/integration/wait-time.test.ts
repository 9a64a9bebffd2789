// wait_time on a fresh emulator: no performance history yet, so the assumed dev-worker pace is used
// (DEVIATION §2.2 in horde/queue.ts) instead of dividing by 1.
import { createEmulator, VirtualClock } from "horde-emulator";
import { describe, expect, it } from "vitest";

describe("wait_time before any worker has delivered", () => {
  it("estimates a 512² × 30-step job at the dev workers' pace, not minutes away", async () => {
    const clock = new VirtualClock();
    const emu = createEmulator({ clock, devWorkers: [{ type: "image" }] });
    try {
      // Let the dev worker check in (its first, empty pop) so the horde counts one active thread.
      for (let i = 0; i < 50 && emu.admin.stats().workers.active === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(emu.admin.stats().workers.active).toBeGreaterThan(0);
      const post = await emu.fetch("http://h/api/v2/generate/async", {
        method: "POST",
        headers: { apikey: "0000000000", "content-type": "application/json" },
        body: JSON.stringify({ prompt: "p", params: { width: 512, height: 512, steps: 30 } }),
      });
      const { id } = (await post.json()) as { id: string };
      const check = (await (await emu.fetch(`http://h/api/v2/generate/check/${id}`)).json()) as {
        wait_time: number;
      };
      // 512×512×30 pixel-steps at the assumed 5.2 M pixel-steps/s is 1.5 s; dividing by 1 gave 8 s.
      expect(check.wait_time).toBeLessThanOrEqual(2);
    } finally {
      await emu.close();
    }
  });
});
