/**
 * Plays scenarios on both sides, compares them step by step, explains differences with the deviation
 * table, and writes each file's results for FIDELITY.md (`npm run fidelity`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isolatedIp, oracleInfo, useOracle } from "horde-test-support/oracle";
import { afterAll, describe, expect, it } from "vitest";
import { explain } from "./deviations.js";
import {
  type Conversation as C,
  Conversation,
  compareSteps,
  newTag,
  type Scenario,
  type StepComparison,
} from "./framework.js";
import { emulatorTarget, oracleTarget } from "./targets.js";

export const RESULTS_DIR = join(process.cwd(), "test-results", "fidelity");

async function play(scenario: Scenario, target: C["target"], tag: string, ip: string) {
  const conversation = new Conversation(target, tag, ip);
  let error: string | null = null;
  try {
    await target.quiesce();
    await scenario.run(conversation);
  } catch (e) {
    error = (e as Error).stack ?? String(e);
  } finally {
    await conversation.cleanup();
    await target.close();
  }
  return { steps: conversation.steps, error };
}

export async function compareScenario(scenario: Scenario): Promise<StepComparison[]> {
  const tag = newTag();
  const ip = isolatedIp();
  const emulator = await play(scenario, emulatorTarget(), tag, ip);
  const oracle = await play(scenario, oracleTarget(oracleInfo()), tag, ip);
  const out: StepComparison[] = [];
  const count = Math.max(emulator.steps.length, oracle.steps.length);
  for (let i = 0; i < count; i++) {
    const e = emulator.steps[i];
    const o = oracle.steps[i];
    const base = { scenario: scenario.name, area: scenario.area, index: i };
    if (!e || !o) {
      const only = (e ?? o) as NonNullable<typeof e>;
      const diff = `step only on the ${e ? "emulator" : "oracle"} side`;
      out.push({
        ...base,
        label: only.label,
        route: only.route,
        status: { emulator: e?.status ?? 0, oracle: o?.status ?? 0 },
        diffs: [diff],
        explained: [],
        unexplained: [diff],
        verdict: "differ",
      });
      continue;
    }
    const diffs = compareSteps(e, o);
    const explained: StepComparison["explained"] = [];
    const unexplained: string[] = [];
    for (const diff of diffs) {
      const deviation = explain(scenario.name, e.label, e.route, diff);
      if (deviation) explained.push({ diff, reason: deviation.reason, id: deviation.id });
      else unexplained.push(diff);
    }
    out.push({
      ...base,
      label: e.label,
      route: e.route,
      status: { emulator: e.status, oracle: o.status },
      diffs,
      bodies: diffs.length
        ? { emulator: e.answer.text.slice(0, 400), oracle: o.answer.text.slice(0, 400) }
        : undefined,
      explained,
      unexplained,
      verdict: diffs.length === 0 ? "agree" : unexplained.length === 0 ? "deviate" : "differ",
    });
  }
  for (const [side, run] of [
    ["emulator", emulator],
    ["oracle", oracle],
  ] as const) {
    if (run.error) {
      const diff = `the scenario failed on the ${side}: ${run.error.split("\n")[0]}`;
      out.push({
        scenario: scenario.name,
        area: scenario.area,
        index: count,
        label: "(scenario error)",
        route: "-",
        status: { emulator: 0, oracle: 0 },
        diffs: [diff],
        explained: [],
        unexplained: [diff],
        verdict: "differ",
      });
    }
  }
  return out;
}

/** One vitest suite per file of scenarios; its results land in test-results/fidelity/<file>.json. */
export function differentialSuite(file: string, scenarios: Scenario[]): void {
  const oracle = useOracle();
  describe.skipIf(!oracle.available)(`emulator vs oracle: ${file}`, () => {
    const results: StepComparison[] = [];
    afterAll(() => {
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(join(RESULTS_DIR, `${file}.json`), `${JSON.stringify(results, null, 1)}\n`);
    });
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        const comparisons = await compareScenario(scenario);
        results.push(...comparisons);
        const problems = comparisons
          .filter((c) => c.unexplained.length > 0)
          .map((c) => `#${c.index} ${c.label} (${c.route}): ${c.unexplained.join("; ")}`);
        expect(problems).toEqual([]);
        expect(comparisons.length).toBeGreaterThan(0);
      });
    }
  });
}
