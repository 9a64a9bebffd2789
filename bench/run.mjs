#!/usr/bin/env node
// `npm run bench`: runs every benchmark pair (bench/rows/*.mjs) and rewrites BENCHMARKS.md with this run's
// table. Needs the built packages (`npm run build`; `npm ci` does it). Options:
//   --quick            fewer rounds and jobs (for trying things out); prints, does not write the file
//   --only a,b         only these groups: validation, requests, polling, throughput, emulator, cli, bundle, memory
//   --write / --no-write   force writing BENCHMARKS.md or not
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadSampler, machine, repoDir, requireBuilt } from "./lib/env.mjs";
import { renderMarkdown } from "./lib/report.mjs";

const GROUPS = {
  validation: "./rows/validation.mjs",
  requests: "./rows/requests.mjs",
  polling: "./rows/polling.mjs",
  throughput: "./rows/throughput.mjs",
  emulator: "./rows/emulator-rps.mjs",
  cli: "./rows/cli.mjs",
  bundle: "./rows/bundle.mjs",
  memory: "./rows/memory.mjs",
};

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((_a, i) => args[i - 1] === "--only");
const only = onlyArg ? onlyArg.split(",").map((s) => s.trim()) : Object.keys(GROUPS);
for (const name of only) if (!GROUPS[name]) throw new Error(`unknown group ${name}`);
const write = args.includes("--write") || (!args.includes("--no-write") && !quick && !onlyArg);

requireBuilt();
const startedAt = new Date();
const t0 = performance.now();
const load = loadSampler();
const rows = [];
for (const name of only) {
  const g0 = performance.now();
  process.stderr.write(`bench: ${name} …\n`);
  try {
    const { run } = await import(GROUPS[name]);
    for (const row of await run({ quick })) rows.push(row);
  } catch (error) {
    process.stderr.write(`bench: ${name} failed: ${error?.stack ?? error}\n`);
    rows.push({ id: name, what: name, error: String(error?.message ?? error).slice(0, 300), target: "—" });
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`);
}
const loadFigures = load.stop();
const seconds = (performance.now() - t0) / 1000;

const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(path.join(repoDir, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
};
const sdkVersion = JSON.parse(readFileSync(path.join(repoDir, "packages/sdk/package.json"), "utf8")).version;
const versions =
  `horde-sdk ${sdkVersion}, @zeldafan0225/ai_horde ${version("@zeldafan0225/ai_horde")}, zod ${version("zod")}, ` +
  `hono ${version("hono")}, @hono/node-server ${version("@hono/node-server")}, esbuild ${version("esbuild")}`;
let commit = "";
try {
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: repoDir,
    encoding: "utf8",
  }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
    cwd: repoDir,
    encoding: "utf8",
  }).trim();
  commit = `commit ${head}${dirty ? " with uncommitted changes in the working tree" : ""}`;
} catch {
  // not a git checkout: leave the line out
}

const markdown = renderMarkdown({
  rows,
  env: machine(),
  versions,
  load: loadFigures,
  startedAt,
  seconds,
  command: `node bench/run.mjs ${args.join(" ")}`.trim(),
  commit,
});

if (write) {
  const file = path.join(repoDir, "BENCHMARKS.md");
  writeFileSync(file, markdown);
  // Biome owns Markdown formatting in this repository (`biome ci .`): let it lay out the table.
  try {
    execFileSync(
      process.execPath,
      [path.join(repoDir, "node_modules/@biomejs/biome/bin/biome"), "format", "--write", file],
      {
        cwd: repoDir,
        stdio: "ignore",
      },
    );
  } catch {
    process.stderr.write("bench: could not run biome format on BENCHMARKS.md\n");
  }
  process.stderr.write(`bench: wrote ${file}\n`);
} else {
  process.stdout.write(`${markdown}\n`);
}
process.stderr.write(`bench: total ${seconds.toFixed(0)} s\n`);
const failed = rows.filter((r) => r.error).length;
process.exitCode = failed > 0 ? 1 : 0;
