/**
 * The import-rule check of `npm test` (scripts/check-imports.mjs), run on small trees written for the
 * purpose: a violating import fails the run with the file, the line and the rule; a clean tree passes.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/check-imports.mjs", import.meta.url));
const trees: string[] = [];

/** A tree with these files (repo-relative path → source). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "check-imports-"));
  trees.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

function check(root: string) {
  const run = spawnSync(process.execPath, [SCRIPT, "--root", root], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

const CLEAN = {
  "packages/emulator/src/horde/store.ts":
    'import { randomUUID } from "node:crypto";\nexport const id = randomUUID;\n',
  "packages/emulator/src/routes/image.ts":
    'import { Hono } from "hono";\nimport { id } from "../horde/store.js";\nexport const app = new Hono();\n',
};

describe("check-imports", () => {
  test("a clean tree passes", () => {
    const result = check(tree(CLEAN));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("0 violation(s)");
    expect(result.stderr).toBe("");
  });

  test("the domain importing hono or a route fails with file:line, the rule and its reason", () => {
    const result = check(
      tree({
        ...CLEAN,
        "packages/emulator/src/horde/bad.ts":
          '// import { Hono } from "hono" in a comment does not count\nimport type { Context } from "hono";\n' +
          'import {\n  imageRoutes,\n} from "../routes/image.js";\n',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'packages/emulator/src/horde/bad.ts:2: error: imports "hono" (hono), breaking the rule ' +
        '"the emulator\'s domain knows nothing of HTTP": horde/ is the domain',
    );
    expect(result.stderr).toContain(
      'packages/emulator/src/horde/bad.ts:5: error: imports "../routes/image.js" (packages/emulator/src/routes/**)',
    );
    expect(result.stderr).not.toContain("bad.ts:1:");
    expect(result.stdout).toContain("2 violation(s)");
  });

  test("a route importing another route fails", () => {
    const result = check(
      tree({ ...CLEAN, "packages/emulator/src/routes/text.ts": 'export { app } from "./image.js";\n' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'packages/emulator/src/routes/text.ts:1: error: imports "./image.js" (packages/emulator/src/routes/**), ' +
        'breaking the rule "emulator routes are independent adapters"',
    );
  });

  test("SDK models may not import the client", () => {
    const result = check(
      tree({
        ...CLEAN,
        "packages/sdk/src/models/shortcuts.ts": 'import { C } from "../client/client.js";\n',
      }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'packages/sdk/src/models/shortcuts.ts:1: error: imports "../client/client.js" (packages/sdk/src/client/**), ' +
        'breaking the rule "SDK models never import the client"',
    );
  });
});
