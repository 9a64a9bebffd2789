// Imports a TypeScript module of reliability/ with the SDK and emulator sources bundled in (esbuild, no
// build step needed): the runners (`npm run soak`, `soak:oracle`, `endurance`) use the sources as they are.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..");

const SOURCES = {
  "horde-sdk": "packages/sdk/src/index.ts",
  "horde-sdk/worker": "packages/sdk/src/worker/index.ts",
  "horde-emulator": "packages/emulator/src/index.ts",
  "horde-test-support/oracle": "packages/test-support/src/oracle/index.ts",
  "horde-test-support": "packages/test-support/src/index.ts",
};

/** Bundles `entry` (a path under reliability/) and imports it. */
export async function importBundled(entry) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "horde-reliability-"));
  const name = path.basename(entry).replace(/\.ts$/, "");
  try {
    const bundle = path.join(dir, `${name}.mjs`);
    await build({
      entryPoints: [path.join(here, entry)],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      plugins: [
        {
          name: "workspace-sources",
          setup(b) {
            b.onResolve({ filter: /^horde-(sdk|emulator|test-support)(\/\w+)?$/ }, (args) =>
              SOURCES[args.path] ? { path: path.join(root, SOURCES[args.path]) } : undefined,
            );
          },
        },
      ],
      // Bare imports of the bundled sources (zod, hono, sharp) resolve from the repository's node_modules.
      nodePaths: [path.join(root, "node_modules")],
      logLevel: "warning",
    });
    // Externals are resolved relative to the bundle: put it where node_modules can be found.
    const local = path.join(root, "node_modules", `.horde-${name}-${process.pid}.mjs`);
    writeFileSync(local, readFileSync(bundle, "utf8"));
    try {
      return await import(pathToFileURL(local).href);
    } finally {
      rmSync(local, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
