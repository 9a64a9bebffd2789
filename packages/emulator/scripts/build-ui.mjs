#!/usr/bin/env node
// Builds the emulator's web page (`createEmulator({ ui: true })`, `horde serve`): bundles the browser code
// of `src/ui/page/` with horde-sdk and zod into one minified ES module, `dist/ui/app.js`, and the styles
// into `dist/ui/app.css`. The emulator serves both (see `src/ui/index.ts`).
//
//   node packages/emulator/scripts/build-ui.mjs            # the published way: horde-sdk from its package (dist/)
//   node packages/emulator/scripts/build-ui.mjs --source   # horde-sdk from its TypeScript sources (no tsc needed)
//
// Runs in `npm run build` and `npm ci` (the root `prepare`), after `tsc -b`.
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * @param {{ outdir?: string, sdkFromSource?: boolean, minify?: boolean }} [options]
 * @returns {Promise<{ outdir: string, files: { path: string, bytes: number }[] }>}
 */
export async function buildUi(options = {}) {
  const outdir = options.outdir ?? `${root}dist/ui`;
  const result = await esbuild.build({
    entryPoints: [
      { in: `${root}src/ui/page/main.ts`, out: "app" },
      { in: `${root}src/ui/page/style.css`, out: "app" },
    ],
    outdir,
    bundle: true,
    minify: options.minify ?? true,
    sourcemap: "linked",
    format: "esm",
    platform: "browser",
    target: ["chrome120", "firefox121", "safari17"],
    legalComments: "none",
    // The SDK names the model class in its messages ("Invalid ImageGenerateAsyncRequest: params.width: …");
    // minifiers rename classes unless told not to.
    keepNames: true,
    logLevel: "warning",
    metafile: true,
    absWorkingDir: repo,
    // By default horde-sdk resolves like any app's import would: through its package.json `exports`.
    alias: options.sdkFromSource ? { "horde-sdk": `${repo}packages/sdk/src/index.ts` } : {},
  });
  const files = [];
  for (const path of Object.keys(result.metafile.outputs)) {
    if (path.endsWith(".map")) continue;
    files.push({ path, bytes: (await stat(resolve(repo, path))).size });
  }
  return { outdir, files };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  const { files } = await buildUi({ sdkFromSource: process.argv.includes("--source") });
  const list = files.map((f) => `${f.path} (${(f.bytes / 1024).toFixed(1)} KiB)`).join(", ");
  console.log(`emulator UI built in ${Date.now() - started} ms: ${list}`);
}
