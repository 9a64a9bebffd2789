#!/usr/bin/env node
// Rewrites the old citations of the shared ai-horde-api.md in source comments — `§5.1`, `ai-horde-api §6.1`,
// `§1.2–§1.5`, `§ header of ai-horde-api.md` — and old page paths (`docs/ratings-api.md`) into citations of
// docs/server pages (`docs/server/workers.md#pop`), using docs/server/citations.json.
//
//   node scripts/convert-citations.mjs [--root DIR] [--map FILE] [--dry-run] [DIR_PATTERN...]
//
// DIR_PATTERNs are relative to the root (default `packages/*/src`; `*` matches one directory name). Files under
// a `generated/` directory are not touched: they are rewritten by their generator, which must be fixed instead.
// What cannot be converted (a section missing from the map, a section of another document) stays as it is and
// is reported as `file:line`; the exit code is then 1. `--dry-run` reports without writing.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convertText, hasOldCitations } from "./lib/convert.mjs";
import { DEFAULT_MAP, DEFAULT_SOURCE_DIRS, loadCitationMap, sourceFiles } from "./lib/doc-citations.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: "string" },
      map: { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(
      "usage: node scripts/convert-citations.mjs [--root DIR] [--map FILE] [--dry-run] [DIR_PATTERN...]",
    );
    return 0;
  }
  const root = path.resolve(values.root ?? REPO_ROOT);
  const map = loadCitationMap(readFileSync(path.join(root, values.map ?? DEFAULT_MAP), "utf8"));
  const write = !values["dry-run"];
  let converted = 0;
  let leftCount = 0;
  for (const file of sourceFiles(root, positionals.length > 0 ? positionals : DEFAULT_SOURCE_DIRS)) {
    const full = path.join(root, file);
    const text = readFileSync(full, "utf8");
    if (file.split("/").includes("generated")) {
      if (hasOldCitations(text, map))
        console.log(`${file}: generated, not touched: fix its generator and regenerate`);
      continue;
    }
    const result = convertText(text, map);
    for (const l of result.left) console.error(`${file}:${l.line}: left "${l.text}": ${l.reason}`);
    leftCount += result.left.length;
    if (result.converted === 0) continue;
    converted += result.converted;
    console.log(`${file}: ${result.converted} citation(s) ${write ? "converted" : "to convert"}`);
    if (write) writeFileSync(full, result.text);
  }
  console.log(`convert-citations: ${converted} ${write ? "converted" : "to convert"}, ${leftCount} left`);
  return leftCount > 0 ? 1 : 0;
}

process.exitCode = main();
