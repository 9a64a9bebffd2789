// The SDK for Node, bundled into dist/bundle/: one file per public entry (`horde-sdk`, `/worker`, `/node`,
// `/known`) plus shared chunks, instead of tsc's ~110 modules. Node's ESM loader pays for every module it
// resolves and links, which made much of a cold `import("horde-sdk")` (docs/performance.md, row 8c).
// package.json sends the `node` condition here; everything else (web bundlers) gets tsc's per-module dist/,
// which tree-shakes better than a pre-bundled file (a bundle's namespace objects keep every schema).
// Splitting keeps each class defined once across the entries, so `instanceof HordeError` holds between
// `horde-sdk` and `horde-sdk/worker`. Packages (zod) and Node built-ins stay imports. The chunks are listed
// under `sideEffects` in package.json because the entries import one of them bare (esbuild's runtime helpers).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";

/** The public entries, as `package.json` exports them (dist path without `.js` → source). */
const ENTRIES = {
  index: "src/index.ts",
  "worker/index": "src/worker/index.ts",
  "node/index": "src/node/index.ts",
  "known/index": "src/known/index.ts",
};

/** Writes `<sdkDir>/dist/bundle/` afresh: the entries and their chunks, with source maps to src/. */
export async function bundleSdk(sdkDir) {
  const outdir = join(sdkDir, "dist", "bundle");
  await rm(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: sdkDir,
    entryPoints: ENTRIES,
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}
