#!/usr/bin/env node
// npm run pack: the three publishable tarballs, in dist-pack/ (gitignored). Each package's `prepack` builds it
// fresh first (scripts/build.mjs --fresh), so a tarball never ships a stale dist/. The private
// horde-test-support workspace is never packed.
//
//   node scripts/pack.mjs [--out <dir>]
import { execFileSync } from "node:child_process";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
/** The published workspaces, in dependency order (the order to publish them in). */
export const PUBLISHED = ["packages/sdk", "packages/emulator", "packages/cli"];

/**
 * Packs the published workspaces into `destination` (emptied of tarballs first).
 * @param {{ destination: string, ignoreScripts?: boolean }} options  `ignoreScripts` skips the fresh build of
 *   `prepack` and packs dist/ as it is (the consumer test: it must not delete dist/ under the suites that run
 *   beside it, and builds incrementally before packing)
 * @returns {Promise<{ name: string, version: string, tarball: string, files: string[] }[]>}
 */
export async function packTarballs({ destination, ignoreScripts = false }) {
  await mkdir(destination, { recursive: true });
  for (const f of await readdir(destination)) if (f.endsWith(".tgz")) await rm(join(destination, f));
  const args = ["pack", "--json", "--pack-destination", destination, ...PUBLISHED.flatMap((p) => ["-w", p])];
  if (ignoreScripts) args.push("--ignore-scripts");
  const npm = process.env.npm_execpath;
  const out = npm?.endsWith(".js")
    ? execFileSync(process.execPath, [npm, ...args], { cwd: repo, encoding: "utf8" })
    : execFileSync("npm", args, { cwd: repo, encoding: "utf8" });
  /** @type {{ name: string, version: string, filename: string, files: { path: string }[] }[]} */
  const packed = JSON.parse(out);
  return packed.map((p) => ({
    name: p.name,
    version: p.version,
    tarball: join(destination, p.filename),
    files: p.files.map((f) => f.path),
  }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const destination = resolve(at > 0 ? (process.argv[at + 1] ?? "") : join(repo, "dist-pack"));
  for (const p of await packTarballs({ destination })) console.log(`${p.tarball}  (${p.files.length} files)`);
}
