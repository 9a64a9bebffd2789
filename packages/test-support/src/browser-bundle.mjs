// How the checks of the SDK's web bundle build a page: esbuild, one minified ES2022 module for the browser,
// kept in memory, with its metafile; the bundle-size test, the Chromium tests and `npm run bench` (row 9)
// all build this way. Plain JavaScript, so the benchmarks (plain Node, no TypeScript) share it with the tests.
import * as esbuild from "esbuild";

/**
 * Bundles `entry` as a web app would ship it. `options` adds to the common ones (an alias, externals, the
 * working directory, the log level, …).
 * @param {string} entry
 * @param {import("esbuild").BuildOptions} [options]
 * @returns {Promise<import("esbuild").BuildResult<{ write: false; metafile: true }>>}
 */
export function bundleForBrowser(entry, options = {}) {
  return esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
    ...options,
    write: false,
    metafile: true,
  });
}
