// The READMEs' code is tested: every TypeScript/JavaScript block of the root README and the package READMEs is
// type-checked as a strict consumer's code, and run against an in-process emulator unless marked otherwise.
// The marks (```ts fragment, no-run) are explained in blocks.ts.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createEmulator } from "horde-emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  blockName,
  type CodeBlock,
  contextNames,
  extractBlocks,
  moduleText,
  READMES,
  readmeBlocks,
  typeCheck,
} from "./blocks.js";
import * as context from "./context.js";

const blocks = readmeBlocks();
const names = contextNames(context);
const label = (b: CodeBlock) => `${b.readme}:${b.line}${b.marks.size ? ` (${[...b.marks].join(", ")})` : ""}`;
const runnable = blocks.filter((b) => !b.marks.has("no-run"));
/** The model names a block asks for (`models: ["…", …]`). */
const modelsOf = (b: CodeBlock): string[] =>
  [...b.code.matchAll(/models: \[([^\]]*)\]/g)].flatMap((m) =>
    [...(m[1] ?? "").matchAll(/"([^"]+)"/g)].map((n) => n[1] ?? ""),
  );

describe("README code blocks", () => {
  it("are found in every README", () => {
    const readmes = new Set(blocks.map((b) => b.readme));
    // The CLI's README shows shell commands only.
    expect([...readmes].sort()).toEqual(READMES.filter((r) => r !== "packages/cli/README.md").sort());
    expect(readmes).toContain("docs/guides/getting-started.md");
    expect(runnable.length).toBeGreaterThan(5);
  });

  it("type-check under strict TypeScript (lib es2022 + dom)", () => {
    expect(typeCheck(blocks, names)).toEqual([]);
  }, 60_000);

  it("a block that stops type-checking fails the check, at its README line", () => {
    const good = blocks.find((b) => b.readme === "README.md" && b.code.includes("client.generateImage("));
    if (!good) throw new Error("the README has no generateImage block");
    const broken = { ...good, code: good.code.replace("client.generateImage(", "client.generateImages(") };
    const lineOfCall =
      good.line + good.code.split("\n").findIndex((l) => l.includes("client.generateImage(")) + 1;
    const errors = typeCheck([broken], names);
    expect(errors).toContainEqual(
      expect.stringMatching(new RegExp(`^README.md:${lineOfCall}: error TS2551: .*'generateImages'`)),
    );
  }, 60_000);

  it("an unknown mark is an error, so a typo never leaves a block unchecked", () => {
    expect(() => extractBlocks("text\n```ts fragmnet\nconst a = 1;\n```\n", "X.md")).toThrow(
      "X.md:2: unknown mark fragmnet",
    );
  });

  it("sample API keys have 22 characters, like real AI Horde keys", () => {
    const keys = blocks.flatMap((b) => [...b.code.matchAll(/apikey: "([^"]+)"/g)].map((m) => m[1]));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key, key).toHaveLength(22);
  });
});

describe("README code blocks run against an in-process emulator", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "horde-readme-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(runnable.map((b) => [label(b), b] as const))("%s", async (_, block) => {
    const file = join(dir, blockName(block).replace(/\.js$/, ".mjs"));
    const specifier = new URL("./context.ts", import.meta.url).href;
    await writeFile(file, moduleText(block, { specifier, names }));
    await context.openContext();
    const cwd = process.cwd();
    process.chdir(dir); // whatever a block writes lands in the temporary folder
    const quiet = vi.spyOn(console, "log").mockImplementation(() => {});
    let unfinished: string[];
    try {
      await import(pathToFileURL(file).href);
    } finally {
      quiet.mockRestore();
      process.chdir(cwd);
      unfinished = await context.closeContext();
    }
    // Never lose a job: whatever a block submitted was completed or cancelled.
    expect(unfinished).toEqual([]);
  });

  it("ask only for models that a default emulator's dev workers serve", async () => {
    const emulator = createEmulator({ devWorkers: 1, logger: {} });
    try {
      // What the image dev worker serves, as any client sees it once the worker has checked in.
      const served = await vi.waitFor(
        async () => {
          const res = await emulator.fetch("http://horde.local/api/v2/workers?type=image");
          const workers = (await res.json()) as { models?: string[] }[];
          if (workers.length === 0) throw new Error("no image worker has checked in yet");
          return workers.flatMap((w) => w.models ?? []);
        },
        { timeout: 10_000, interval: 50 },
      );
      // The popular names other clients' examples use are among them.
      expect(served).toEqual(
        expect.arrayContaining(["stable_diffusion", "AlbedoBase XL (SDXL)", "Deliberate"]),
      );
      const asked = blocks.flatMap((b) => modelsOf(b).map((model) => ({ block: b, model })));
      expect(asked.map((a) => a.model)).toContain("AlbedoBase XL (SDXL)");
      for (const { block, model } of asked) {
        // Text models are served by the text dev workers; this checks the image ones.
        if (model.includes("/")) continue;
        expect(served, `${label(block)}: the dev workers serve ${model}`).toContain(model);
      }
    } finally {
      await emulator.close();
    }
  });
});
