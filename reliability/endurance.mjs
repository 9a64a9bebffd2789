#!/usr/bin/env node
// The endurance run: `npm run endurance` (24 h of traffic at 2 submits/s on a virtual clock, then 3 quiet
// hours), or `node --expose-gc reliability/endurance.mjs --hours 2 --per-second 1`. Prints a sample of the
// horde's tables and the process's memory every simulated hour, writes the figures to
// reliability/last-endurance.json and exits 1 when state or memory did not come back near the start.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundled.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    hours: { type: "string", default: "24" },
    "per-second": { type: "string", default: "2" },
    "quiet-hours": { type: "string", default: "3" },
    seed: { type: "string", default: "20261127" },
    out: { type: "string", default: path.join(here, "last-endurance.json") },
  },
});
if (!globalThis.gc) console.warn("endurance: run with node --expose-gc for memory figures after a full GC");

const { runEndurance, enduranceProblems } = await importBundled("endurance-core.ts");
const options = {
  hours: Number(values.hours),
  perSecond: Number(values["per-second"]),
  quietHours: Number(values["quiet-hours"]),
  seed: Number(values.seed),
};
console.log(
  `endurance: ${options.hours} h at ${options.perSecond} submits/s, then ${options.quietHours} quiet h, seed ${options.seed}, node ${process.version}, ${os.cpus().length} cpus`,
);
const report = await runEndurance({ ...options, log: (line) => console.log(line) });
writeFileSync(
  values.out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...report }, null, 2)}\n`,
);
const { samples: _samples, ...figures } = report;
console.log(JSON.stringify(figures, null, 2));
const problems = enduranceProblems(report);
if (problems.length > 0) {
  console.error(`endurance FAILED: ${problems.join("; ")}`);
  process.exitCode = 1;
} else {
  console.log(`endurance passed; figures in ${path.relative(root, values.out)}`);
}
