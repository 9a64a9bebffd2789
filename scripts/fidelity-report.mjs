// Writes FIDELITY.md from the last differential run (test-results/fidelity/*.json, written by the oracle
// project's *.diff.test.ts suites): per route and per scenario, agree / deviate (with the reason) / differ,
// and the totals. Exits 1 when a difference is unexplained or fewer than 97 % of the steps agree.
//   npm run fidelity        (runs the suites against the oracle, then this)
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIR = "test-results/fidelity";
const TARGET = 0.97;

if (!existsSync(DIR)) {
  console.error(
    `fidelity-report: no results in ${DIR}; run the differential suites first (npm run fidelity)`,
  );
  process.exit(1);
}
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const steps = files.flatMap((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")));
if (steps.length === 0) {
  console.error("fidelity-report: the results are empty (was the oracle available?)");
  process.exit(1);
}

const count = (list, verdict) => list.filter((s) => s.verdict === verdict).length;
const pct = (n, d) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)} %`);
const cell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");

function group(key) {
  const map = new Map();
  for (const s of steps) {
    const k = key(s);
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(s);
  }
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function reasons(list) {
  const ids = new Map();
  for (const s of list) for (const e of s.explained) ids.set(e.id, e.reason);
  return [...ids.keys()].map((id) => `\`${id}\``).join(", ");
}

const total = steps.length;
const agree = count(steps, "agree");
const deviate = count(steps, "deviate");
const differ = count(steps, "differ");

const lines = [];
lines.push("# Fidelity: the emulator against the real AI Horde server");
lines.push("");
lines.push(
  "Written by `npm run fidelity` from one run of the differential suites (`test/oracle/*.diff.test.ts`): each",
  "scenario is one scripted HTTP conversation, played against a fresh in-process emulator and against the oracle",
  "(the AI Horde server's own code, run by `../shared/oracle`), then compared step by step — status, `rc`, error",
  "shape, key sets and value types of the JSON bodies (recursively), rate-limit headers, and the values each step",
  "names. Ids, times and history-dependent amounts are compared by shape. A difference the emulator makes on",
  "purpose is named in `test/oracle/differential/deviations.ts` with its reason; anything else fails the suite.",
);
lines.push("");
lines.push(`Generated ${new Date().toISOString().slice(0, 19).replace("T", " ")} UTC.`);
lines.push("");
lines.push("## Totals");
lines.push("");
lines.push("| compared steps | agree | deviate (named) | differ (unexplained) | agree rate |");
lines.push("| --- | --- | --- | --- | --- |");
lines.push(`| ${total} | ${agree} | ${deviate} | ${differ} | ${pct(agree, total)} |`);
lines.push("");

lines.push("## Deliberate deviations");
lines.push("");
const used = new Map();
// Steps per deviation (one step may show several differences it explains).
for (const s of steps)
  for (const id of new Set(s.explained.map((e) => e.id))) {
    const reason = s.explained.find((e) => e.id === id).reason;
    used.set(id, { reason, n: (used.get(id)?.n ?? 0) + 1 });
  }
if (used.size === 0) lines.push("None met in this run.");
else {
  lines.push("| id | steps | reason |");
  lines.push("| --- | --- | --- |");
  for (const [id, { reason, n }] of [...used.entries()].sort())
    lines.push(`| \`${id}\` | ${n} | ${cell(reason)} |`);
}
lines.push("");

lines.push("## Not emulated");
lines.push("");
lines.push(
  "Operations of the contract the emulator answers with 501 on purpose (`test/oracle/differential/not-emulated.json`;",
  "an offline test checks that no other operation does):",
);
lines.push("");
lines.push("| operations | reason |");
lines.push("| --- | --- |");
const notEmulated = JSON.parse(readFileSync("test/oracle/differential/not-emulated.json", "utf8")).groups;
for (const g of notEmulated)
  lines.push(`| ${g.operations.map((o) => `\`${o}\``).join(", ")} | ${cell(g.reason)} |`);
lines.push("");

lines.push("## Per route");
lines.push("");
lines.push("| route | steps | agree | deviate | differ | deviations |");
lines.push("| --- | --- | --- | --- | --- | --- |");
for (const [route, list] of group((s) => s.route)) {
  lines.push(
    `| \`${cell(route)}\` | ${list.length} | ${count(list, "agree")} | ${count(list, "deviate")} | ${count(list, "differ")} | ${reasons(list)} |`,
  );
}
lines.push("");

lines.push("## Per scenario");
lines.push("");
for (const [area, list] of group((s) => s.area)) {
  lines.push(`### ${area}`);
  lines.push("");
  lines.push("| scenario | steps | agree | deviate | differ |");
  lines.push("| --- | --- | --- | --- | --- |");
  for (const [name, sl] of group((s) => (s.area === area ? s.scenario : ""))) {
    if (name === "") continue;
    lines.push(
      `| ${cell(name)} | ${sl.length} | ${count(sl, "agree")} | ${count(sl, "deviate")} | ${count(sl, "differ")} |`,
    );
  }
  lines.push("");
  void list;
}

const unexplained = steps.filter((s) => s.verdict === "differ");
if (unexplained.length > 0) {
  lines.push("## Unexplained differences");
  lines.push("");
  for (const s of unexplained) {
    lines.push(
      `- ${cell(s.scenario)} #${s.index} ${cell(s.label)} \`${cell(s.route)}\`: ${cell(s.unexplained.join("; "))}`,
    );
  }
  lines.push("");
}

writeFileSync("FIDELITY.md", `${lines.join("\n")}\n`);
// CI's `biome ci` checks Markdown formatting too (column-aligned tables), so the report is written formatted.
execFileSync("npx", ["biome", "format", "--write", "FIDELITY.md"], { stdio: "ignore" });
console.log(
  `FIDELITY.md: ${total} steps, ${agree} agree, ${deviate} deviate, ${differ} differ (${pct(agree, total)} agree)`,
);
if (differ > 0 || agree / total < TARGET) process.exit(1);
