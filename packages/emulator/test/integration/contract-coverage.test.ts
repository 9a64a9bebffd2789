/**
 * Every operation of the contract (the SDK's generated `operations` table) is answered: none says 501
 * "not emulated" unless test/oracle/differential/not-emulated.json names it with its reason (FIDELITY.md
 * lists them), and every one named there does say 501.
 */
import { readFileSync } from "node:fs";
import { createEmulator, silentLogger } from "horde-emulator";
import { operations } from "horde-sdk";
import { describe, expect, test } from "vitest";

const NOT_EMULATED: { operations: string[]; reason: string }[] = JSON.parse(
  readFileSync(new URL("../../../../test/oracle/differential/not-emulated.json", import.meta.url), "utf8"),
).groups;
const notEmulated = new Set(NOT_EMULATED.flatMap((g) => g.operations));
const ADMIN_KEY = "coverageAdminKey000001";

describe("contract coverage", () => {
  test("the not-emulated list names real operations, each with a reason", () => {
    for (const g of NOT_EMULATED) expect(g.reason.length).toBeGreaterThan(40);
    for (const id of notEmulated) expect(Object.keys(operations)).toContain(id);
  });

  test("every operation answers on a fresh emulator; only the listed ones say 501", async () => {
    const emu = createEmulator({
      logger: silentLogger,
      rateLimits: false,
      users: [{ username: "admin", apikey: ADMIN_KEY, moderator: true, admin: true }],
    });
    const answers: Record<string, number> = {};
    for (const op of Object.values(operations)) {
      const path = op.path.replace(/\{\w+\}/g, "00000000-0000-0000-0000-000000000000");
      const hasBody = op.method !== "GET" && op.method !== "DELETE";
      const res = await emu.fetch(`http://horde.local/api${path}`, {
        method: op.method,
        headers: { apikey: ADMIN_KEY, "Content-Type": "application/json" },
        body: hasBody ? "{}" : undefined,
      });
      answers[op.operationId] = res.status;
    }
    await emu.close();
    const unexpected501 = Object.entries(answers).filter(([id, s]) => s === 501 && !notEmulated.has(id));
    expect(unexpected501).toEqual([]);
    const listedButAnswered = [...notEmulated].filter((id) => answers[id] !== 501);
    expect(listedButAnswered).toEqual([]);
    expect(Object.keys(answers)).toHaveLength(Object.keys(operations).length);
  });
});
