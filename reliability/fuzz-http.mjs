#!/usr/bin/env node
// HTTP fuzzing of `horde serve` over real sockets: `npm run fuzz:http` (defaults: 5,000 requests, 10 slow
// clients of each kind, seed 20261206), or `node reliability/fuzz-http.mjs --requests 20000 --seed 7`.
// It spawns the built CLI (`packages/cli/bin/horde.js serve --port 0 --json --no-rate-limits`: the rate
// limiter would answer most of one address's requests 429), runs reliability/http-fuzz-core.ts against it
// with the server's own socket limits (SOCKET_LIMITS), writes reliability/last-fuzz-http.json, checks the
// process is still alive, and exits 1 on a 5xx (but 501), a hang, a slow client held past its limit, or a
// failed health check. Run `npm run build` first: the CLI runs from dist/.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundled.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    slow: { type: "string", default: "10" },
    seed: { type: "string", default: process.env.FUZZ_SEED ?? "20261206" },
    // Past a limit, how late a cut-off may come: Node's 1 s timeout checks, plus a shared machine's delays.
    "grace-ms": { type: "string", default: "5000" },
    out: { type: "string", default: path.join(here, "last-fuzz-http.json") },
  },
});

const { runHttpFuzz, httpFuzzProblems } = await importBundled("http-fuzz-core.ts");
const { SOCKET_LIMITS } = await import(path.join(root, "packages/emulator/dist/index.js"));

const server = spawn(
  process.execPath,
  [
    path.join(root, "packages/cli/bin/horde.js"),
    "serve",
    "--port",
    "0",
    "--json",
    "--no-rate-limits",
    "--no-ui",
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));
const first = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once("line", resolve);
  server.once("exit", () => reject(new Error("horde serve exited before listening")));
});
const { port, origin } = JSON.parse(first);
console.log(
  `fuzz:http: ${values.requests} requests and ${values.slow} slow clients of each kind against horde serve at ${origin} (pid ${server.pid}), seed ${values.seed}`,
);

let report;
try {
  report = await runHttpFuzz({
    host: "127.0.0.1",
    port,
    seed: Number(values.seed),
    requests: Number(values.requests),
    slowClients: Number(values.slow),
    graceMs: Number(values["grace-ms"]),
    limits: SOCKET_LIMITS,
    log: (line) => console.log(line),
  });
} finally {
  const alive = server.exitCode === null && server.signalCode === null;
  server.kill("SIGTERM");
  const { code, signal } = await exited;
  report = report && { ...report, serverSurvived: alive, serverExit: { code, signal } };
}
const problems = [...httpFuzzProblems(report), ...(report.serverSurvived ? [] : ["horde serve died"])];
const figures = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  limits: SOCKET_LIMITS,
  ...report,
  problems,
};
writeFileSync(values.out, `${JSON.stringify(figures, null, 2)}\n`);
console.log(
  JSON.stringify(
    { sent: report.sent, statuses: report.statuses, slow: report.slow, health: report.health },
    null,
    2,
  ),
);
if (problems.length > 0) {
  console.error(`fuzz:http FAILED (seed ${values.seed}):\n  ${problems.join("\n  ")}`);
  process.exitCode = 1;
} else {
  console.log(`fuzz:http passed (seed ${values.seed}); figures in ${path.relative(root, values.out)}`);
}
