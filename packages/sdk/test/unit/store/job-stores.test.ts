// The job stores keep the same contract (MemoryJobStore, FileJobStore); the file store also refuses, naming
// it, a file that is not a job store or is corrupted — and never writes over it.
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { HordeJobStoreError, type JobStore, MemoryJobStore } from "horde-sdk";
import { FileJobStore } from "horde-sdk/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROCESSING, storedJob } from "../../fixtures/stored-job.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "horde-job-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stores: [string, () => JobStore][] = [
  ["MemoryJobStore", () => new MemoryJobStore()],
  ["FileJobStore", () => new FileJobStore(join(dir, "nested", "jobs.json"))],
];

describe.each(stores)("%s", (_name, make) => {
  it("puts, completes with an id, updates and lists; update of a removed job adds nothing", async () => {
    const store = make();
    expect(await store.list()).toEqual([]);
    await store.put(storedJob("k1"));
    await store.put(storedJob("k2", { kind: "text", meta: { out: "pictures", n: [1, 2] } }));
    expect(await store.update("k1", { id: "req-1", state: "running", updatedAt: 2_000 })).toBe(true);
    const progress = PROCESSING;
    expect(await store.update("k1", { progress })).toBe(true);
    const jobs = await store.list();
    expect(jobs.map((j) => j.key).sort()).toEqual(["k1", "k2"]);
    expect(jobs.find((j) => j.key === "k1")).toMatchObject({ id: "req-1", state: "running", progress });
    expect(jobs.find((j) => j.key === "k2")?.meta).toEqual({ out: "pictures", n: [1, 2] });
    await store.remove("k1");
    expect(await store.update("k1", { state: "running" })).toBe(false);
    expect((await store.list()).map((j) => j.key)).toEqual(["k2"]);
  });

  it("remembers the ids of removed jobs (the server lists them until they expire)", async () => {
    const store = make();
    await store.put(storedJob("k1", { id: "req-1", state: "running" }));
    await store.put(storedJob("k2"));
    await store.remove("k1");
    await store.remove("k2"); // no id yet: nothing to remember
    await store.remove("never-there");
    expect(await store.recentlyRemoved?.()).toEqual(["req-1"]);
  });
});

describe("FileJobStore", () => {
  it("writes one JSON document (mode 0600) and leaves no temporary or lock file behind", async () => {
    const path = join(dir, "jobs.json");
    const store = new FileJobStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(storedJob(`k${i}`))));
    const doc = JSON.parse(await readFile(path, "utf8")) as {
      format: string;
      version: number;
      jobs: unknown[];
    };
    expect(doc).toMatchObject({ format: "horde-sdk/job-store", version: 1 });
    expect(doc.jobs).toHaveLength(20);
    expect(await readdir(dir)).toEqual(["jobs.json"]);
    const { mode } = await import("node:fs/promises").then((fs) => fs.stat(path));
    expect(mode & 0o777).toBe(0o600);
  });

  it.each([
    [
      "corrupted JSON",
      '{"format": "horde-sdk/job-store", "version": 1, "jobs": [',
      /is corrupted \(not JSON/,
    ],
    ["another program's JSON", '{"theme": "dark"}\n', /is not a horde-sdk job store/],
    ["a JSON list", "[1, 2, 3]\n", /is not a horde-sdk job store/],
    [
      "a newer version",
      '{"format": "horde-sdk/job-store", "version": 2, "jobs": []}\n',
      /has version 2; this horde-sdk reads version 1/,
    ],
    [
      "a broken entry",
      '{"format": "horde-sdk/job-store", "version": 1, "jobs": [{"key": "k", "kind": "video"}]}\n',
      /is corrupted \(jobs\.0\.kind: /,
    ],
  ])(
    "%s: a HordeJobStoreError naming the file; the file is never overwritten",
    async (_what, text, message) => {
      const path = join(dir, "jobs.json");
      await writeFile(path, text);
      const store = new FileJobStore(path);
      for (const attempt of [
        () => store.list(),
        () => store.put(storedJob("k1")),
        () => store.update("k", { state: "running" }),
        () => store.remove("k"),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HordeJobStoreError);
        expect((error as HordeJobStoreError).where).toBe(path);
        expect((error as Error).message).toContain(path);
        expect((error as Error).message).toMatch(message);
      }
      expect(await readFile(path, "utf8")).toBe(text);
      expect(await readdir(dir)).toEqual(["jobs.json"]);
    },
  );

  it("an empty file is an empty store", async () => {
    const path = join(dir, "jobs.json");
    await writeFile(path, "");
    const store = new FileJobStore(path);
    expect(await store.list()).toEqual([]);
    await store.put(storedJob("k1"));
    expect((await store.list()).map((j) => j.key)).toEqual(["k1"]);
  });

  it("tells a living holder from a dead one (this machine), and counts another machine's as living", async () => {
    const store = new FileJobStore(join(dir, "jobs.json"));
    expect(store.holder).toBe(`${hostname()}:${process.pid}`);
    expect(await store.holderAlive(store.holder)).toBe(true);
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = Number(gone.stdout.toString());
    expect(await store.holderAlive(`${hostname()}:${deadPid}`)).toBe(false);
    expect(await store.holderAlive(`elsewhere.example:${deadPid}`)).toBe(true);
  });

  it("takes over a lock left by a dead process, and a lock older than staleMs", async () => {
    const path = join(dir, "jobs.json");
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const lock = { host: hostname(), pid: Number(gone.stdout.toString()), token: "dead", at: 0 };
    await writeFile(`${path}.lock`, JSON.stringify(lock));
    const store = new FileJobStore(path, { timeoutMs: 2_000 });
    await store.put(storedJob("k1"));
    expect((await store.list()).map((j) => j.key)).toEqual(["k1"]);
    expect(await readdir(dir)).toEqual(["jobs.json"]);

    // A lock of a living process (this one) is waited for, then stolen once older than staleMs.
    await writeFile(`${path}.lock`, JSON.stringify({ ...lock, pid: process.pid, token: "stuck" }));
    const patient = new FileJobStore(path, { timeoutMs: 5_000, staleMs: 300 });
    const started = Date.now();
    await patient.put(storedJob("k2"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await store.list()).map((j) => j.key)).toEqual(["k1", "k2"]);
  });

  it("a lock that stays taken fails the change with a HordeJobStoreError naming the holder", async () => {
    const path = join(dir, "jobs.json");
    await writeFile(
      `${path}.lock`,
      JSON.stringify({ host: hostname(), pid: process.pid, token: "x", at: 0 }),
    );
    const store = new FileJobStore(path, { timeoutMs: 200 });
    const error = await store.put(storedJob("k1")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeJobStoreError);
    expect((error as Error).message).toBe(
      `could not lock the job store ${path} (held by process ${process.pid} on ${hostname()})`,
    );
  });
});
