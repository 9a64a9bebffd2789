// The checks behind check-citations.mjs: source files (no `§` left, every docs/ citation resolves) and the
// citation map (every target resolves).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  CITATION,
  citationResolver,
  lineAt,
  loadCitationMap,
  SECTION_SIGN,
  sourceFiles,
} from "./doc-citations.mjs";

/** @typedef {{ file: string, line: number, message: string }} Problem */

/**
 * @param {string} root
 * @param {string[]} patterns directory patterns relative to `root`
 * @returns {{ files: number, citations: number, problems: Problem[] }}
 */
export function checkSources(root, patterns) {
  const resolve = citationResolver(root);
  const files = sourceFiles(root, patterns);
  /** @type {Problem[]} */
  const problems = [];
  let citations = 0;
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    for (let i = text.indexOf(SECTION_SIGN); i !== -1; i = text.indexOf(SECTION_SIGN, i + 1)) {
      const cited = /^§\s*[\d.]*\d/.exec(text.slice(i))?.[0] ?? SECTION_SIGN;
      problems.push({
        file,
        line: lineAt(text, i),
        message: `bare "${cited}" citation: cite a page instead, e.g. docs/server/<page>.md#<anchor>`,
      });
    }
    for (const m of text.matchAll(CITATION)) {
      citations++;
      const [cited, page = "", anchor] = m;
      const problem = resolve(page, anchor);
      if (problem) problems.push({ file, line: lineAt(text, m.index), message: `${cited}: ${problem}` });
    }
  }
  return { files: files.length, citations, problems };
}

/**
 * Checks that every target of a citation map is a single citation that resolves. A map that does not exist
 * is only a problem when `required`.
 * @param {string} root
 * @param {string} mapFile path relative to `root`
 * @param {{ required?: boolean }} [options]
 * @returns {{ entries: number, problems: Problem[] }}
 */
export function checkCitationMap(root, mapFile, options = {}) {
  if (!existsSync(path.join(root, mapFile))) {
    const problems = options.required ? [{ file: mapFile, line: 1, message: "no such file" }] : [];
    return { entries: 0, problems };
  }
  const text = readFileSync(path.join(root, mapFile), "utf8");
  /** @type {Problem[]} */
  const problems = [];
  let map;
  try {
    map = loadCitationMap(text);
  } catch (error) {
    return { entries: 0, problems: [{ file: mapFile, line: 1, message: String(error) }] };
  }
  const resolve = citationResolver(root);
  const entries = [...Object.entries(map.sections), ...Object.entries(map.files)];
  for (const [key, target] of entries) {
    const line = lineAt(text, Math.max(0, text.indexOf(`${JSON.stringify(key)}:`)));
    const [only, ...more] = target.matchAll(CITATION);
    if (only === undefined || more.length > 0 || only[0] !== target) {
      problems.push({
        file: mapFile,
        line,
        message: `${key}: "${target}" is not one docs/….md[#anchor] citation`,
      });
      continue;
    }
    const [, page = "", anchor] = only;
    const problem = resolve(page, anchor);
    if (problem) problems.push({ file: mapFile, line, message: `${key}: ${problem}` });
  }
  return { entries: entries.length, problems };
}
