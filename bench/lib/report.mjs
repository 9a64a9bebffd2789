// Writes BENCHMARKS.md from one run's rows: the machine, Node, date, load, the table of ratios, a met / not
// met line per target, and how to reproduce. Nothing in the file is typed by hand.

const cell = (text) =>
  String(text ?? "")
    .replaceAll("|", "\\|")
    .replaceAll("\n", " ");

function ratioCell(row) {
  if (row.error) return "—";
  if (row.ratioText) return row.ratioText;
  const r = row.ratio;
  const text = `**${r.median.toFixed(2)}** (IQR ${r.p25.toFixed(2)}–${r.p75.toFixed(2)})`;
  return row.extra ? `${text}; ${row.extra}` : text;
}

function verdict(row) {
  if (row.error) return "❌ failed to run";
  if (row.met === null) return "reported";
  return row.met ? "✅ met" : "❌ not met";
}

export function renderMarkdown({ rows, env, versions, load, startedAt, seconds, command, commit }) {
  const lines = [];
  lines.push("# Benchmarks");
  lines.push("");
  lines.push(
    "Written by `npm run bench` (`bench/run.mjs`) — do not edit by hand. Each pair runs interleaved on the same " +
      "machine in the same run (A B, then B A, …), warm-ups discarded; the ratio is A / B taken per round, its " +
      "median shown with the interquartile range. Absolute times drift on a shared machine, ratios much less.",
  );
  lines.push("");
  lines.push("## This run");
  lines.push("");
  lines.push(`- Date: ${startedAt.toISOString()} (whole run ${seconds.toFixed(0)} s)`);
  lines.push(
    `- Machine: ${env.cpu}, ${env.cores} cores available, ${env.memGiB.toFixed(1)} GiB RAM, ${env.platform}`,
  );
  lines.push(`- Node ${env.node}; ${versions}`);
  if (commit) lines.push(`- Source: ${commit}`);
  lines.push(
    `- Load on the machine (\`os.loadavg()\`, 1/5/15 min): ${load.start.map((x) => x.toFixed(2)).join(" / ")} at the start, ` +
      `${load.end.map((x) => x.toFixed(2)).join(" / ")} at the end; the 1-min figure ranged ${load.min1.toFixed(2)}–${load.max1.toFixed(2)} ` +
      `over ${load.samples} samples. Other sessions share these ${env.cores} cores: a load above ${env.cores} means the ` +
      "benchmark competed for CPU, which inflates absolute times (ratios hold better).",
  );
  lines.push(`- Command: \`${command}\``);
  lines.push("");
  lines.push("## Results");
  lines.push("");
  lines.push("| # | what | A (ours) | B (reference) | A / B | target | verdict |");
  lines.push("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    lines.push(
      `| ${cell(row.id)} | ${cell(row.what)} | ${cell(row.error ? `failed: ${row.error}` : row.a)} | ${cell(row.b)} | ${cell(ratioCell(row))} | ${cell(row.target)} | ${verdict(row)} |`,
    );
  }
  lines.push("");
  lines.push("## Targets");
  lines.push("");
  for (const row of rows) {
    const what = row.error ? `failed to run (${row.error})` : `${ratioCell(row)}`;
    lines.push(`- **${row.id}** ${row.what}: target ${row.target} → **${verdict(row)}** — ${what}.`);
  }
  if (rows.some((row) => row.met === false || row.error)) {
    lines.push("");
    lines.push(
      "Where the time (or the bytes) of each missed row goes, from profiles, and what would lower it: " +
        "[docs/performance.md](docs/performance.md).",
    );
  }
  lines.push("");
  lines.push("## How each row is measured");
  lines.push("");
  for (const row of rows) if (row.detail) lines.push(`- **${row.id}**: ${row.detail}.`);
  lines.push("");
  lines.push("## Reproduce");
  lines.push("");
  lines.push("```sh");
  lines.push("npm ci            # builds the packages (npm run build) as its prepare step");
  lines.push("npm run build     # again after any source change: the benchmarks import dist/");
  lines.push("npm run bench     # a few minutes on 2 cores; rewrites BENCHMARKS.md");
  lines.push("node bench/run.mjs --quick --only validation,requests   # fewer rounds, prints only");
  lines.push("```");
  lines.push("");
  lines.push(
    "The list capture of row 2 is read from `../shared/conformance/horde-sdk-examples/example_production_responses/" +
      "_v2_workers_get_200.json` at run time. Every server is the emulator or a bare hono app on 127.0.0.1 (or " +
      "in process); nothing leaves the machine. The references are the real packages: `JSON.parse`, `fetch`, " +
      "`@zeldafan0225/ai_horde` from node_modules, `hono`, `node -e 0`.",
  );
  lines.push("");
  return lines.join("\n");
}
