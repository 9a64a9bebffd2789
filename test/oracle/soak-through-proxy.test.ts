/**
 * The oracle soak, shortened: the SDK's image and text jobs and two HordeWorkers, all through the fault
 * proxy, against the real AI Horde server — nothing orphaned, duplicated, lost or leaked on the server's
 * own account of it (`npm run soak:oracle` is the long run; RELIABILITY.md has its figures).
 */
import { oracleInfo, useOracle } from "horde-test-support/oracle";
import { describe, expect, it } from "vitest";
import { oracleSoakSummary, runOracleSoak } from "../../reliability/soak-oracle-core.js";

const oracle = useOracle();

describe.skipIf(!oracle.available)(
  `the SDK through the fault proxy against the oracle${oracle.available ? "" : ` (skipped: ${oracle.reason})`}`,
  () => {
    it("4 clients × 3 jobs and 2 workers under resets, lost answers, cut bodies and gateway pages", async () => {
      const report = await runOracleSoak({
        oracle: oracleInfo(),
        clients: 4,
        jobsPerClient: 3,
        seed: 20261206,
      });
      const figures = oracleSoakSummary(report);
      expect(report.problems, JSON.stringify(figures, null, 2)).toEqual([]);
      expect(figures).toMatchObject({
        orphaned: 0,
        duplicateSubmits: 0,
        lostResults: 0,
        leakedKeys: 0,
        unhandledRejections: 0,
        storeLeft: 0,
        lostSubmits: { unidentified: 0 },
        server: { waiting: 0, processing: 0 },
      });
      // Not vacuous: faults were injected, jobs reached the server and the workers, and results came back.
      expect(figures.proxy.total).toBeGreaterThan(5);
      expect(figures.submitted).toBeGreaterThan(4);
      expect(figures.server.requests).toBeGreaterThanOrEqual(figures.submitted);
      expect(figures.outcomes.completed).toBeGreaterThan(2);
      expect(figures.workers.image.completed + figures.workers.text.completed).toBeGreaterThan(2);
    }, 150_000);
  },
);
