// What every published package.json must say (RELEASING.md relies on it): one license, one repository, one
// version for the three packages, ranges a consumer can share, a prepack build. Read from the files, so an edit
// that breaks a release fails here before `npm publish` would.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "horde-sdk";
import { describe, expect, it } from "vitest";
import { PUBLISHED } from "../scripts/pack.mjs";

const repo = fileURLToPath(new URL("../", import.meta.url));
const read = (path: string) => readFileSync(join(repo, path), "utf8");

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  keywords?: string[];
  author?: string;
  engines?: { node?: string };
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  publishConfig?: { access?: string };
}
const pkg = (path: string) => JSON.parse(read(path)) as PackageJson;
const root = pkg("package.json");
const published = ["sdk", "emulator", "cli"].map((dir) => ({
  dir,
  json: pkg(`packages/${dir}/package.json`),
}));

describe("published package.json files", () => {
  it.each(published)(
    "packages/$dir is complete: metadata, files, engines, prepack, public access",
    ({ dir, json }) => {
      expect(json.private).toBeUndefined();
      expect(json.license).toBe("MIT");
      expect(json.author).toBe(root.author);
      expect(json.repository).toEqual({ ...root.repository, directory: `packages/${dir}` });
      expect(json.homepage).toBe(
        `${root.homepage?.replace(/#readme$/, "")}/tree/main/packages/${dir}#readme`,
      );
      expect(json.bugs).toEqual(root.bugs);
      expect(json.keywords?.length).toBeGreaterThan(3);
      expect(json.engines?.node).toMatch(/^>=20/);
      expect(json.files).toContain("dist");
      expect(json.scripts?.prepack).toBe("node ../../scripts/build.mjs --fresh");
      expect(json.publishConfig).toEqual({ access: "public" });
    },
  );

  it.each(published)("packages/$dir ships the root LICENSE", ({ dir }) => {
    expect(read(`packages/${dir}/LICENSE`)).toBe(read("LICENSE"));
    expect(read("LICENSE")).toContain("Copyright (c) 2026 the horde-sdk authors");
  });

  it("the three packages share one version, which the SDK's VERSION and their mutual ranges name", () => {
    const [sdk, emulator, cli] = published.map((p) => p.json);
    expect(new Set(published.map((p) => p.json.version)).size).toBe(1);
    expect(VERSION).toBe(sdk?.version);
    expect(emulator?.dependencies?.["horde-sdk"]).toBe(`^${sdk?.version}`);
    expect(cli?.dependencies?.["horde-sdk"]).toBe(`^${sdk?.version}`);
    expect(cli?.dependencies?.["horde-emulator"]).toBe(`^${emulator?.version}`);
  });

  it("runtime dependencies are caret ranges, so a consumer's tree shares them (one zod, one hono)", () => {
    for (const { json } of published) {
      for (const [name, range] of Object.entries(json.dependencies ?? {})) {
        expect(range, `${json.name} → ${name}`).toMatch(/^\^\d+\.\d+\.\d+$/);
      }
    }
  });

  it("the private test support is never packed", () => {
    expect(pkg("packages/test-support/package.json").private).toBe(true);
    expect(PUBLISHED).toEqual(published.map((p) => `packages/${p.dir}`));
    expect(root.scripts?.pack).toBe("node scripts/pack.mjs");
  });
});
