/**
 * The oracle for a test file: `const oracle = useOracle()` at the top of a suite, then
 * `describe.skipIf(!oracle.available)` (the reason is printed by the global setup).
 */
import { inject } from "vitest";
import type { OracleAvailability, OracleInfo } from "./kit.js";

export * from "./backends.js";
export * from "./fault-proxy.js";
export * from "./http.js";
export type { OracleAvailability, OracleInfo } from "./kit.js";
export { loopbackTls, oracleSql } from "./kit.js";

export function useOracle(): OracleAvailability {
  return inject("oracle");
}

/** The running oracle; throws if it is not available (call inside a `skipIf` block). */
export function oracleInfo(): OracleInfo {
  const oracle = inject("oracle");
  if (!oracle.available) throw new Error(`the oracle is not available: ${oracle.reason}`);
  return oracle.info;
}
