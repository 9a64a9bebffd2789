import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, so no build is needed between an edit and a test run.
    alias: [
      { find: /^horde-sdk\/worker$/, replacement: src("./packages/sdk/src/worker/index.ts") },
      { find: /^horde-sdk$/, replacement: src("./packages/sdk/src/index.ts") },
      { find: /^horde-emulator$/, replacement: src("./packages/emulator/src/index.ts") },
      { find: /^horde-test-support\/sdk$/, replacement: src("./packages/test-support/src/sdk/index.ts") },
      {
        find: /^horde-test-support\/oracle$/,
        replacement: src("./packages/test-support/src/oracle/index.ts"),
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
          exclude: ["test/oracle/**", "**/node_modules/**"],
        },
      },
      {
        // Suites against the real AI Horde server (../shared/oracle), started once by the global setup.
        extends: true,
        test: {
          name: "oracle",
          include: ["test/oracle/**/*.test.ts"],
          globalSetup: ["./packages/test-support/src/oracle/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
