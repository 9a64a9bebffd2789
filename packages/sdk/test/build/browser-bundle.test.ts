// The SDK in a web app: a page that calls generateImage (test/fixtures/browser-page.ts), bundled for the browser
// with esbuild, minified and gzipped, must stay under a budget; and the SDK's browser path must hold no Node
// built-in (no `node:` import, no `require(`, no `process`/`Buffer` global). The browser tests under
// test/browser/ run the same code in Chromium.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleForBrowser } from "horde-test-support/browser-bundle";
import { describe, expect, it } from "vitest";

/**
 * Measured 2026-12-06: 52,919 bytes (51.7 KiB) gzipped, 186 KB minified, after schemas became lazy (built on
 * first use and marked pure, so unused ones are dropped; it was 55,007 bytes). Of the 186 KB minified, zod is
 * ~93 KB, the generated schemas and classes ~25 KB, the rate-limit table ~8 KB (docs/performance.md, row 9).
 * Budget: 55 KiB, ~6% headroom; the target for the bench row is 30 KiB, out of reach with zod classic.
 */
const BUDGET_GZIP_BYTES = 55 * 1024;

const sdkDir = fileURLToPath(new URL("../../", import.meta.url));
const repoDir = fileURLToPath(new URL("../../../../", import.meta.url));

async function bundle(entry: string) {
  return bundleForBrowser(entry, {
    metafile: true,
    absWorkingDir: repoDir,
    // The sources, as every test here uses them (the package's `exports` resolve to the same code, compiled).
    alias: { "horde-sdk": `${sdkDir}src/index.ts` },
  });
}

/** What would tie a bundle to Node: a Node built-in import, a CommonJS require, a Node global. */
function nodeTies(code: string, imports: readonly { path: string }[]): string[] {
  const ties: string[] = imports.map((i) => `import of ${i.path}`);
  for (const [pattern, what] of [
    [/["'`]node:[a-z_/]+["'`]/, "a node: specifier"],
    [/(?<![.\w$])require\(/, "require("],
    [/(?<![.\w$])process\.\w/, "the process global"],
    [/(?<![.\w$])Buffer\./, "the Buffer global"],
    [/(?<![.\w$])__dirname\b/, "__dirname"],
  ] as const) {
    if (pattern.test(code)) ties.push(what);
  }
  return ties;
}

describe("horde-sdk in a web app", () => {
  it(`a page calling generateImage bundles to ≤ ${BUDGET_GZIP_BYTES / 1024} KiB gzipped, with no Node built-ins`, async () => {
    const result = await bundle(`${sdkDir}test/fixtures/browser-page.ts`);
    expect(result.errors).toEqual([]);
    const [output] = result.outputFiles;
    const code = output?.text ?? "";
    const gzipped = gzipSync(output?.contents ?? new Uint8Array(), { level: 9 }).length;
    console.info(
      `bundle-size: browser page with generateImage = ${gzipped} bytes gzipped ` +
        `(${(gzipped / 1024).toFixed(1)} KiB; budget ${BUDGET_GZIP_BYTES / 1024} KiB), ${code.length} bytes minified`,
    );
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    const meta = Object.values(result.metafile.outputs)[0];
    expect(nodeTies(code, meta?.imports ?? [])).toEqual([]);
    // The generateImage path is really in there (not tree-shaken into an empty page).
    expect(code).toContain("/v2/generate/async");
  });

  it("the whole SDK entry (every export) bundles for the browser with no Node built-ins", async () => {
    const result = await bundle(`${sdkDir}src/index.ts`);
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith("node:") || !/\.(ts|js|mjs|cjs|json)$/.test(p))).toEqual([]);
    const meta = Object.values(result.metafile.outputs)[0];
    expect(nodeTies(result.outputFiles[0]?.text ?? "", meta?.imports ?? [])).toEqual([]);
  });

  it("package.json lets bundlers tree-shake and resolve the package", () => {
    const pkg = JSON.parse(readFileSync(`${sdkDir}package.json`, "utf8")) as {
      sideEffects?: unknown;
      exports?: Record<string, Record<string, string> | string>;
    };
    // Only Node's pre-bundled chunks have side effects (an entry imports one bare); tsc's modules have none.
    expect(pkg.sideEffects).toEqual(["./dist/bundle/chunks/*.js"]);
    const root = pkg.exports?.["."] as Record<string, string>;
    // `types` first, `default` last: conditions are matched in order. Web bundlers take `default`, tsc's
    // per-module build; Node takes `node`, the same code bundled (fewer modules to load).
    expect(Object.keys(root)).toEqual(["types", "node", "default"]);
    expect(root.default).toBe("./dist/index.js");
    expect(root.node).toBe("./dist/bundle/index.js");
  });
});
