// Row 8: the CLI's wall time as a subprocess (`node packages/cli/bin/horde.js …`), interleaved with a bare
// `node -e 0`: `horde --help`, and `horde generate --local` (one 512² image from an in-process emulator with
// its dev worker at the default demo speed, written to a temporary folder).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoDir } from "../lib/env.mjs";
import { fmtMs, interleave } from "../lib/timing.mjs";

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

const fmtDiff = (s) => `${fmtMs(s.median)} (IQR ${fmtMs(s.p25)}–${fmtMs(s.p75)})`;

export async function run({ quick }) {
  const bare = () => node(["-e", "0"]);
  const help = await interleave({
    a: () => node([HORDE, "--help"]),
    b: bare,
    rounds: quick ? 5 : 9,
    warmup: 1,
    batch: 1,
  });

  // Cold `import("horde-sdk")` in a fresh process, against a fresh process that imports zod alone: the SDK's
  // own start-up cost is the difference (the target: about `node -e 0` + zod's own import).
  const sdkEntry = path.join(repoDir, "packages/sdk/dist/index.js");
  const zodEntry = path.join(repoDir, "node_modules/zod/index.js");
  const importOf = (file) => ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(file).href)})`];
  const coldImport = await interleave({
    a: () => node(importOf(sdkEntry)),
    b: bare,
    rounds: quick ? 5 : 9,
    warmup: 1,
    batch: 1,
  });
  const zodImport = await interleave({
    a: () => node(importOf(zodEntry)),
    b: bare,
    rounds: quick ? 5 : 9,
    warmup: 1,
    batch: 1,
  });

  const out = mkdtempSync(path.join(os.tmpdir(), "horde-bench-cli-"));
  let generate;
  try {
    let runs = 0;
    generate = await interleave({
      a: async () => {
        await node([HORDE, "generate", "a lighthouse at dusk", "--local", "--out", out]);
        runs++;
      },
      b: bare,
      rounds: quick ? 2 : 3,
      warmup: 1,
      batch: 1,
      deadlineMs: 60_000,
    });
    const webps = readdirSync(out).filter((f) => f.endsWith(".webp")).length;
    if (webps !== runs) throw new Error(`expected ${runs} images from horde generate, found ${webps}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  return [
    {
      id: "8a",
      what: "CLI: `horde --help` wall time (subprocess)",
      a: `\`node packages/cli/bin/horde.js --help\`: ${fmtMs(help.a.median)} (IQR ${fmtMs(help.a.p25)}–${fmtMs(help.a.p75)}, n=${help.a.n})`,
      b: `\`node -e 0\`: ${fmtMs(help.b.median)} (IQR ${fmtMs(help.b.p25)}–${fmtMs(help.b.p75)})`,
      ratio: help.ratio,
      extra: `+${fmtDiff(help.diff)} over bare node`,
      target: "≤ 0.2 s above bare node",
      met: help.diff.median <= 200,
      detail: "one subprocess per sample",
    },
    {
      id: "8c",
      what: "cold `import(\"horde-sdk\")` in a fresh Node process (subprocess)",
      a: `\`await import("horde-sdk")\`: ${fmtMs(coldImport.a.median)} (IQR ${fmtMs(coldImport.a.p25)}–${fmtMs(coldImport.a.p75)}, n=${coldImport.a.n}); zod alone: +${fmtDiff(zodImport.diff)} over bare node`,
      b: `\`node -e 0\`: ${fmtMs(coldImport.b.median)} (IQR ${fmtMs(coldImport.b.p25)}–${fmtMs(coldImport.b.p75)})`,
      ratio: coldImport.ratio,
      extra: `+${fmtDiff(coldImport.diff)} over bare node`,
      target: "≤ 200 ms above bare node",
      met: coldImport.diff.median <= 200,
      detail: "one subprocess per sample; the zod-only import is measured the same way, in the same run",
    },
    {
      id: "8b",
      what: "CLI: `horde generate --local` (one 512² image, dev worker at demo speed) wall time",
      a: `\`horde generate "a lighthouse at dusk" --local --out <tmp>\`: ${fmtMs(generate.a.median)} (IQR ${fmtMs(generate.a.p25)}–${fmtMs(generate.a.p75)}, n=${generate.a.n})`,
      b: `\`node -e 0\`: ${fmtMs(generate.b.median)} (IQR ${fmtMs(generate.b.p25)}–${fmtMs(generate.b.p75)})`,
      ratio: generate.ratio,
      extra: `+${fmtDiff(generate.diff)} over bare node`,
      target: "report",
      met: null,
      detail: "includes the dev worker's simulated 1.5 s of generation and the CLI's polling",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: true }));
}
