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
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    reporters: ["default", ["json", { outputFile: ".vitest-results.json" }]],
    testTimeout: 20_000,
    pool: "forks",
  },
});
