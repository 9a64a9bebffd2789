#!/usr/bin/env node
// The long soak: `npm run soak` (defaults: 40 clients × 25 jobs, seed 20261127), or
// `node reliability/soak.mjs --clients 20 --jobs 10 --seed 7`; `--seeds 20` runs 20 seeds in a row (seed,
// seed + 1, …). It bundles reliability/soak-core.ts with the SDK and emulator sources (esbuild, no build step
// needed), runs it, prints the figures, writes them to reliability/last-soak.json (one seed) or
// reliability/last-soak-seeds.json (several) and exits 1 when an invariant broke (orphan, duplicate, lost
// result, unhandled rejection, leaked key). A seed determines every figure but the wall time and the memory.
// The short version of the same soak runs in `npm test` (packages/sdk/test/integration/soak.test.ts).
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
    seeds: { type: "string", default: "1" },
    out: { type: "string" },
  },
});

const { runSoak, summary } = await importBundled("soak-core.ts");
const seeds = Array.from({ length: Number(values.seeds) }, (_, k) => Number(values.seed) + k);
const machine = { node: process.version, cpus: os.cpus().length };
const shape = { clients: Number(values.clients), jobsPerClient: Number(values.jobs) };
console.log(
  `soak: ${shape.clients} clients × ${shape.jobsPerClient} jobs, seed${seeds.length > 1 ? "s" : ""} ${seeds.join(", ")}, node ${machine.node}, ${machine.cpus} cpus`,
);

/** The invariants of one run: each must be 0. */
const zeros = (f) => ({
  orphaned: f.orphaned,
  duplicateSubmits: f.duplicateSubmits,
  lostResults: f.lostResults,
  unhandledRejections: f.unhandledRejections,
  leakedKeys: f.leakedKeys,
});

const runs = [];
let failed = 0;
for (const seed of seeds) {
  const report = await runSoak({
    ...shape,
    seed,
    log: seeds.length > 1 ? undefined : (line) => console.log(line),
  });
  const figures = summary(report);
  runs.push(figures);
  if (report.problems.length > 0) {
    failed++;
    console.error(`seed ${seed} FAILED: ${report.problems.slice(0, 5).join("; ")}`);
  }
  if (seeds.length > 1) {
    console.log(
      `seed ${seed}: ${figures.jobs} jobs (${figures.outcomes.completed} completed), ${figures.faults.total} faults, ` +
        `${figures.lostSubmits.injected} lost answers, ${figures.wallSeconds} s — ${JSON.stringify(zeros(figures))}`,
    );
  }
}

const at = new Date().toISOString();
const out = values.out ?? path.join(here, seeds.length === 1 ? "last-soak.json" : "last-soak-seeds.json");
if (seeds.length === 1) {
  writeFileSync(out, `${JSON.stringify({ at, ...machine, ...runs[0] }, null, 2)}\n`);
  console.log(JSON.stringify(runs[0], null, 2));
} else {
  const perSeed = runs.map((f) => ({
    seed: f.seed,
    ...zeros(f),
    jobs: f.jobs,
    completed: f.outcomes.completed,
    faults: f.faults.total,
    lostAnswers: f.lostSubmits.injected,
    requestsSent: f.requestsSent,
    wallSeconds: f.wallSeconds,
  }));
  const sum = (key) => perSeed.reduce((total, r) => total + r[key], 0);
  const totals = Object.fromEntries(
    ["jobs", "completed", "faults", "lostAnswers", "requestsSent", ...Object.keys(zeros(runs[0]))].map(
      (k) => [k, sum(k)],
    ),
  );
  writeFileSync(
    out,
    `${JSON.stringify({ at, ...machine, ...shape, seeds: seeds.length, totals, perSeed }, null, 2)}\n`,
  );
  console.log(JSON.stringify(totals, null, 2));
}
if (failed > 0) {
  console.error(`soak FAILED on ${failed} of ${seeds.length} seed(s)`);
  process.exitCode = 1;
} else {
  console.log(`soak passed on ${seeds.length} seed(s); figures in ${path.relative(root, out)}`);
}
