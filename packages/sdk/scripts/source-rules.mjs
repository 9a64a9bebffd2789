#!/usr/bin/env node
// Rules the SDK's source keeps, checked by reading it (packages/sdk/test/architecture/source-rules.test.ts
// runs them in `npm test`; `node packages/sdk/scripts/source-rules.mjs` prints the violations):
//
// 1. Layers: a folder of src/ imports only the folders below it — core/ nothing; models/ core/; http/
//    core/ and models/ (the generated operation table); store/ (job stores) core/; jobs/ adds http/ and
//    store/; client/ adds jobs/; ratings/ and reference/ add client/, worker/ also reference/ (its models'
//    facts); node/ (the Node-only entry) core/ and
//    store/; known/ (the light horde-sdk/known entry) core/ and models/. So models/ never imports client/, and nothing imports upwards.
// 2. No import cycles between files (type imports included).
// 3. No plain errors: everything the SDK throws is a HordeError (core/errors.ts), so callers can tell ours
//    from bugs; `new Error(…)` and its built-in siblings do not appear, and only core/errors.ts extends Error.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What each top-level folder of src/ may import (besides itself). Files at the root (index.ts) may import all.
 * @type {Record<string, string[]>}
 */
export const LAYERS = {
  core: [],
  models: ["core"],
  http: ["core", "models"],
  store: ["core"],
  jobs: ["core", "models", "http", "store"],
  client: ["core", "models", "http", "store", "jobs"],
  worker: ["core", "models", "http", "jobs", "client", "reference"],
  ratings: ["core", "models", "http", "client"],
  reference: ["core", "models", "http", "client"],
  webhooks: ["core"],
  node: ["core", "store", "webhooks"],
  known: ["core", "models"],
};

const PLAIN_ERROR =
  /\bnew\s+(Error|TypeError|RangeError|SyntaxError|ReferenceError)\s*\(|\bthrow\s+(Error|TypeError|RangeError)\s*\(/;
const EXTENDS_ERROR = /\bextends\s+(Error|TypeError|RangeError)\b/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*"(\.[^"]+)"|(?:^|\n)\s*import\s*"(\.[^"]+)"/g;

/**
 * Every .ts file under `dir`, as paths relative to it.
 * @param {string} dir
 * @param {string} [rel]
 * @returns {string[]}
 */
function sourceFiles(dir, rel = "") {
  const out = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(dir, child));
    else if (entry.name.endsWith(".ts")) out.push(child);
  }
  return out;
}

/**
 * Strip comments, so prose about `new Error(…)` does not count.
 * @param {string} text
 */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/**
 * Check `srcDir` against the rules; returns one line per violation (empty when the source keeps them).
 * @param {string} srcDir
 * @returns {string[]}
 */
export function checkSourceRules(srcDir) {
  const files = sourceFiles(srcDir);
  const known = new Set(files);
  /** @type {string[]} */
  const violations = [];
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of files) {
    const text = code(readFileSync(path.join(srcDir, file), "utf8"));
    const layer = file.includes("/") ? file.slice(0, file.indexOf("/")) : null;
    /** @type {string[]} */
    const imports = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = /** @type {string} */ (match[1] ?? match[2]);
      const target = path.posix
        .normalize(path.posix.join(path.posix.dirname(file), spec))
        .replace(/\.js$/, ".ts");
      if (!known.has(target)) continue;
      imports.push(target);
      const to = target.includes("/") ? target.slice(0, target.indexOf("/")) : null;
      if (layer && to !== layer) {
        const allowed = LAYERS[layer];
        if (!allowed) violations.push(`${file}: folder ${layer}/ has no layer rule (add it to LAYERS)`);
        else if (to === null || !allowed.includes(to)) {
          violations.push(`${file}: ${layer}/ must not import ${to ?? "the package root"} (${target})`);
        }
      }
    }
    graph.set(file, imports);
    text.split("\n").forEach((line, i) => {
      if (PLAIN_ERROR.test(line))
        violations.push(`${file}:${i + 1}: a plain error; throw a HordeError subclass`);
      if (EXTENDS_ERROR.test(line) && file !== "core/errors.ts") {
        violations.push(`${file}:${i + 1}: extends Error; extend HordeError (core/errors.ts)`);
      }
    });
  }
  violations.push(...cycles(graph).map((cycle) => `import cycle: ${cycle.join(" -> ")}`));
  return violations;
}

/**
 * Each import cycle once, as the files around it.
 * @param {Map<string, string[]>} graph
 * @returns {string[][]}
 */
function cycles(graph) {
  /** @type {string[][]} */
  const found = [];
  /** @type {Map<string, "open" | "done">} */
  const state = new Map();
  /** @type {string[]} */
  const stack = [];
  /** @param {string} file */
  const visit = (file) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");
  const violations = checkSourceRules(src);
  for (const v of violations) process.stdout.write(`${v}\n`);
  process.stdout.write(`source rules: ${violations.length} violation(s)\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
