/**
 * The endurance run, shortened: 12 minutes of traffic at 0.5 submits/s, then 3 quiet hours on a virtual clock. Every
 * table that follows the traffic (requests, jobs, forms, R2 objects, rate-limit windows) must be back to
 * its size at the start, on the server's retention schedule (docs/server/retention.md#requests-and-jobs).
 * Memory is not asserted here (vitest holds its own); `npm run endurance` measures it after a full GC.
 */
import { describe, expect, it } from "vitest";
import { enduranceProblems, runEndurance } from "../../reliability/endurance-core.js";

describe("bounded state", () => {
  it("the horde's tables go back to their start once traffic stops and retention has passed", async () => {
    const report = await runEndurance({
      hours: 0.2,
      perSecond: 0.5,
      quietHours: 3,
      clients: 10,
      sampleEveryMinutes: 12,
    });
    // While traffic ran, the tables held something: the check below is not vacuous.
    const busiest = Math.max(...report.samples.map((s) => s.tables.requests ?? 0));
    expect(busiest).toBeGreaterThan(100);
    expect(report.followed.completed).toBeGreaterThan(200);
    expect(enduranceProblems(report, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(report.end.tables.requests).toBe(0);
    expect(report.end.tables.r2Objects).toBe(0);
    expect(report.outcomes.total).toBe(report.submitted);
  }, 120_000);
});
