#!/usr/bin/env node
// Scale of one client: `npm run scale` runs 10, 100 and 1,000 concurrent image jobs from one
// AIHordeAPIClient against the in-process emulator in virtual time (reliability/scale-core.ts), each in a
// fresh child process so one size's garbage does not weigh on the next, and writes the per-job CPU and heap
// figures and their growth to reliability/last-scale.json. `--sizes 10,100` picks other sizes.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundled.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,100,1000" },
    one: { type: "string" },
    out: { type: "string", default: path.join(here, "last-scale.json") },
  },
});

if (values.one) {
  // The child: one size, its figures on stdout.
  const { runScale } = await importBundled("scale-core.ts");
  await runScale(10); // warm-up: module loading and JIT are not the jobs' cost
  process.stdout.write(JSON.stringify(await runScale(Number(values.one))));
} else {
  const runs = [];
  for (const size of values.sizes.split(",").map(Number)) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", fileURLToPath(import.meta.url), "--one", String(size)],
      {
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const run = JSON.parse(out);
    runs.push(run);
    console.log(
      `${size} jobs: ${run.completed} completed, ${run.cpuMsPerJob} ms CPU/job, ${run.heapKiBPerJob} KiB heap/job, ` +
        `${run.requestsPerJob} requests/job (${run.pollsPerJob} polls, one every ${run.meanPollGapS} s), ` +
        `${run.refused429} 429s, ${run.virtualMinutes} virtual min, ${run.wallSeconds} s`,
    );
  }
  // Growth from the smallest size to each larger one: per-job figures divided (1 = linear in N).
  const base = runs[0];
  const growth = runs.slice(1).map((r) => ({
    from: base.jobs,
    to: r.jobs,
    cpuPerJob: Math.round((r.cpuMsPerJob / base.cpuMsPerJob) * 100) / 100,
    heapPerJob: Math.round((r.heapKiBPerJob / Math.max(1, base.heapKiBPerJob)) * 100) / 100,
    requestsPerJob: Math.round((r.requestsPerJob / base.requestsPerJob) * 100) / 100,
  }));
  writeFileSync(
    values.out,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, runs, growth }, null, 2)}\n`,
  );
  console.log(JSON.stringify(growth, null, 2));
  console.log(`figures in ${path.relative(root, values.out)}`);
}
