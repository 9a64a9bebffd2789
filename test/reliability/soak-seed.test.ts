/**
 * The soak is reproducible on a seed: one short seed run twice gives the same figures (every count, the
 * per-job records and the virtual time; only wall time and memory may differ). Another seed gives other
 * figures, so the comparison is not between two runs that ignore their seed.
 */
import { describe, expect, it } from "vitest";
import { runSoak, seededFigures } from "../../reliability/soak-core.js";

const SHAPE = { clients: 5, jobsPerClient: 4 };

async function figures(seed: number) {
  const report = await runSoak({ ...SHAPE, seed });
  // The per-job records name ids the server drew at random: compare what happened to each job instead.
  const jobs = report.records.map(
    (r) => `${r.client}.${r.job} ${r.kind} ${r.outcome} ${r.received}/${r.expected}`,
  );
  return { ...seededFigures(report), jobs };
}

describe("the soak on a seed", () => {
  it("gives the same figures twice, and other figures on another seed", async () => {
    const first = await figures(20261127);
    const again = await figures(20261127);
    expect(again).toEqual(first);
    expect(first.problems).toEqual([]);
    // The run was under fire, or equality would prove little.
    expect(first.faults.total).toBeGreaterThan(10);
    expect(first.requestsSent).toBeGreaterThan(100);
    const other = await figures(20261128);
    expect(other.jobs).not.toEqual(first.jobs);
  }, 60_000);
});
