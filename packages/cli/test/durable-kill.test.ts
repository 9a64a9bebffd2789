/**
 * A `horde generate` process killed with SIGKILL while its job runs: a new `horde resume` process collects
 * the images into the run's --out, nothing is left running on the server (the emulator's admin view), and
 * the job store is empty afterwards. Both are real processes (the CLI bundled from its sources) against an
 * emulator listening on 127.0.0.1.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator, silentLogger } from "horde-emulator";
import { FileJobStore } from "horde-sdk/node";
import { bundleNodeScript, type NodeScript, runNodeScript } from "horde-test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const HORDE = fileURLToPath(new URL("./fixtures/horde.ts", import.meta.url));
const KEY = "kill-test-key-01234567";

let dir: string;
let script: NodeScript;
let emulator: Emulator;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "horde-cli-kill-"));
  script = await bundleNodeScript(HORDE);
  emulator = createEmulator({
    logger: silentLogger,
    devWorkers: [{ type: "image", generationMs: 3000 }],
    users: [{ username: "killed", kudos: 100_000, apikey: KEY }],
  });
  const { url } = await emulator.listen({ port: 0, host: "127.0.0.1" });
  // No HORDE_* of the machine; the config directory (and so the job store) in the test's folder.
  env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("HORDE_"))),
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, "config"),
    HORDE_URL: url,
    HORDE_API_KEY: KEY,
  };
}, 60_000);
afterAll(async () => {
  await emulator?.close();
  await script?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("horde generate, killed", () => {
  it("horde resume collects its images; nothing left on the server; an empty job store", {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, "pictures");
    const generate = runNodeScript(script.file, ["generate", "a lighthouse", "-n", "2", "--out", out], env);
    // Plain progress lines go to stderr; wait for the submit, then kill while the job runs.
    await generate.waitFor(/job (\S+): submitted/, { stream: "stderr" });
    const id = /job (\S+): submitted/.exec(generate.stderr())?.[1] as string;
    generate.kill("SIGKILL");
    expect((await generate.done).signal).toBe("SIGKILL");
    const storePath = join(dir, "config", "horde", "jobs.json");
    expect((await new FileJobStore(storePath).list()).map((j) => j.id)).toEqual([id]);
    expect(emulator.admin.stats().unfinished).toBe(1);

    const jobs = await runNodeScript(script.file, ["jobs"], env).done;
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout).toContain(id);
    expect(jobs.stdout).toContain("a lighthouse");

    const resume = await runNodeScript(script.file, ["resume"], env).done;
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout.trim().split("\n").sort()).toEqual([
      join(out, `${id}-0.webp`),
      join(out, `${id}-1.webp`),
    ]);
    expect((await readdir(out)).sort()).toEqual([
      `${id}-0.json`,
      `${id}-0.webp`,
      `${id}-1.json`,
      `${id}-1.webp`,
    ]);
    expect(emulator.admin.stats().unfinished).toBe(0);
    expect(emulator.admin.listRequests()).toMatchObject([{ id, outcome: "done" }]);
    expect(await new FileJobStore(storePath).list()).toEqual([]);
  });
});
