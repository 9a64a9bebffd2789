// The SDK's source rules (scripts/source-rules.mjs) hold — layers import only downwards, no import cycles,
// no plain errors — and the check really fails when one is broken.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkSourceRules } from "../../scripts/source-rules.mjs";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A throwaway src/ tree with these files. */
function tree(files: Record<string, string>): string {
  scratch = mkdtempSync(path.join(tmpdir(), "sdk-source-rules-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    writeFileSync(path.join(scratch, file), text);
  }
  return scratch;
}

describe("source rules", () => {
  it("packages/sdk/src keeps them", () => {
    expect(checkSourceRules(SRC)).toEqual([]);
  });

  it("a models/ file importing client/ is reported, an import downwards is not", () => {
    const dir = tree({
      "core/errors.ts": "export class HordeError extends Error {}\n",
      "client/client.ts": 'import { HordeError } from "../core/errors.js";\nexport class C {}\n',
      "models/bad.ts": 'import type { C } from "../client/client.js";\nexport type X = C;\n',
    });
    expect(checkSourceRules(dir)).toEqual([
      "models/bad.ts: models/ must not import client (client/client.ts)",
    ]);
  });

  it("a plain error and an error class outside core/errors.ts are reported; comments are not", () => {
    const dir = tree({
      "core/errors.ts": "export class HordeError extends Error {}\n",
      "http/x.ts": [
        "// never `throw new Error(…)` here",
        "export function f() {",
        '  throw new Error("boom");',
        "}",
        "export class Mine extends Error {}",
        "",
      ].join("\n"),
    });
    expect(checkSourceRules(dir)).toEqual([
      "http/x.ts:3: a plain error; throw a HordeError subclass",
      "http/x.ts:5: extends Error; extend HordeError (core/errors.ts)",
    ]);
  });

  it("an import cycle is reported, type imports included", () => {
    const dir = tree({
      "jobs/a.ts": 'import type { B } from "./b.js";\nexport type A = B;\n',
      "jobs/b.ts": 'import {\n  type A,\n} from "./a.js";\nexport type B = A | 1;\n',
    });
    expect(checkSourceRules(dir)).toEqual(["import cycle: jobs/a.ts -> jobs/b.ts -> jobs/a.ts"]);
  });
});
