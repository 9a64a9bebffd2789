/**
 * The packages as a user gets them: the three tarballs `npm run pack` makes, installed with npm into a project
 * outside the workspace (under the OS temp folder), then used there — an ES module script on Node, Bun and
 * Deno, a CommonJS script, strict TypeScript consumers (node16 ESM and CommonJS, bundler, node10; on this
 * workspace's TypeScript and on the oldest supported one) and `npx horde`. One project serves every check.
 *
 * Dependencies (zod, hono, sharp, typescript, bun, deno, …) come from the npm cache, else the npm registry;
 * nothing else is reached. The tarballs are packed from dist/ as the build left it (`--ignore-scripts`: the
 * packages' `prepack` would delete dist/ under the suites running beside this one); `tsc -b` first makes sure
 * it is current. The consumer's files are in `project/`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toCjsTypes, writeCjsTypes } from "../../scripts/cjs-types.mjs";
import { PUBLISHED, packTarballs } from "../../scripts/pack.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("./project/", import.meta.url));
/** The version of a package installed in the workspace (so the consumer gets it from the npm cache). */
const workspaceVersion = (pkg: string): string =>
  (JSON.parse(readFileSync(join(repo, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
    .version;

/** The oldest TypeScript the published types compile on (the READMEs say so): `Uint8Array<…>` needs 5.7. */
const TS_FLOOR = "5.7.3";
/** The runtimes that must run the ESM script (the npm packages `bun` and `deno` carry their binaries). */
const BUN = "1.4.5";
const DENO = "2.9.6";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed; a failure shows what it printed. */
async function ok(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const ran = await run(command, args, options);
  if (ran.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`.trim());
  }
  return ran;
}

/** The one JSON line a consumer script prints last. */
const lastJsonLine = (stdout: string): unknown => JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

let work: string;
let project: string;
let packed: Awaited<ReturnType<typeof packTarballs>>;

beforeAll(async () => {
  await ok(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-b"], { cwd: repo });
  for (const dir of PUBLISHED) await writeCjsTypes(join(repo, dir, "dist"));
  work = await mkdtemp(join(tmpdir(), "horde-consumer-"));
  packed = await packTarballs({ destination: join(work, "tarballs"), ignoreScripts: true });
  project = join(work, "project");
  await cp(fixture, project, { recursive: true });
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "horde-consumer", private: true, allowScripts: { bun: true, deno: true } }),
  );
  await ok(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...packed.map((p) => p.tarball),
      `typescript@${workspaceVersion("typescript")}`,
      `typescript-floor@npm:typescript@${TS_FLOOR}`,
      `@types/node@${workspaceVersion("@types/node")}`,
      `bun@${BUN}`,
      `deno@${DENO}`,
    ],
    { cwd: project },
  );
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("packs the three published packages, never the private test support", () => {
    expect(packed.map((p) => p.name)).toEqual(["horde-sdk", "horde-emulator", "horde-cli"]);
  });

  it.each([
    ["horde-sdk", ["dist/index.js", "dist/index.d.ts", "dist/index.d.cts", "dist/worker/index.d.cts"]],
    ["horde-emulator", ["dist/index.js", "dist/index.d.ts", "dist/index.d.cts", "dist/ui/app.js"]],
    ["horde-cli", ["bin/horde.js", "dist/main.js", "dist/main.d.ts"]],
  ])("%s holds README, LICENSE, package.json and its built dist", (name, built) => {
    const files = packed.find((p) => p.name === name)?.files ?? [];
    for (const file of ["package.json", "README.md", "LICENSE", ...built]) expect(files).toContain(file);
    expect(files.filter((f) => /(^|\/)test\/|\.tsbuildinfo$|\.test\.ts$/.test(f))).toEqual([]);
  });
});

describe("an installed consumer", () => {
  it("runs an ES module script on Node: an in-process image generation returns a WebP", async () => {
    const { stdout } = await ok(process.execPath, ["image.mjs"], { cwd: project });
    expect(lastJsonLine(stdout)).toMatchObject({ images: 1, format: "webp" });
  });

  it("require()s the packages from CommonJS (Node ≥ 20.19) and generates an image", async () => {
    const { stdout } = await ok(process.execPath, ["require.cjs"], { cwd: project });
    expect(lastJsonLine(stdout)).toEqual({ version: packed[0]?.version, images: 1 });
  });

  it("runs the same ES module script on Bun", async () => {
    const { stdout } = await ok(join(project, "node_modules/.bin/bun"), ["image.mjs"], { cwd: project });
    expect(lastJsonLine(stdout)).toMatchObject({ images: 1, format: "webp" });
  });

  it("runs the same ES module script on Deno", async () => {
    const env = { DENO_DIR: join(work, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    const { stdout } = await ok(
      join(project, "node_modules/.bin/deno"),
      ["run", "--allow-all", "image.mjs"],
      {
        cwd: project,
        env,
      },
    );
    expect(lastJsonLine(stdout)).toMatchObject({ images: 1, format: "webp" });
  });

  it("has the horde command: npx horde --help and --version", async () => {
    const help = await ok("npx", ["--no-install", "horde", "--help"], { cwd: project });
    expect(help.stdout).toMatch(/^Usage: horde /m);
    expect(help.stdout).toMatch(/\bgenerate\b/);
    const version = await ok("npx", ["--no-install", "horde", "--version"], { cwd: project });
    expect(version.stdout.trim()).toBe(packed.find((p) => p.name === "horde-cli")?.version);
  });

  // Each consumer file also holds a `@ts-expect-error` on a wrong call: if the packages' types ever resolved to
  // `any`, that directive would be unused and tsc would fail. "declarations checked" runs keep skipLibCheck off
  // (tsconfig.base.json), so an error inside the published .d.ts/.d.cts fails them; checking the SDK's schema
  // declarations takes ~20 s, so the other runs (resolution and use) pass --skipLibCheck.
  const workspaceTs = workspaceVersion("typescript");
  it.each([
    [workspaceTs, "node16", "ES module and CommonJS files, declarations checked", true],
    [workspaceTs, "bundler", "lib es2022 + dom, no Node types, declarations checked", true],
    [workspaceTs, "node10", "horde-sdk/worker and horde-sdk/node through typesVersions", false],
    [TS_FLOOR, "bundler", "the oldest supported TypeScript, declarations checked", true],
    [TS_FLOOR, "node16", "the oldest supported TypeScript", false],
    [TS_FLOOR, "node10", "the oldest supported TypeScript", false],
  ])("strict TypeScript %s, %s resolution: %s", async (version, resolution, _, checkDeclarations) => {
    const tsc =
      version === TS_FLOOR ? "node_modules/typescript-floor/bin/tsc" : "node_modules/typescript/bin/tsc";
    const args = [tsc, "-p", `ts/tsconfig.${resolution}.json`];
    if (!checkDeclarations) args.push("--skipLibCheck");
    // TypeScript 6 deprecates node10 resolution; consumers still on it silence the deprecation like this.
    if (resolution === "node10" && version !== TS_FLOOR) args.push("--ignoreDeprecations", "6.0");
    await ok(process.execPath, args, { cwd: project });
  });

  it("ships a CommonJS twin (.d.cts) of every declaration file, generated from it", async () => {
    for (const name of ["horde-sdk", "horde-emulator"]) {
      const dist = join(project, "node_modules", name, "dist");
      const declarations = (await readdir(dist, { recursive: true })).filter((f) => f.endsWith(".d.ts"));
      expect(declarations.length).toBeGreaterThan(0);
      for (const file of declarations) {
        const twin = await readFile(join(dist, file.replace(/\.d\.ts$/, ".d.cts")), "utf8");
        expect(twin, file).toBe(toCjsTypes(await readFile(join(dist, file), "utf8")));
      }
    }
  });
});
