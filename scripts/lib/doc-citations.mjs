// Citations of repository docs in source comments (`docs/server/workers.md#pop`): the citation pattern, GitHub's
// heading anchors, and the source-file walk. Shared by check-citations.mjs and convert-citations.mjs; Node
// built-ins only.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Where the checker and the converter look when no directories are given. */
export const DEFAULT_SOURCE_DIRS = ["packages/*/src"];

/** The map from old `§` section numbers and old page paths to pages of docs/server. */
export const DEFAULT_MAP = "docs/server/citations.json";

const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
const SKIPPED_DIRS = new Set(["node_modules", "dist"]);

/**
 * A citation: a path from the repository root under `docs/` ending in `.md`, optionally followed by `#anchor`.
 * The look-behind keeps paths into other trees (`../shared/docs/x.md`) out.
 */
export const CITATION =
  /(?<![\w./-])(docs\/(?:[\w-]+\/)*[\w.-]*?[\w-]\.md)(?![\w-])(?:#([\p{L}\p{N}_-]+))?/gu;

/** The section sign of the old citations (`§5.1`), which resolve to nothing in the repository. */
export const SECTION_SIGN = "§";

/**
 * The directories a pattern names, relative to `root`; a `*` segment matches any directory name.
 * @param {string} root
 * @param {string} pattern
 * @returns {string[]}
 */
export function expandDir(root, pattern) {
  /** @type {string[]} */
  let found = [""];
  for (const segment of pattern.split("/").filter(Boolean)) {
    found = found.flatMap((dir) => {
      const names = segment === "*" ? listDirs(path.join(root, dir)) : [segment];
      return names.map((name) => path.posix.join(dir, name)).filter((d) => isDir(path.join(root, d)));
    });
  }
  return found.sort();
}

/**
 * Every source file under the given directory patterns, as sorted paths relative to `root` (with `/`).
 * @param {string} root
 * @param {string[]} patterns
 * @returns {string[]}
 */
export function sourceFiles(root, patterns) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(rel);
      else if (entry.isFile() && SOURCE_EXTENSIONS.has(path.extname(entry.name))) files.push(rel);
    }
  };
  for (const pattern of patterns) for (const dir of expandDir(root, pattern)) walk(dir);
  return [...new Set(files)].sort();
}

/**
 * GitHub's anchor for a heading's text (as github-slugger computes it): lower case, everything but letters,
 * marks, numbers, `_`, `-` and spaces removed, each space turned into `-`.
 * @param {string} text
 * @returns {string}
 */
export function githubSlug(text) {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/**
 * The text GitHub renders for a heading's inline Markdown: link and image texts, code spans without their
 * backticks, no HTML tags and no emphasis markers (underscores inside words and inside code are kept).
 * @param {string} markdown
 * @returns {string}
 */
export function headingText(markdown) {
  return markdown
    .split(/(`+[^`]*`+)/)
    .map((part, i) => {
      if (i % 2 === 1) return part.replace(/^`+|`+$/g, "");
      return part
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/<[^>]*>/g, "")
        .replace(/[*~]/g, "")
        .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, "$1");
    })
    .join("");
}

/**
 * Every anchor a Markdown page offers: its ATX headings (duplicates numbered `-1`, `-2`, … as on GitHub)
 * and explicit `<a id="…">` / `name="…"` anchors. Fenced code blocks are skipped.
 * @param {string} markdown
 * @returns {Set<string>}
 */
export function anchorsOf(markdown) {
  const anchors = new Set();
  /** github-slugger's bookkeeping: how often each slug was taken (explicit anchors do not count). */
  /** @type {Map<string, number>} */
  const taken = new Map();
  /** @type {string | null} */
  let fence = null;
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark && (fence === null || fenceMark.startsWith(fence))) {
      fence = fence === null ? fenceMark : null;
      continue;
    }
    if (fence !== null) continue;
    for (const [, id = ""] of line.matchAll(/<a\s[^>]*\b(?:id|name)=["']([^"']+)["']/gi)) anchors.add(id);
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = githubSlug(headingText(heading));
    let slug = base;
    while (taken.has(slug)) {
      const n = (taken.get(base) ?? 0) + 1;
      taken.set(base, n);
      slug = `${base}-${n}`;
    }
    taken.set(slug, 0);
    anchors.add(slug);
  }
  return anchors;
}

/**
 * Resolves citations against the files under `root`, reading each page once.
 * @param {string} root
 * @returns {(file: string, anchor: string | undefined) => string | null} the problem, or null when it resolves
 */
export function citationResolver(root) {
  /** @type {Map<string, Set<string> | null>} */
  const pages = new Map();
  return (file, anchor) => {
    if (!pages.has(file)) {
      const full = path.join(root, file);
      pages.set(file, existsSync(full) && isFile(full) ? anchorsOf(readFileSync(full, "utf8")) : null);
    }
    const anchors = pages.get(file);
    if (!anchors) return `no such file ${file}`;
    if (anchor !== undefined && !anchors.has(anchor)) return `no heading or anchor #${anchor} in ${file}`;
    return null;
  };
}

/**
 * Reads a citation map: `{"sections": {"5.1": "docs/server/workers.md#pop", …}, "files": {"docs/old.md":
 * "docs/server/new.md", …}}` — old section numbers and old page paths, each to one citation.
 * @param {string} text the JSON text
 * @returns {{ sections: Record<string, string>, files: Record<string, string> }}
 */
export function loadCitationMap(text) {
  const raw = JSON.parse(text);
  return { sections: stringTable(raw?.sections, "sections"), files: stringTable(raw?.files, "files") };
}

/**
 * @param {unknown} table
 * @param {string} name
 * @returns {Record<string, string>}
 */
function stringTable(table, name) {
  if (table === undefined) return {};
  if (typeof table !== "object" || table === null || Array.isArray(table))
    throw new Error(`"${name}" must be an object`);
  /** @type {Record<string, string>} */
  const out = {};
  for (const [key, value] of Object.entries(table)) {
    if (typeof value !== "string") throw new Error(`${name}["${key}"] must be a string`);
    out[key] = value;
  }
  return out;
}

/**
 * The 1-based line number of a character offset in a text.
 * @param {string} text
 * @param {number} offset
 */
export function lineAt(text, offset) {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** @param {string} dir */
function listDirs(dir) {
  return isDir(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name] : []))
    : [];
}

/** @param {string} p */
function isDir(p) {
  return existsSync(p) && statSync(p).isDirectory();
}

/** @param {string} p */
function isFile(p) {
  return statSync(p).isFile();
}
