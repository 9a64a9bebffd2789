// What Node loads: package.json's `node` condition sends every entry to dist/bundle/ (scripts/bundle-sdk.mjs),
// while web bundlers get tsc's per-module dist/. Both must be the same package: every entry bundled, the same
// exports under the same names, and one definition of each class across the entries (esbuild's splitting),
// so an error thrown by `horde-sdk/worker` is `instanceof` the class `horde-sdk` exports.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const sdkDir = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8")) as {
  exports: Record<string, string | { node?: string; default?: string }>;
};
const entries = Object.entries(pkg.exports).filter(
  (e): e is [string, { node: string; default: string }] =>
    typeof e[1] === "object" && e[1].node !== undefined && e[1].default !== undefined,
);
const load = (file: string) => {
  const path = join(sdkDir, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: build first (npm run build)`);
  return import(pathToFileURL(path).href) as Promise<Record<string, unknown>>;
};

describe("the Node bundle", () => {
  it("covers every entry of the package", () => {
    expect(entries.map(([name]) => name).sort()).toEqual([".", "./known", "./node", "./worker"]);
  });

  it.each(entries)("%s exports the same names bundled as per module", async (_name, targets) => {
    const [bundled, perModule] = await Promise.all([load(targets.node), load(targets.default)]);
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(perModule).sort());
    expect(Object.keys(bundled).length).toBeGreaterThan(0);
  });

  it("defines each class once across the entries", async () => {
    const [root, worker] = await Promise.all(
      [".", "./worker"].map((name) => load((pkg.exports[name] as { node: string }).node)),
    );
    const shared = Object.keys(worker ?? {}).filter((name) => name in (root ?? {}));
    expect(shared.length).toBeGreaterThan(0);
    for (const name of shared) expect(worker?.[name], name).toBe(root?.[name]);
    // And so instanceof holds across them: the worker's errors are the SDK's errors.
    const WorkerError = worker?.HordeWorkerStoppedError as new (message: string) => Error;
    expect(new WorkerError("stopped")).toBeInstanceOf(root?.HordeError as typeof Error);
  });
});
