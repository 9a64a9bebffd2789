import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, so no build is needed between an edit and a test run.
    alias: [
      { find: /^horde-sdk\/worker$/, replacement: src("./packages/sdk/src/worker/index.ts") },
      { find: /^horde-sdk\/node$/, replacement: src("./packages/sdk/src/node/index.ts") },
      { find: /^horde-sdk\/known$/, replacement: src("./packages/sdk/src/known/index.ts") },
      { find: /^horde-sdk$/, replacement: src("./packages/sdk/src/index.ts") },
      { find: /^horde-emulator$/, replacement: src("./packages/emulator/src/index.ts") },
      { find: /^horde-test-support\/sdk$/, replacement: src("./packages/test-support/src/sdk/index.ts") },
      {
        find: /^horde-test-support\/oracle$/,
        replacement: src("./packages/test-support/src/oracle/index.ts"),
      },
      {
        find: /^horde-test-support\/emulator$/,
        replacement: src("./packages/test-support/src/emulator/index.ts"),
      },
      { find: /^horde-test-support$/, replacement: src("./packages/test-support/src/index.ts") },
    ],
  },
  test: {
    reporters: ["default", ["json", { outputFile: ".vitest-results.json" }]],
    testTimeout: 20_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "offline",
          include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
          exclude: ["test/oracle/**", "test/consumer/**", "**/node_modules/**"],
        },
      },
      {
        // The packed tarballs installed into a project outside the workspace (npm, Bun, Deno, tsc): slow, so
        // apart from the offline project; `npx vitest run --project consumer` runs it alone.
        extends: true,
        test: {
          name: "consumer",
          include: ["test/consumer/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        // Suites against the real AI Horde server (../shared/oracle), started once by the global setup.
        extends: true,
        test: {
          name: "oracle",
          include: ["test/oracle/**/*.test.ts"],
          // The differential suites join `npm test` once the emulator agrees (issue 17); until then
          // `npm run fidelity` runs them.
          exclude: process.env.HORDE_FIDELITY === "1" ? [] : ["test/oracle/**/*.diff.test.ts"],
          globalSetup: ["./packages/test-support/src/oracle/global-setup.ts"],
          // One file at a time: the suites share one server, and a worker of one suite would pop another's jobs.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
