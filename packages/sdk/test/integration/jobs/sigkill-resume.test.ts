// The promise of durable jobs, end to end: a process submits 3 jobs with a FileJobStore and is killed with
// SIGKILL while they run; a new process resumes them. All 3 results are downloaded, nothing is left running
// on the server (the emulator's admin view), and the store is empty afterwards.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator, silentLogger } from "horde-emulator";
import { FileJobStore } from "horde-sdk/node";
import { bundleNodeScript, type NodeScript, runNodeScript } from "horde-test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLIENT = fileURLToPath(new URL("../../fixtures/durable-client.ts", import.meta.url));
const KEY = "sigkill-key-0123456789";

let dir: string;
let script: NodeScript;
let emulator: Emulator;
let url: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "horde-sigkill-"));
  script = await bundleNodeScript(CLIENT);
  // One slow worker: the jobs are still queued or being made when the process is killed.
  emulator = createEmulator({
    logger: silentLogger,
    devWorkers: [{ type: "image", generationMs: 2500 }],
    users: [{ username: "durable", kudos: 100_000, apikey: KEY }],
  });
  url = (await emulator.listen({ port: 0, host: "127.0.0.1" })).url;
});
afterAll(async () => {
  await emulator?.close();
  await script?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("a process killed with SIGKILL while its jobs run", () => {
  it("a new process resumes them: 3 results, nothing left on the server, an empty store", {
    timeout: 60_000,
  }, async () => {
    const storePath = join(dir, "jobs.json");
    const submitter = runNodeScript(script.file, ["submit", url, KEY, storePath]);
    await submitter.waitFor(/(submitted \S+\n){3}/);
    const ids = [...submitter.stdout().matchAll(/submitted (\S+)/g)].map((m) => m[1]);
    submitter.kill("SIGKILL");
    const killed = await submitter.done;
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).not.toContain("all done");

    // What the dead process left: its 3 jobs in the store, running on the server.
    const stored = await new FileJobStore(storePath).list();
    expect(stored.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(stored.every((j) => j.state === "running")).toBe(true);
    expect(emulator.admin.stats().unfinished).toBeGreaterThan(0);

    const resumer = runNodeScript(script.file, ["resume", url, KEY, storePath]);
    const run = await resumer.done;
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as {
      id: string;
      prompt: string;
      images: { bytes: number; webp: string }[];
    }[];
    expect(results.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(results.map((r) => r.prompt).sort()).toEqual(["a castle", "a lighthouse", "a red fox"]);
    for (const r of results) {
      expect(r.images).toHaveLength(1);
      expect(r.images[0]?.webp).toBe("WEBP");
      expect(r.images[0]?.bytes).toBeGreaterThan(100);
    }
    expect(emulator.admin.stats().unfinished).toBe(0);
    expect(
      emulator.admin
        .listRequests()
        .map((r) => [r.id, r.outcome])
        .sort(),
    ).toEqual([...ids].sort().map((id) => [id, "done"]));
    expect(await new FileJobStore(storePath).list()).toEqual([]);
  });
});
