// CommonJS twins of the published types: every `dist/**/*.d.ts` gets a `.d.cts` beside it whose relative
// imports name `.cjs` (so they resolve to the other twins). The `types` → `require` condition of the packages' `exports`
// points TypeScript at them: a CommonJS consumer with `module: node16` may then import the packages (at run
// time `require()` loads the same ESM files, Node ≥ 20.19). The `.d.ts` stay the one source: twins are
// generated after every build and never edited.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const RELATIVE_JS_SPECIFIER = /((?:\bfrom|\bimport\()\s*)(["'])(\.{1,2}\/[^"']*)\.js\2/g;

/**
 * The `.d.cts` text of a `.d.ts`: the same declarations, relative `.js` specifiers turned into `.cjs`.
 * @param {string} dts
 * @returns {string}
 */
export function toCjsTypes(dts) {
  return dts.replace(RELATIVE_JS_SPECIFIER, "$1$2$3.cjs$2");
}

/**
 * Writes a `.d.cts` twin beside every `.d.ts` under `distDir`; a twin that is already right is left untouched
 * (the consumer test runs this while other suites read dist/).
 * @param {string} distDir
 * @returns {Promise<number>} how many twins were (re)written
 */
export async function writeCjsTypes(distDir) {
  const entries = await readdir(distDir, { recursive: true, withFileTypes: true });
  const declarations = entries.filter((e) => e.isFile() && e.name.endsWith(".d.ts"));
  const written = await Promise.all(
    declarations.map(async (e) => {
      const file = join(e.parentPath, e.name);
      const twin = file.replace(/\.d\.ts$/, ".d.cts");
      const text = toCjsTypes(await readFile(file, "utf8"));
      if ((await readFile(twin, "utf8").catch(() => null)) === text) return false;
      await writeFile(twin, text);
      return true;
    }),
  );
  return written.filter(Boolean).length;
}
