// How quickly, and how cheaply, a finished job is noticed: our adaptive polling beside fixed 4 s and 1 s
// pollers, all watching the same 20 s image job on one virtual clock (the race bench row 5 runs too).

import * as emulator from "horde-emulator";
import * as sdk from "horde-sdk";
import { racePollers } from "horde-test-support/polling-race";
import { describe, expect, it } from "vitest";

describe("polling a 20 s image job (virtual time)", () => {
  it("uses fewer /check calls than a fixed 4 s poll and notices completion sooner than it", async () => {
    const { ours, every4s, every1s, submittedAt, completedAt } = await racePollers({ sdk, emulator });
    const report = [
      ["adaptive (ours)", ours],
      ["fixed 4 s", every4s],
      ["fixed 1 s", every1s],
    ] as const;
    console.log(
      `image job completed ${((completedAt - submittedAt) / 1000).toFixed(1)} s after submit\n${report
        .map(
          ([name, r]) =>
            `${name.padEnd(16)} /check calls: ${String(r.calls).padStart(3)}   noticed after completion: ${((r.noticedAt - completedAt) / 1000).toFixed(1)} s`,
        )
        .join("\n")}`,
    );
    expect(completedAt).toBeGreaterThan(0);
    expect(ours.calls).toBeLessThan(every4s.calls);
    expect(ours.noticedAt - completedAt).toBeLessThan(every4s.noticedAt - completedAt);
    expect(ours.noticedAt - completedAt).toBeLessThanOrEqual(every1s.noticedAt - completedAt + 1000);
  });
});
