// Row 9: what a web page that generates an image weighs, bundled for the browser with esbuild (minified, ESM,
// es2022) and gzipped (level 9): packages/sdk/test/fixtures/browser-page.ts (the SDK's own bundle-size
// fixture, read in place; `horde-sdk` resolves to the built package, as an app would get it) beside the same
// page written with @zeldafan0225/ai_horde (bench/fixtures/incumbent-page.js).
import { gzipSync } from "node:zlib";
import { bundleForBrowser } from "horde-test-support/browser-bundle";
import { repoDir } from "../lib/env.mjs";

async function bundle(entry) {
  // Built as the SDK's bundle-size test builds the page.
  const result = await bundleForBrowser(entry, {
    absWorkingDir: repoDir,
    // The wrapper's constructor does `await import("fs")` / `import("path")` (to read its own version, inside a
    // try/catch), which a browser bundler cannot resolve: left external for both pages, as an app would have to.
    external: ["fs", "path"],
  });
  const out = result.outputFiles[0];
  return {
    minified: out.contents.length,
    gzipped: gzipSync(out.contents, { level: 9 }).length,
    code: out.text,
  };
}

/** The budget of our page, gzipped. */
const MAX_GZIPPED = 30 * 1024;

export async function run() {
  const ours = await bundle(`${repoDir}packages/sdk/test/fixtures/browser-page.ts`);
  const theirs = await bundle(`${repoDir}bench/fixtures/incumbent-page.js`);
  if (!ours.code.includes("/v2/generate/async") || !theirs.code.includes("/generate/async")) {
    throw new Error("a page was tree-shaken empty");
  }
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    {
      id: "9",
      what: "browser bundle: a page calling generateImage (esbuild, minified, gzip -9)",
      a: `horde-sdk page: **${kib(ours.gzipped)}** gzipped (${ours.gzipped} B; ${kib(ours.minified)} minified)`,
      b: `\`@zeldafan0225/ai_horde\` page: **${kib(theirs.gzipped)}** gzipped (${theirs.gzipped} B; ${kib(theirs.minified)} minified)`,
      ratioText: `${(ours.gzipped / theirs.gzipped).toFixed(2)} × (gzipped)`,
      // The budget for a page that generates an image (tree-shaken generated code, lazy schemas).
      target: "≤ 30 KiB gzipped (ours; the incumbent's reported beside it)",
      met: ours.gzipped <= MAX_GZIPPED,
      detail:
        "same esbuild options for both; `fs` and `path` left external (the wrapper imports them dynamically and does not " +
        "bundle for the browser otherwise). Ours carries runtime validation (zod schemas) and the job lifecycle " +
        "(throttling, polling, cancel, download); the wrapper is typed fetch calls",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
