// Row 8: the CLI's wall time as a subprocess (`node packages/cli/bin/horde.js …`), interleaved with a bare
// `node -e 0`: `horde --help`, and `horde generate --local` (one 512² image from an in-process emulator with
// its dev worker at the default demo speed, written to a temporary folder).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { repoDir } from "../lib/env.mjs";
import { fmtMs, fmtSummary, interleave } from "../lib/timing.mjs";

const HORDE = path.join(repoDir, "packages/cli/bin/horde.js");

/** Runs `node …args` to completion; rejects on a non-zero exit or after `timeoutMs`. */
function node(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoDir,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1", HORDE_CONFIG: path.join(os.tmpdir(), "horde-bench-none.json") },
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`node ${args.join(" ")} exited ${code ?? signal}: ${stderr.trim().slice(-300)}`));
    });
  });
}

/** `median (IQR p25–p75)`, in ms. */
const fmtIqr = (s) => `${fmtMs(s.median)} (IQR ${fmtMs(s.p25)}–${fmtMs(s.p75)})`;

/** A row of a subprocess timed against a bare `node -e 0`; met when it costs at most `maxOverMs` more. */
function overBareNode({ id, what, command, note = "", result, target, maxOverMs, detail }) {
  return {
    id,
    what,
    a: `${command}: ${fmtSummary(result.a)}${note}`,
    b: `\`node -e 0\`: ${fmtIqr(result.b)}`,
    ratio: result.ratio,
    extra: `+${fmtIqr(result.diff)} over bare node`,
    target,
    met: maxOverMs === undefined ? null : result.diff.median <= maxOverMs,
    detail,
  };
}

export async function run({ quick }) {
  const bare = () => node(["-e", "0"]);
  /** Times `a` interleaved with a bare node, one subprocess per sample. */
  const againstBare = (a, rounds = quick ? 5 : 9, more = {}) =>
    interleave({ a, b: bare, rounds, warmup: 1, batch: 1, ...more });
  const help = await againstBare(() => node([HORDE, "--help"]));

  // Cold `import("horde-sdk")` in a fresh process, against a fresh process that imports zod alone: the SDK's
  // own start-up cost is the difference (the target: about `node -e 0` + zod's own import).
  const sdkEntry = fileURLToPath(import.meta.resolve("horde-sdk"));
  const zodEntry = path.join(repoDir, "node_modules/zod/index.js");
  const importOf = (file) => [
    "--input-type=module",
    "-e",
    `await import(${JSON.stringify(pathToFileURL(file).href)})`,
  ];
  const coldImport = await againstBare(() => node(importOf(sdkEntry)));
  const zodImport = await againstBare(() => node(importOf(zodEntry)));

  const out = mkdtempSync(path.join(os.tmpdir(), "horde-bench-cli-"));
  let generate;
  try {
    let runs = 0;
    const generateOnce = async () => {
      await node([HORDE, "generate", "a lighthouse at dusk", "--local", "--out", out]);
      runs++;
    };
    generate = await againstBare(generateOnce, quick ? 2 : 3, { deadlineMs: 60_000 });
    const webps = readdirSync(out).filter((f) => f.endsWith(".webp")).length;
    if (webps !== runs) throw new Error(`expected ${runs} images from horde generate, found ${webps}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  return [
    overBareNode({
      id: "8a",
      what: "CLI: `horde --help` wall time (subprocess)",
      command: "`node packages/cli/bin/horde.js --help`",
      result: help,
      target: "≤ 0.2 s above bare node",
      maxOverMs: 200,
      detail: "one subprocess per sample",
    }),
    overBareNode({
      id: "8c",
      what: 'cold `import("horde-sdk")` in a fresh Node process (subprocess)',
      command: '`await import("horde-sdk")`',
      note: `; zod alone: +${fmtIqr(zodImport.diff)} over bare node`,
      result: coldImport,
      target: "≤ 200 ms above bare node",
      maxOverMs: 200,
      detail: "one subprocess per sample; the zod-only import is measured the same way, in the same run",
    }),
    overBareNode({
      id: "8b",
      what: "CLI: `horde generate --local` (one 512² image, dev worker at demo speed) wall time",
      command: '`horde generate "a lighthouse at dusk" --local --out <tmp>`',
      result: generate,
      target: "report",
      detail: "includes the dev worker's simulated 1.5 s of generation and the CLI's polling",
    }),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: true }));
}
