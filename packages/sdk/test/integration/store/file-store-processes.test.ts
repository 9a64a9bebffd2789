// Two processes write one FileJobStore at once (a third reads it all along): no entry is lost, the file is
// never seen half-written, and no lock or temporary file is left behind.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileJobStore } from "horde-sdk/node";
import { bundleNodeScript, type NodeScript, runNodeScript } from "horde-test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const WRITER = fileURLToPath(new URL("../../fixtures/store-writer.ts", import.meta.url));
const PER_WRITER = 60;

let dir: string;
let script: NodeScript;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "horde-store-race-"));
  script = await bundleNodeScript(WRITER);
});
afterAll(async () => {
  await script?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("FileJobStore across processes", () => {
  it("two writers at once lose no entry and never corrupt the file", { timeout: 90_000 }, async () => {
    const file = join(dir, "jobs.json");
    const reader = runNodeScript(script.file, [file, "read", "0"]);
    const writers = ["alpha", "beta"].map((name) =>
      runNodeScript(script.file, [file, name, String(PER_WRITER)]),
    );
    const results = await Promise.all(writers.map((w) => w.done));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, stdout: "done\n" });
    await writeFile(`${file}.stop`, "");
    const read = await reader.done;
    expect(read.code, read.stderr).toBe(0);
    const { reads, failures } = JSON.parse(read.stdout) as { reads: number; failures: number };
    expect(reads).toBeGreaterThan(10);
    expect(failures).toBe(0);

    const jobs = await new FileJobStore(file).list();
    // Each writer removed its odd jobs and kept its even ones, each completed and updated.
    const expected = ["alpha", "beta"].flatMap((name) =>
      Array.from({ length: PER_WRITER / 2 }, (_, i) => `${name}-${i * 2}`),
    );
    expect(jobs.map((j) => j.key).sort()).toEqual(expected.sort());
    for (const job of jobs) {
      expect(job).toMatchObject({ id: `${job.key}-id`, state: "running", progress: { processing: 1 } });
    }
    expect(await new FileJobStore(file).recentlyRemoved()).toHaveLength(PER_WRITER);
    expect((await readdir(dir)).sort()).toEqual(["jobs.json", "jobs.json.stop"]);
  });
});
