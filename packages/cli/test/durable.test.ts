/**
 * The job store of the CLI, in-process against one emulator: `horde generate` keeps its job there until the
 * images are saved; `horde jobs` lists what runs left behind, `horde resume` collects it, `horde cancel
 * --all-pending` gives it up. (durable-kill.test.ts kills a real `horde generate` process.)
 */
import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient, type StoredJob, silentLogger } from "horde-sdk";
import { FileJobStore } from "horde-sdk/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliDeps } from "../src/context.js";
import { run, tempDir } from "./helpers.js";

const KEY = "durable-cli-key-012345";
const URL = "http://horde.local/api";
const FLAGS = ["--url", URL, "--api-key", KEY];

let emu: Emulator;
let deps: CliDeps;
/** Each test's config directory (XDG_CONFIG_HOME), and so its job store. */
let home: string;
let storePath: string;
let env: Record<string, string>;
/** What the store held when a submit reached the server. */
let atSubmit: StoredJob[][] = [];

beforeAll(() => {
  emu = createEmulator({
    devWorkers: [{ type: "image", generationMs: 30, popIntervalMs: 30 }],
    rateLimits: false,
    users: [{ username: "durable", kudos: 100_000, apikey: KEY }],
    logger: {},
  });
  deps = {
    createClient: (options) =>
      new AIHordeAPIClient({
        ...options,
        fetch: async (input, init) => {
          if (init?.method === "POST" && String(input).endsWith("/v2/generate/async")) {
            atSubmit.push(await new FileJobStore(storePath).list());
          }
          return emu.fetch(input, init);
        },
      }),
    createEmulator: async () => {
      throw new Error("no --local here");
    },
  };
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  home = await tempDir();
  storePath = join(home, "horde", "jobs.json");
  env = { XDG_CONFIG_HOME: home };
  atSubmit = [];
});

/** The pid of a process that has ended. */
const deadPid = Number(
  spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout,
);

/** A client that submits and then "dies" (never waits), leaving its jobs in the store. */
async function leaveJobs(prompts: string[], meta: Record<string, unknown> = {}): Promise<string[]> {
  const client = new AIHordeAPIClient({
    baseUrl: URL,
    apiKey: KEY,
    fetch: emu.fetch,
    logger: silentLogger,
    jobStore: new FileJobStore(storePath),
  });
  const ids: string[] = [];
  for (const prompt of prompts) {
    const job = await client.submitImage(
      { prompt, params: { width: 64, height: 64, steps: 5 }, models: ["nobody-serves-this"] },
      { meta: { ...meta, request: { prompt, params: {}, server: URL } } },
    );
    ids.push(job.id);
  }
  // As a process that died would leave them: followed by nobody living.
  const store = new FileJobStore(storePath);
  for (const job of await store.list()) await store.update(job.key, { holder: `${hostname()}:${deadPid}` });
  return ids;
}

const outcomeOf = (id: string) => emu.admin.listRequests().find((r) => r.id === id)?.outcome;

describe("horde generate with the job store", () => {
  it("keeps the job from before its submit until its images are saved", async () => {
    const out = join(home, "pictures");
    const r = await run(["generate", "a lighthouse", "--out", out, ...FLAGS], { env, deps });
    expect(r.code, r.stderr).toBe(0);
    expect(atSubmit).toEqual([
      [
        expect.objectContaining({
          state: "submitting",
          id: null,
          meta: expect.objectContaining({ out, format: "webp" }),
        }),
      ],
    ]);
    expect(r.stdout).toMatch(/pictures\/[0-9a-f-]{36}-0\.webp/);
    expect(await new FileJobStore(storePath).list()).toEqual([]);
  });

  it("--no-store writes no job store", async () => {
    const r = await run(["generate", "a lighthouse", "--out", join(home, "p"), "--no-store", ...FLAGS], {
      env,
      deps,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(home)).not.toContain("horde");
  });

  it("a corrupted job store: one line naming it, exit 2, nothing submitted, the file left as it was", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(home, "horde"), { recursive: true });
    await writeFile(storePath, "{ not json");
    const before = emu.admin.listRequests().length;
    for (const args of [
      ["generate", "a lighthouse", "--out", join(home, "p"), ...FLAGS],
      ["jobs"],
      ["resume", ...FLAGS],
    ]) {
      const r = await run(args, { env, deps });
      expect(r.code, args[0]).toBe(2);
      expect(r.errLines).toHaveLength(1);
      expect(r.errLines[0]).toMatch(
        new RegExp(`^horde: the job store ${storePath} is corrupted \\(not JSON`),
      );
    }
    expect(emu.admin.listRequests()).toHaveLength(before);
    expect(await readFile(storePath, "utf8")).toBe("{ not json");
  });
});

describe("horde jobs, horde resume, horde cancel --all-pending", () => {
  it("jobs lists what a run left behind; resume collects it into --out and empties the store", async () => {
    const [id] = await leaveJobs(["a red fox"]);
    const listed = await run(["jobs"], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `^ID +KIND +STATE +AGE +SERVER +FOLLOWED BY +PROMPT\\n${id} +image +submitted +0s +horde\\.local +- +a red fox\\n$`,
      ),
    );
    expect(listed.stdout).toContain("horde.local");
    expect(listed.stdout).toContain("a red fox");
    expect(listed.errLines).toEqual([
      "horde: 1 job left behind: 'horde resume' collects them, 'horde cancel --all-pending' gives up on them",
    ]);
    const json = await run(["jobs", "--json"], { env });
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ id, kind: "image", server: URL, prompt: "a red fox", followed_by: null }),
    ]);

    // A worker for the model comes along; the job finishes; resume saves its image.
    const worker = emu.startDevWorker({ type: "image", models: ["nobody-serves-this"], generationMs: 30 });
    const out = join(home, "resumed");
    const r = await run(["resume", "--out", out, ...FLAGS], { env, deps });
    await worker.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([join(out, `${id}-0.webp`)]);
    const sidecar = JSON.parse(await readFile(join(out, `${id}-0.json`), "utf8")) as { prompt: string };
    expect(sidecar.prompt).toBe("a red fox");
    expect(outcomeOf(id as string)).toBe("done");
    expect(await new FileJobStore(storePath).list()).toEqual([]);
    expect((await run(["jobs"], { env })).stdout).toBe(`no jobs in the job store (${storePath})\n`);
  });

  it("resume saves into the run's own --out by default; --json has one entry per job", async () => {
    const out = join(home, "where-the-run-wanted-them");
    const [id] = await leaveJobs(["a castle"], { out });
    const worker = emu.startDevWorker({ type: "image", models: ["nobody-serves-this"], generationMs: 30 });
    const r = await run(["resume", "--json", ...FLAGS], { env, deps });
    await worker.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({ id, outcome: "collected", images: [join(out, `${id}-0.webp`)] }),
    ]);
  });

  it("cancel --all-pending cancels every unfinished job on the server and empties the store", async () => {
    const ids = await leaveJobs(["one", "two"]);
    const r = await run(["cancel", "--all-pending", ...FLAGS], { env, deps });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual(
      ids.map((id) => `job ${id} (image): cancelled`).sort(),
    );
    for (const id of ids) expect(outcomeOf(id)).toBe("cancelled");
    expect(await new FileJobStore(storePath).list()).toEqual([]);
    const again = await run(["cancel", "--all-pending", ...FLAGS], { env, deps });
    expect(again.stdout).toBe("no pending jobs of horde.local in the job store\n");
  });

  it("a job the server no longer has is dropped with a line and exit 1; an unknown id is exit 1", async () => {
    const store = new FileJobStore(storePath);
    const [id] = await leaveJobs(["soon gone"]);
    const [job] = await store.list();
    await store.update(job?.key as string, { id: "00000000-0000-0000-0000-000000000000" });
    const r = await run(["resume", ...FLAGS], { env, deps });
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([
      "horde: job 00000000-0000-0000-0000-000000000000 (image): expired: the server no longer has it (a request expires 20 minutes after its last activity)",
    ]);
    expect(await store.list()).toEqual([]);
    await run(["cancel", id as string, ...FLAGS], { env, deps });
    const missing = await run(["resume", "no-such-job", ...FLAGS], { env, deps });
    expect(missing.code).toBe(1);
    expect(missing.errLines).toEqual(["horde: no job no-such-job of horde.local in the job store"]);
  });

  it("usage errors exit 2 with one line: cancel without an id, an id with --all-pending, no config directory", async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [["cancel", ...FLAGS], env, "horde: 'horde cancel' needs a job id (or --all-pending)"],
      [
        ["cancel", "some-id", "--all-pending", ...FLAGS],
        env,
        "horde: --all-pending cancels every job in the job store: drop a job id",
      ],
      [
        ["jobs"],
        {},
        "horde: there is no job store: the config directory is unknown (set HOME, XDG_CONFIG_HOME or HORDE_CONFIG)",
      ],
      [
        ["resume", ...FLAGS],
        {},
        "horde: there is no job store: the config directory is unknown (set HOME, XDG_CONFIG_HOME or HORDE_CONFIG)",
      ],
    ];
    for (const [args, caseEnv, line] of cases) {
      const r = await run(args, { env: caseEnv, deps });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.errLines).toEqual([line]);
    }
  });
});
