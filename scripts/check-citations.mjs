#!/usr/bin/env node
// Checks that every doc citation in the source resolves to a page and a heading of the repository's docs/,
// and that no old `§x.y` citation (of a document outside the repository) is left. Also checks that every
// target of docs/server/citations.json exists.
//
//   node scripts/check-citations.mjs [--root DIR] [--map FILE] [DIR_PATTERN...]
//
// DIR_PATTERNs are relative to the root (default `packages/*/src`; `*` matches one directory name). Prints one
// `file:line: problem` per problem and exits 1 when there is any, else prints a summary and exits 0.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkCitationMap, checkSources } from "./lib/check.mjs";
import { DEFAULT_MAP, DEFAULT_SOURCE_DIRS } from "./lib/doc-citations.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { root: { type: "string" }, map: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log("usage: node scripts/check-citations.mjs [--root DIR] [--map FILE] [DIR_PATTERN...]");
    return 0;
  }
  const root = path.resolve(values.root ?? REPO_ROOT);
  const sources = checkSources(root, positionals.length > 0 ? positionals : DEFAULT_SOURCE_DIRS);
  const map = checkCitationMap(root, values.map ?? DEFAULT_MAP, { required: values.map !== undefined });
  const problems = [...sources.problems, ...map.problems];
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`);
  const summary = `${sources.citations} citations in ${sources.files} files, ${map.entries} map entries`;
  if (problems.length > 0) {
    console.error(`check-citations: ${problems.length} problem(s); ${summary}`);
    return 1;
  }
  console.log(`check-citations: ok, ${summary}`);
  return 0;
}

process.exitCode = main();
