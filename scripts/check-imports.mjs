#!/usr/bin/env node
// The import rules of the repository, checked on every `npm test`: which files may not import what.
// Each rule names the files it governs (a glob on repo-relative paths) and the imports they must not make
// (globs on the resolved repo path of a relative import, or on the bare specifier of a package). A broken
// rule is printed as `file:line` with the rule and its reason, and the run exits 1.
//
//   node scripts/check-imports.mjs [--root DIR]     (default: the repository this script lives in)
//
// Node built-ins only.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const RULES = [
  {
    name: "the emulator's domain knows nothing of HTTP",
    from: "packages/emulator/src/horde/**",
    forbid: [
      "packages/emulator/src/routes/**",
      "packages/emulator/src/server/**",
      "packages/emulator/src/http/**",
      "packages/emulator/src/devworker/**",
      "packages/emulator/src/ui/**",
      "packages/emulator/src/emulator.ts",
      "packages/emulator/src/index.ts",
      "hono",
      "hono/**",
      "@hono/**",
    ],
    reason:
      "horde/ is the domain, the bottom layer: routes/ and server/ call it and render what it returns, never the other way round",
  },
  {
    name: "emulator routes never reach up into the server",
    from: "packages/emulator/src/routes/**",
    forbid: ["packages/emulator/src/server/**", "packages/emulator/src/emulator.ts"],
    reason: "server/ mounts the routes; a route that imported it would close a loop",
  },
  {
    name: "emulator routes are independent adapters",
    from: "packages/emulator/src/routes/**",
    forbid: ["packages/emulator/src/routes/**"],
    reason:
      "a route parses, calls the domain and renders; what two routes share belongs in horde/ or http/, not in another route",
  },
  {
    name: "SDK models never import the client",
    from: "packages/sdk/src/models/**",
    forbid: ["packages/sdk/src/client/**"],
    reason: "models/ describes the API; client/ executes it, so the arrow runs from client/ to models/ only",
  },
];

const SOURCE = /\.(?:[cm]?[jt]s|tsx)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".git", "coverage"]);

/** A glob (`**` any depth, `*` one segment's characters, `?` one character) as an anchored RegExp. */
function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "*" && glob[i + 1] === "*") {
      // `dir/**` also matches `dir` itself; `**/` matches zero or more directories.
      if (glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re = re.endsWith("/") ? `${re.slice(0, -1)}(?:/.*)?` : `${re}.*`;
        i += 1;
      }
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The text with comments blanked out (newlines kept, so line numbers stay), strings left as they are. */
function withoutComments(text) {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") {
        out += " ";
        i++;
      }
    } else if (ch === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== ch && !(ch !== "`" && text[j] === "\n"))
        j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const IMPORT_PATTERNS = [
  // import … from "x", export … from "x" (across lines)
  /\b(?:import|export)\s+(?:type\s+)?[^;'"`]*?\bfrom\s*(["'])([^"']+)\1/g,
  // import "x"
  /\bimport\s*(["'])([^"']+)\1/g,
  // import("x"), require("x")
  /\b(?:import|require)\s*\(\s*(["'])([^"']+)\1\s*\)/g,
];

/** Every static import of a file: the specifier and the line it stands on. */
export function importsOf(text) {
  const code = withoutComments(text);
  const found = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) {
      const at = m.index + m[0].lastIndexOf(m[2]);
      found.push({ specifier: m[2], line: code.slice(0, at).split("\n").length });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** A relative specifier as a repo path (`.js` written for a `.ts` source counts as the `.ts`); a package as itself. */
function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith(".")) return { kind: "package", value: specifier };
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  return { kind: "path", value: joined.replace(/\.(?:[cm]?js)$/, ".ts") };
}

function* sourceFiles(root, dir = "") {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* sourceFiles(root, path.posix.join(dir, entry.name));
    } else if (SOURCE.test(entry.name)) {
      yield path.posix.join(dir, entry.name);
    }
  }
}

/** The broken rules of the tree under `root`: one finding per offending import. */
export function checkImports(root, rules = RULES) {
  const compiled = rules.map((rule) => ({
    rule,
    from: globToRegExp(rule.from),
    forbid: rule.forbid.map((glob) => ({ glob, re: globToRegExp(glob) })),
  }));
  const findings = [];
  for (const file of sourceFiles(root)) {
    const governing = compiled.filter((c) => c.from.test(file));
    if (governing.length === 0) continue;
    for (const { specifier, line } of importsOf(readFileSync(path.join(root, file), "utf8"))) {
      const target = resolveSpecifier(file, specifier);
      for (const c of governing) {
        const hit = c.forbid.find((f) => f.re.test(target.value));
        if (hit) findings.push({ file, line, specifier, rule: c.rule, pattern: hit.glob });
      }
    }
  }
  return findings;
}

function main(argv) {
  const at = argv.indexOf("--root");
  const root = at >= 0 ? path.resolve(argv[at + 1] ?? ".") : fileURLToPath(new URL("..", import.meta.url));
  if (!statSync(root).isDirectory()) throw new Error(`not a directory: ${root}`);
  const findings = checkImports(root);
  for (const f of findings) {
    console.error(
      `${f.file}:${f.line}: error: imports "${f.specifier}" (${f.pattern}), breaking the rule ` +
        `"${f.rule.name}": ${f.rule.reason}`,
    );
  }
  console.log(`check-imports: ${RULES.length} rules, ${findings.length} violation(s)`);
  return findings.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
