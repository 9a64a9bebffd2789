/**
 * `horde --help` must stay quick: importing `horde-sdk` alone costs ~0.4 s (zod, the generated schemas). No
 * module on the startup path (`src/main.ts` and everything it imports statically) may import the heavy
 * packages as values; commands load them inside their actions (`await import(…)`, `loadSdk()`). Two checks:
 * the import statements of the sources (no build needed), and the modules the built binary really loads.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/horde.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Packages the startup path must not load. */
const HEAVY = ["horde-sdk", "horde-emulator", "sharp", "yaml"];
/** The SDK's import-free name lists (samplers, alchemy forms): the one exception, checked to stay light below. */
const LIGHT = "horde-sdk/known";
const SDK_SRC = fileURLToPath(new URL("../../sdk/src/", import.meta.url));
const SDK_DIR = fileURLToPath(new URL("../../sdk/", import.meta.url));
/** The built file Node loads for `horde-sdk/known` (the `node` condition of the SDK's exports). */
const builtKnown = () =>
  join(SDK_DIR, JSON.parse(readFileSync(join(SDK_DIR, "package.json"), "utf8")).exports["./known"].node);

const isHeavy = (spec: string) => spec !== LIGHT && HEAVY.some((p) => spec === p || spec.startsWith(`${p}/`));

interface StaticImport {
  spec: string;
  line: number;
  /** Erased by tsc (`import type …`, `export type … from`): loads nothing at run time. */
  typeOnly: boolean;
}

/**
 * The static imports and re-exports of a module. With `verbatimModuleSyntax`, only a statement-level
 * `import type` is erased: `import { type A } from "x"` still loads `x`, so it counts as a value import.
 */
function staticImports(file: string, source: string): StaticImport[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: StaticImport[] = [];
  for (const st of sf.statements) {
    let typeOnly: boolean;
    if (ts.isImportDeclaration(st)) typeOnly = st.importClause?.isTypeOnly === true;
    else if (ts.isExportDeclaration(st) && st.moduleSpecifier) typeOnly = st.isTypeOnly;
    else continue;
    const spec = (st.moduleSpecifier as ts.StringLiteral).text;
    const line = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1;
    found.push({ spec, line, typeOnly });
  }
  return found;
}

/**
 * The modules an entry loads through relative value imports (relative to `root`), and the packages they import
 * as values, as `file:line spec`.
 */
function importClosure(
  entry: string,
  root: string,
  read: (file: string) => string = (f) => readFileSync(f, "utf8"),
): { seen: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of staticImports(file, read(file))) {
      if (imp.typeOnly) continue;
      // In sources, `./x.js` names `./x.ts`; in built files, itself.
      const spec = file.endsWith(".ts") ? imp.spec.replace(/\.js$/, ".ts") : imp.spec;
      if (imp.spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
      else packages.push(`${relative(root, file)}:${imp.line} ${imp.spec}`);
    }
  }
  return { seen: [...seen].map((f) => relative(root, f)).sort(), packages };
}

/** Value imports of heavy packages in the modules `main.ts` loads, as `file:line spec`. */
function eagerHeavyImports(entry: string, read: (file: string) => string): { seen: string[]; bad: string[] } {
  const { seen, packages } = importClosure(entry, SRC, read);
  return { seen, bad: packages.filter((p) => isHeavy(p.slice(p.indexOf(" ") + 1))) };
}

describe("the startup path (sources)", () => {
  it("imports no heavy package as a value: only `import type` or `await import(…)`", () => {
    const { seen, bad } = eagerHeavyImports(join(SRC, "main.ts"), (f) => readFileSync(f, "utf8"));
    // Every command is registered at startup, so every command module is on the path.
    expect(seen).toEqual(
      expect.arrayContaining([
        "main.ts",
        "connection.ts",
        "errors.ts",
        "files.ts",
        "follow.ts",
        "context.ts",
        "commands/alchemy.ts",
        "commands/generate.ts",
        "commands/jobs.ts",
        "commands/worker.ts",
        "output/progress.ts",
      ]),
    );
    expect(bad).toEqual([]);
  });

  it("horde-sdk/known stays light: its modules import no package at all", () => {
    const { seen, packages } = importClosure(join(SDK_SRC, "known/index.ts"), SDK_SRC);
    expect(seen).toContain("models/generated/known-values.ts");
    expect(packages).toEqual([]);
  });

  it("so does the built horde-sdk/known that Node loads (its bundle and chunks)", () => {
    if (!existsSync(builtKnown())) throw new Error(`${builtKnown()} is missing: build first (npm run build)`);
    const { seen, packages } = importClosure(builtKnown(), SDK_DIR);
    expect(seen.length).toBeGreaterThan(0);
    expect(packages).toEqual([]);
  });

  it("the check catches an eager import, also one reached through another module", () => {
    const files: Record<string, string> = {
      "/x/main.ts":
        'import { a } from "./a.js";\nimport type { T } from "horde-sdk";\nexport type { U } from "sharp";',
      "/x/a.ts": [
        'import { type Client } from "horde-sdk";',
        'export { b } from "./b.js";',
        'const lazy = () => import("horde-emulator");',
      ].join("\n"),
      "/x/b.ts": 'import sharp from "sharp";\nimport { HordeWorker } from "horde-sdk/worker";',
      "/x/off-path.ts": 'import sharp from "sharp";',
    };
    const read = (f: string) => files[f] ?? "";
    const { bad } = eagerHeavyImports("/x/main.ts", read);
    expect(bad.map((b) => b.replace(/^.*\/x\//, ""))).toEqual([
      "a.ts:1 horde-sdk",
      "b.ts:1 sharp",
      "b.ts:2 horde-sdk/worker",
    ]);
  });
});

/** Module URLs the built binary would load for these arguments must not be under these paths. */
const FORBIDDEN = [
  "/packages/sdk/",
  "/packages/emulator/",
  "/node_modules/zod/",
  "/node_modules/sharp/",
  "/node_modules/@img/",
  "/node_modules/hono/",
  "/node_modules/yaml/",
];

describe("the startup path (built binary, every loaded module recorded)", () => {
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npm run build)`);
    dir = await mkdtemp(join(tmpdir(), "horde-startup-"));
    // A load hook (on the loader thread) appends every module URL to the file named by HORDE_TRACE.
    await writeFile(
      join(dir, "hooks.mjs"),
      [
        'import { appendFileSync } from "node:fs";',
        "export async function load(url, context, next) {",
        "  appendFileSync(process.env.HORDE_TRACE, url + '\\n');",
        "  return next(url, context);",
        "}",
      ].join("\n"),
    );
    await writeFile(
      join(dir, "register.mjs"),
      'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n',
    );
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let runs = 0;
  async function loaded(args: string[]): Promise<{ code: number | null; urls: string[] }> {
    const trace = join(dir, `trace-${runs++}.txt`);
    await writeFile(trace, "");
    const code = await new Promise<number | null>((resolveRun, reject) => {
      const child = spawn(process.execPath, ["--import", join(dir, "register.mjs"), BIN, ...args], {
        cwd: dir,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HORDE_"))),
          HORDE_TRACE: trace,
          HORDE_CONFIG: join(dir, "no-config.json"),
        },
        stdio: ["ignore", "ignore", "ignore"],
      });
      child.on("error", reject);
      child.on("close", (c) => resolveRun(c));
    });
    const urls = (await readFile(trace, "utf8")).split("\n").filter((u) => u !== "");
    return { code, urls };
  }

  // The built modules of horde-sdk/known may load; everything else of the SDK may not.
  const light = () => importClosure(builtKnown(), SDK_DIR).seen.map((f) => `/packages/sdk/${f}`);
  const forbidden = (urls: string[]) =>
    urls.filter((u) => FORBIDDEN.some((p) => u.includes(p)) && !light().some((l) => u.endsWith(l)));

  it.each([
    [["--help"], 0],
    [["--version"], 0],
    [["help", "worker"], 0],
    [["kudos"], 2],
    [["alchemy", "--help"], 0],
    [["generate", "--help"], 0],
    [["generate"], 2],
    [["generate", "a cat", "--no-such-flag"], 2],
    [["no-such-command"], 2],
    [["worker", "--backend", "a1111"], 2],
    [["worker", "--config", "worker.toml"], 2],
  ] as const)("horde %j loads none of the heavy packages", async (args, exitCode) => {
    const { code, urls } = await loaded([...args]);
    expect(code).toBe(exitCode);
    expect(urls.some((u) => u.endsWith("/packages/cli/dist/main.js"))).toBe(true);
    expect(forbidden(urls)).toEqual([]);
  });

  it("the trace does see them when a command runs (so the checks above are not vacuous)", async () => {
    const { code, urls } = await loaded(["generate", "a cat", "--dry-run", "--local"]);
    expect(code).toBe(0);
    expect(urls.some((u) => u.includes("/packages/sdk/") && !light().some((l) => u.endsWith(l)))).toBe(true);
    expect(urls.some((u) => u.includes("/packages/emulator/"))).toBe(true);
  });

  it("yaml is loaded when a YAML settings file is read", async () => {
    await writeFile(join(dir, "worker.yaml"), "threads: many\n");
    const { code, urls } = await loaded(["worker", "--config", join(dir, "worker.yaml")]);
    expect(code).toBe(2);
    expect(urls.some((u) => u.includes("/node_modules/yaml/"))).toBe(true);
    expect(forbidden(urls.filter((u) => !u.includes("/node_modules/yaml/")))).toEqual([]);
  });
});
