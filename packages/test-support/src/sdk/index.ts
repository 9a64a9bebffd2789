// Test support for the SDK's suites (`horde-test-support/sdk`): scripted fetches, clocks, wire documents,
// log capture, test pictures, and emulator-backed clients and workers.
export * from "./clocks.js";
export * from "./documents.js";
export * from "./emulator.js";
export * from "./fake-backends.js";
export * from "./http.js";
export * from "./images.js";
export * from "./logs.js";
export {
  type Forward,
  type Hook,
  next,
  setupWorkerHarness,
  trackWorker,
  untilAborted,
  type WithoutClient,
} from "./worker-harness.js";
