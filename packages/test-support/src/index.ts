/**
 * Test support shared by every workspace's suites. Import the oracle harness from
 * `horde-test-support/oracle` and the emulator fixtures from `horde-test-support/emulator`.
 */
export * from "./node-script.js";
export * from "./random.js";
