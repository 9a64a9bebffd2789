/**
 * Vitest global setup of the `oracle` project: starts the oracle once for every oracle suite and stops it
 * afterwards (`HORDE_ORACLE_KEEP=1` leaves it running for the next run). Under `CI=true` an oracle that
 * fails to set up or start fails the run; a machine without the kit's prerequisites skips the suites
 * with the reason, as does any failure outside CI.
 */
import type { TestProject } from "vitest/node";
import { missingPrerequisite, type OracleAvailability, startOracle, stopOracle } from "./kit.js";

declare module "vitest" {
  export interface ProvidedContext {
    oracle: OracleAvailability;
  }
}

export default async function setup(project: TestProject) {
  const ci = process.env.CI === "true" || process.env.CI === "1";
  const missing = await missingPrerequisite();
  if (missing) {
    console.warn(`oracle suites skipped: ${missing}`);
    project.provide("oracle", { available: false, reason: missing });
    return;
  }
  let availability: OracleAvailability;
  try {
    const started = Date.now();
    // HORDE_ORACLE_REUSE=1 keeps the database of the running oracle (faster local iterations).
    const info = await startOracle({ fresh: process.env.HORDE_ORACLE_REUSE !== "1" });
    console.log(`oracle: ${info.baseUrl} up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    availability = { available: true, info };
  } catch (error) {
    const reason = `the oracle failed to set up or start: ${(error as Error).message}`;
    if (ci) throw new Error(reason);
    console.warn(`oracle suites skipped: ${reason}`);
    availability = { available: false, reason };
  }
  project.provide("oracle", availability);
  return async () => {
    if (availability.available && process.env.HORDE_ORACLE_KEEP !== "1") await stopOracle();
  };
}
