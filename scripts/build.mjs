#!/usr/bin/env node
// The one build of the workspace: `tsc -b` (every package), the SDK's JavaScript bundled per entry (see
// bundle-sdk.mjs), the emulator's web page, and the CommonJS twins of the published types (see cjs-types.mjs).
//
//   node scripts/build.mjs           # npm run build; npm ci (the root `prepare`)
//   node scripts/build.mjs --fresh   # each package's `prepack`: first delete the dist/ of the package in the
//                                    # working directory, so `npm pack`/`npm publish` never ship stale files
//   node scripts/build.mjs --clean   # npm run clean: delete every package's dist/ and build info, build nothing
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSdk } from "./bundle-sdk.mjs";
import { writeCjsTypes } from "./cjs-types.mjs";

const repo = fileURLToPath(new URL("..", import.meta.url));
/** The published packages, in dependency order. */
const PACKAGES = ["sdk", "emulator", "cli"].map((name) => join(repo, "packages", name));

async function clean(packageDir) {
  await rm(join(packageDir, "dist"), { recursive: true, force: true });
  await rm(join(packageDir, "tsconfig.tsbuildinfo"), { force: true });
}

// Build logs go to stderr, so that `npm pack --json` (which runs this in `prepack`) keeps a clean stdout.
const toStderr = { cwd: repo, stdio: /** @type {const} */ (["inherit", 2, 2]) };

async function build() {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b"], toStderr);
  await bundleSdk(join(repo, "packages", "sdk"));
  execFileSync(process.execPath, ["packages/emulator/scripts/build-ui.mjs"], toStderr);
  for (const dir of PACKAGES) await writeCjsTypes(join(dir, "dist"));
}

const flag = process.argv[2];
if (flag === "--clean") {
  for (const dir of PACKAGES) await clean(dir);
} else {
  if (flag === "--fresh") await clean(process.cwd());
  else if (flag !== undefined) throw new Error(`unknown option ${flag} (use --fresh or --clean)`);
  await build();
}
