#!/usr/bin/env node
// The oracle soak: `npm run soak:oracle` (defaults: 8 clients × 8 jobs), or
// `node reliability/soak-oracle.mjs --clients 4 --jobs 3 --seed 7`. It starts the real AI Horde server from
// the shared kit (../shared/oracle, on this checkout's own ports and state dir; `--reuse` keeps its
// database, `--keep` leaves it running), runs reliability/soak-oracle-core.ts through the fault proxy
// against it, prints the figures, writes them to reliability/last-soak-oracle.json and exits 1 when an
// invariant broke. The short version runs in the oracle suites (test/oracle/soak-through-proxy.test.ts).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundled.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    clients: { type: "string", default: process.env.SOAK_CLIENTS ?? "8" },
    jobs: { type: "string", default: process.env.SOAK_JOBS ?? "8" },
    seed: { type: "string", default: process.env.SOAK_SEED ?? "20261206" },
    reuse: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    out: { type: "string", default: path.join(here, "last-soak-oracle.json") },
  },
});

const kit = await importBundled("../packages/test-support/src/oracle/kit.ts");
const missing = await kit.missingPrerequisite();
if (missing) {
  console.error(`soak:oracle cannot run here: ${missing}`);
  process.exit(2);
}
const { runOracleSoak, oracleSoakSummary } = await importBundled("soak-oracle-core.ts");
const options = {
  clients: Number(values.clients),
  jobsPerClient: Number(values.jobs),
  seed: Number(values.seed),
};
const startedAt = Date.now();
const oracle = await kit.startOracle({ fresh: !values.reuse });
console.log(
  `soak:oracle: ${options.clients} clients × ${options.jobsPerClient} jobs, seed ${options.seed}, oracle ${oracle.baseUrl} ` +
    `(up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s), node ${process.version}, ${os.cpus().length} cpus`,
);
let report;
try {
  report = await runOracleSoak({ ...options, oracle, log: (line) => console.log(line) });
} finally {
  if (!values.keep) await kit.stopOracle();
}
const figures = oracleSoakSummary(report);
writeFileSync(
  values.out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...figures }, null, 2)}\n`,
);
console.log(JSON.stringify(figures, null, 2));
if (report.problems.length > 0) {
  console.error(`soak:oracle FAILED (seed ${options.seed}): ${report.problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log(`soak:oracle passed (seed ${options.seed}); figures in ${path.relative(root, values.out)}`);
}
