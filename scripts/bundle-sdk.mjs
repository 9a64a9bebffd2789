// The SDK for Node, bundled into dist/bundle/: one file per public entry (`horde-sdk`, `/worker`, `/node`,
// `/known`) plus shared chunks, instead of tsc's ~110 modules. Node's ESM loader pays for every module it
// resolves and links, which made much of a cold `import("horde-sdk")` (docs/performance.md, row 8c).
// package.json sends the `node` condition here; everything else (web bundlers) gets tsc's per-module dist/,
// which tree-shakes better than a pre-bundled file (a bundle's namespace objects keep every schema).
// Splitting keeps each class defined once across the entries, so `instanceof HordeError` holds between
// `horde-sdk` and `horde-sdk/worker`. Packages (zod) and Node built-ins stay imports. The chunks are listed
// under `sideEffects` in package.json because the entries import one of them bare (esbuild's runtime helpers).
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as esbuild from "esbuild";

/**
 * The public entries, read from package.json's exports (so a new subpath is bundled as soon as it is exported):
 * `./dist/bundle/worker/index.js` → the entry `worker/index`, built from `src/worker/index.ts`.
 */
async function entries(sdkDir) {
  const pkg = JSON.parse(await readFile(join(sdkDir, "package.json"), "utf8"));
  const out = {};
  for (const target of Object.values(pkg.exports)) {
    const file = typeof target === "object" ? target.node : undefined;
    const name = file?.match(/^\.\/dist\/bundle\/(.+)\.js$/)?.[1];
    if (name) out[name] = `src/${name}.ts`;
  }
  return out;
}

/** Writes `<sdkDir>/dist/bundle/` afresh: the entries and their chunks, with source maps to src/. */
export async function bundleSdk(sdkDir) {
  const outdir = join(sdkDir, "dist", "bundle");
  await rm(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: sdkDir,
    entryPoints: await entries(sdkDir),
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
