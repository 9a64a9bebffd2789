// Doc citations in the source: the checker (scripts/check-citations.mjs) and the converter of the old `§`
// citations (scripts/convert-citations.mjs), run as the lead runs them on fixture trees, plus the real map.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempTree } from "horde-test-support/temp-tree";
import { describe, expect, it } from "vitest";
import { checkCitationMap } from "../../scripts/lib/check.mjs";
import { convertText } from "../../scripts/lib/convert.mjs";
import {
  anchorsOf,
  DEFAULT_MAP,
  DEFAULT_SOURCE_DIRS,
  githubSlug,
  headingText,
  loadCitationMap,
  sourceFiles,
} from "../../scripts/lib/doc-citations.mjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHECK = path.join(REPO_ROOT, "scripts/check-citations.mjs");
const CONVERT = path.join(REPO_ROOT, "scripts/convert-citations.mjs");

/** A throw-away repository tree holding the given files. */
const tree = (files: Record<string, string>) => tempTree(files, "citations-");

/** Runs a script; returns its exit code and everything it printed. */
function run(script: string, args: string[]): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, [script, ...args], { encoding: "utf8", stdio: "pipe" });
    return { code: 0, output: out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

const PAGE = [
  "# Workers",
  "## Pop",
  "### Pop order",
  "## Job TTL, restarts and faulting",
  "## `max_tiles` and the *swagger*",
  "## Pop",
  '<a id="old-name"></a>',
  "```md",
  "## Not a heading",
  "```",
].join("\n");

const MAP = JSON.stringify({
  sections: {
    header: "docs/server/workers.md#workers",
    "1.2": "docs/server/workers.md#pop",
    "1.5": "docs/server/workers.md#pop-order",
    "2.3": "docs/server/workers.md#job-ttl-restarts-and-faulting",
    "5.1": "docs/server/workers.md#pop",
    "9.1": "docs/server/workers.md#max_tiles-and-the-swagger",
  },
  files: { "docs/old-page.md": "docs/server/workers.md" },
});

describe("heading anchors, as GitHub makes them", () => {
  it("lower-cases, drops punctuation, turns spaces into hyphens", () => {
    expect(githubSlug("Job TTL, restarts and faulting")).toBe("job-ttl-restarts-and-faulting");
    expect(githubSlug("429 responses and headers")).toBe("429-responses-and-headers");
    expect(githubSlug("Ratings API (brief)")).toBe("ratings-api-brief");
  });

  it("reads the rendered text: code without backticks, links by their text, no emphasis", () => {
    expect(headingText("`max_tiles` and the *swagger*")).toBe("max_tiles and the swagger");
    expect(headingText("See [the pop](workers.md#pop) **now**")).toBe("See the pop now");
    expect(headingText("_emphasised_ words_with_underscores")).toBe("emphasised words_with_underscores");
  });

  it("numbers repeated headings, keeps explicit anchors, skips fenced code", () => {
    const anchors = anchorsOf(PAGE);
    expect([...anchors].sort()).toEqual(
      [
        "job-ttl-restarts-and-faulting",
        "max_tiles-and-the-swagger",
        "old-name",
        "pop",
        "pop-1",
        "pop-order",
        "workers",
      ].sort(),
    );
    expect(anchors.has("not-a-heading")).toBe(false);
  });
});

describe("check-citations", () => {
  it("passes a tree whose citations all resolve", () => {
    const root = tree({
      "docs/server/workers.md": PAGE,
      "docs/server/citations.json": MAP,
      "packages/demo/src/good.ts": [
        "// QUIRK(docs/server/workers.md#pop-order step 8): see also docs/server/workers.md.",
        "/** Stale after the ttl (docs/server/workers.md#job-ttl-restarts-and-faulting). */",
        'export const seeAlso = "docs/server/workers.md#old-name and ../shared/docs/ai-horde-api.md";',
      ].join("\n"),
    });
    const { code, output } = run(CHECK, ["--root", root]);
    expect(output).toContain("check-citations: ok, 4 citations in 1 files, 7 map entries");
    expect(code).toBe(0);
  });

  it("fails with file:line on a bare §, a missing page, a missing anchor and a broken map entry", () => {
    const root = tree({
      "docs/server/workers.md": PAGE,
      "docs/server/citations.json": JSON.stringify({ sections: { "5.1": "docs/server/workers.md#gone" } }),
      "packages/demo/src/ok.ts": "// docs/server/workers.md#pop\n",
      "packages/demo/src/nested/bad.ts": [
        "export const x = 1;",
        "// The pop (§5.1), the rest (§9.1.) and the header (§ header of ai-horde-api.md).",
        "// A page that is not there: docs/server/nope.md#pop",
        "// A heading that is not there: docs/server/workers.md#submit",
      ].join("\n"),
    });
    const { code, output } = run(CHECK, ["--root", root]);
    expect(code).toBe(1);
    const lines = output.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^packages\/demo\/src\/nested\/bad\.ts:2: bare "§5\.1" citation/),
      expect.stringMatching(/^packages\/demo\/src\/nested\/bad\.ts:2: bare "§9\.1" citation/),
      expect.stringMatching(/^packages\/demo\/src\/nested\/bad\.ts:2: bare "§" citation/),
      "packages/demo/src/nested/bad.ts:3: docs/server/nope.md#pop: no such file docs/server/nope.md",
      "packages/demo/src/nested/bad.ts:4: docs/server/workers.md#submit: no heading or anchor #submit in docs/server/workers.md",
      "docs/server/citations.json:1: 5.1: no heading or anchor #gone in docs/server/workers.md",
      "check-citations: 6 problem(s); 3 citations in 2 files, 1 map entries",
    ]);
  });

  it("only scans the directories it is given", () => {
    const root = tree({
      "docs/server/workers.md": PAGE,
      "packages/demo/src/a.ts": "// docs/server/workers.md#pop\n",
      "packages/demo/test/b.ts": "// §5.1\n",
    });
    expect(run(CHECK, ["--root", root]).code).toBe(0);
    const scanned = run(CHECK, ["--root", root, "packages/*/test"]);
    expect(scanned.code).toBe(1);
    expect(scanned.output).toContain('packages/demo/test/b.ts:1: bare "§5.1" citation');
  });
});

describe("convert-citations", () => {
  const OLD = [
    "/** The pop (§5.1), its order (ai-horde-api §1.5) and `ttl` (§2.3, §5.1 step 8). */",
    "// QUIRK(docs/ai-horde-api.md §9.1): the table of §9.1.",
    "// GET and DELETE (§1.2–§1.5); version (§ header of ai-horde-api.md: 5.1.5); see docs/old-page.md.",
    "export const untouched = '../shared/docs/ai-horde-api.md';",
  ].join("\n");
  const NEW = [
    "/** The pop (docs/server/workers.md#pop), its order (docs/server/workers.md#pop-order) and `ttl` (docs/server/workers.md#job-ttl-restarts-and-faulting, docs/server/workers.md#pop step 8). */",
    "// QUIRK(docs/server/workers.md#max_tiles-and-the-swagger): the table of docs/server/workers.md#max_tiles-and-the-swagger.",
    "// GET and DELETE (docs/server/workers.md); version (docs/server/workers.md#workers: 5.1.5); see docs/server/workers.md.",
    "export const untouched = '../shared/docs/ai-horde-api.md';",
  ].join("\n");

  it("rewrites every old form into citations the checker accepts", () => {
    const root = tree({
      "docs/server/workers.md": PAGE,
      "docs/server/citations.json": MAP,
      "packages/demo/src/old.ts": OLD,
    });
    const converted = run(CONVERT, ["--root", root]);
    expect(converted.output).toContain("packages/demo/src/old.ts: 9 citation(s) converted");
    expect(converted.code).toBe(0);
    expect(readFileSync(path.join(root, "packages/demo/src/old.ts"), "utf8")).toBe(NEW);
    expect(run(CHECK, ["--root", root]).code).toBe(0);
  });

  it("leaves and reports what it cannot map, writes nothing on a dry run, skips generated code", () => {
    const text =
      "// Known §5.1, unknown §13, another doc (ts-ecosystem §3.11), an old anchor docs/old-page.md#x.\n";
    const generated = "// see docs/old-page.md\n";
    const root = tree({
      "docs/server/workers.md": PAGE,
      "docs/server/citations.json": MAP,
      "packages/demo/src/mixed.ts": text,
      "packages/demo/src/generated/out.ts": generated,
    });
    const dry = run(CONVERT, ["--root", root, "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.output).toContain('packages/demo/src/mixed.ts:1: left "§13": no entry for §13 in the map');
    expect(dry.output).toContain(
      'packages/demo/src/mixed.ts:1: left "ts-ecosystem §3.11": a section of ts-ecosystem.md',
    );
    expect(dry.output).toContain(
      'packages/demo/src/mixed.ts:1: left "docs/old-page.md#x": an anchor of a page',
    );
    expect(dry.output).toContain("packages/demo/src/generated/out.ts: generated, not touched");
    expect(dry.output).toContain("convert-citations: 1 to convert, 3 left");
    expect(readFileSync(path.join(root, "packages/demo/src/mixed.ts"), "utf8")).toBe(text);

    expect(run(CONVERT, ["--root", root]).code).toBe(1);
    expect(readFileSync(path.join(root, "packages/demo/src/mixed.ts"), "utf8")).toBe(
      "// Known docs/server/workers.md#pop, unknown §13, another doc (ts-ecosystem §3.11), an old anchor docs/old-page.md#x.\n",
    );
    expect(readFileSync(path.join(root, "packages/demo/src/generated/out.ts"), "utf8")).toBe(generated);
  });
});

describe("the repository's citation map", () => {
  it("points every old section and page at a heading of docs/server", () => {
    const { entries, problems } = checkCitationMap(REPO_ROOT, DEFAULT_MAP, { required: true });
    expect(problems).toEqual([]);
    expect(entries).toBeGreaterThan(60);
  });

  it("covers every old citation left in the sources", () => {
    const map = loadCitationMap(readFileSync(path.join(REPO_ROOT, DEFAULT_MAP), "utf8"));
    const left = sourceFiles(REPO_ROOT, DEFAULT_SOURCE_DIRS).flatMap((file) =>
      convertText(readFileSync(path.join(REPO_ROOT, file), "utf8"), map).left.map(
        (l) => `${file}:${l.line} ${l.text}`,
      ),
    );
    expect(left).toEqual([]);
  });
});
