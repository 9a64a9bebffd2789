// Prints the differences of the last differential run: node test/oracle/differential/show.mjs [file]
import { readdirSync, readFileSync } from "node:fs";

const dir = "test-results/fidelity";
for (const f of readdirSync(dir).filter(
  (f) => f.endsWith(".json") && (!process.argv[2] || f.startsWith(process.argv[2])),
)) {
  for (const c of JSON.parse(readFileSync(`${dir}/${f}`, "utf8"))) {
    if (c.verdict === "agree") continue;
    console.log(
      `[${c.verdict}] ${c.scenario} #${c.index} ${c.label} ${c.route} (${c.status.emulator} vs ${c.status.oracle})`,
    );
    for (const d of c.unexplained) console.log(`    ${d}`);
    if (process.env.BODIES && c.bodies) console.log(`    E: ${c.bodies.emulator}\n    O: ${c.bodies.oracle}`);
  }
}
