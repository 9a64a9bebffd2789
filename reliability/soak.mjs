#!/usr/bin/env node
// The long soak: `npm run soak` (defaults: 40 clients × 25 jobs), or
// `node reliability/soak.mjs --clients 20 --jobs 10 --seed 7`. It bundles reliability/soak-core.ts with
// the SDK and emulator sources (esbuild, no build step needed), runs it, prints the figures, writes them to
// reliability/last-soak.json and exits 1 when an invariant broke (orphan, duplicate, lost result, unhandled
// rejection, leaked key). The short version of the same soak runs in `npm test` (packages/sdk/test/soak.test.ts).
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundled.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    clients: { type: "string", default: process.env.SOAK_CLIENTS ?? "40" },
    jobs: { type: "string", default: process.env.SOAK_JOBS ?? "25" },
    seed: { type: "string", default: process.env.SOAK_SEED ?? "20261127" },
    out: { type: "string", default: path.join(here, "last-soak.json") },
  },
});

const { runSoak, summary } = await importBundled("soak-core.ts");
const options = {
  clients: Number(values.clients),
  jobsPerClient: Number(values.jobs),
  seed: Number(values.seed),
};
console.log(
  `soak: ${options.clients} clients × ${options.jobsPerClient} jobs, seed ${options.seed}, node ${process.version}, ${os.cpus().length} cpus`,
);
const report = await runSoak({ ...options, log: (line) => console.log(line) });
const figures = summary(report);
writeFileSync(
  values.out,
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...figures }, null, 2)}\n`,
);
console.log(JSON.stringify(figures, null, 2));
if (report.problems.length > 0) {
  console.error(`soak FAILED (seed ${options.seed}): ${report.problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log(`soak passed (seed ${options.seed}); figures in ${path.relative(root, values.out)}`);
}
