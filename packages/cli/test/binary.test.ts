/**
 * The built `horde` binary, as a user runs it: each command in a child process (`node bin/horde.js …`)
 * against `horde serve` in another child process on 127.0.0.1 (a free port). Needs the build (`npm ci`
 * runs `tsc -b`; after an edit, `npm run build`). Few tests, each covering several commands, so the suite
 * stays quick; the in-process suites check the details.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fakeOpenai, solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin/horde.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const KEY = `bin-test-key-${Math.random().toString(36).slice(2, 12)}`;

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything the CLI printed in this suite (serve's own output aside): the key must never be in it. */
const printed: string[] = [];

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (or stdout) matches. */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr", timeoutMs?: number): Promise<void>;
  done: Promise<Done>;
}

let dir: string;
let env: NodeJS.ProcessEnv;

function start(args: string[], extraEnv: NodeJS.ProcessEnv = {}, record = true): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, ...extraEnv },
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) w();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) w();
  });
  const done = new Promise<Done>((resolve) => {
    child.on("close", (code, signal) => {
      if (record) printed.push(out, err);
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(pattern, stream = "stderr", timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const text = () => (stream === "stderr" ? err : out);
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern} in:\n${text()}`)),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(text())) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve();
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

/** Runs `horde …` to its end. */
function horde(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Done> {
  return start(args, extraEnv).done;
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

let serve: Running;
let url: string;
let origin: string;
let adminToken: string;

async function admin<T>(path: string): Promise<T> {
  const res = await fetch(`${origin}/_emulator/${path}`, {
    headers: { Authorization: `Bearer ${adminToken}` },
  });
  return (await res.json()) as T;
}

interface RequestSummary {
  id: string;
  outcome: string;
}

/** A request no worker serves: it waits until cancelled. */
async function waitingJob(): Promise<string> {
  const res = await fetch(`${url}/v2/generate/async`, {
    method: "POST",
    headers: { apikey: KEY, "Content-Type": "application/json", "Client-Agent": "binary-test:1:test" },
    body: JSON.stringify({ prompt: "a waiting cat", models: ["nobody-serves-this"] }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: build first (npm run build; npm ci does it)`);
  }
  dir = await mkdtemp(join(tmpdir(), "horde-cli-bin-"));
  // A clean environment: no HORDE_* from the machine, and a HOME without a config file.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("HORDE_") && k !== "XDG_CONFIG_HOME"),
  );
  env.HOME = dir;
  serve = start(
    [
      "serve",
      "--port",
      "0",
      "--json",
      "--seed-user",
      `alice:5000:${KEY}`,
      "--no-rate-limits",
      "--speed",
      "20",
    ],
    {},
    false,
  );
  await serve.waitFor(/\n/, "stdout");
  const info = JSON.parse(serve.stdout()) as {
    url: string;
    origin: string;
    admin_token: string;
    users: { apikey: string }[];
  };
  url = info.url;
  origin = info.origin;
  adminToken = info.admin_token;
  // The admin API is the token holder's only.
  expect((await fetch(`${origin}/_emulator/users`)).status).toBe(401);
  expect(info.users.map((u) => u.apikey)).toEqual([KEY]);
  env.HORDE_URL = url;
  env.HORDE_API_KEY = KEY;
}, 30_000);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each test drives several CLI processes against one server; on a loaded machine they take well over 20 s.
describe("the built binary against `horde serve`", { timeout: 60_000 }, () => {
  it("help lists every command", async () => {
    const r = await horde(["--help"]);
    expect(r.code).toBe(0);
    for (const command of [
      "generate",
      "text",
      "alchemy",
      "check",
      "status",
      "cancel",
      "models",
      "workers",
      "user",
      "kudos",
      "serve",
      "worker",
      "config",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("generate, text and alchemy: files and --json shapes; --local works offline", async () => {
    const out = join(dir, "images");
    const source = join(dir, "source.png");
    await writeFile(source, await solidPng(64, 32, "#2a6"));
    const [image, text, local, alchemy] = await Promise.all([
      horde(["generate", "a lighthouse", "-n", "2", "--size", "128x64", "--out", out, "--json"]),
      horde(["text", "Once upon a time", "--json"]),
      horde(
        ["generate", "a lighthouse", "--local", "--size", "64x64", "--out", join(dir, "local"), "--json"],
        {
          HORDE_URL: "http://127.0.0.1:9/api", // --local never uses it
        },
      ),
      horde(["alchemy", source, "caption", "RealESRGAN_x2plus", "--out", out, "--json"]),
    ]);
    expect(image.stderr).toBe("");
    expect(image.code).toBe(0);
    const doc = JSON.parse(image.stdout);
    expect(Object.keys(doc).sort()).toEqual(["id", "images", "kudos"]);
    expect(doc.images.map((i: { path: string }) => i.path)).toEqual([
      join(out, `${doc.id}-0.webp`),
      join(out, `${doc.id}-1.webp`),
    ]);
    const meta = await sharp(doc.images[0].path).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 128, 64]);
    const sidecar = JSON.parse(await readFile(join(out, `${doc.id}-1.json`), "utf8"));
    expect(sidecar).toMatchObject({ request_id: doc.id, index: 1, prompt: "a lighthouse", censored: false });
    expect(sidecar.worker_name).toBe("dev-worker-1");

    expect(text.code).toBe(0);
    const t = JSON.parse(text.stdout);
    expect(Object.keys(t).sort()).toEqual(["generations", "id", "kudos"]);
    expect(t.generations[0].text.length).toBeGreaterThan(0);

    expect(local.code).toBe(0);
    expect(JSON.parse(local.stdout).images).toHaveLength(1);

    expect(alchemy.code).toBe(0);
    const a = JSON.parse(alchemy.stdout);
    expect(a.forms.map((f: { form: string; state: string }) => [f.form, f.state])).toEqual([
      ["caption", "done"],
      ["RealESRGAN_x2plus", "done"],
    ]);
    expect((await sharp(a.forms[1].path).metadata()).width).toBe(128);
  });

  it("check, status and cancel a job; models, workers, user and config", async () => {
    const id = await waitingJob();
    const reads = Promise.all([
      horde(["models", "--json"]),
      horde(["workers", "--json"]),
      horde(["user", "--json"]),
      horde(["config", "--json"]),
    ]);
    const check = await horde(["check", id, "--json"]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ id, type: "image", done: false, waiting: 1 });
    const status = await horde(["status", id]);
    expect(status.stdout).toMatch(new RegExp(`^job ${id} \\(image\\): `));
    const cancel = await horde(["cancel", id, "--json"]);
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id, type: "image" });
    const requests = await admin<RequestSummary[]>("requests");
    expect(requests.find((q) => q.id === id)?.outcome).toBe("cancelled");

    const [models, workers, user, config] = await reads;
    expect(
      JSON.parse(models.stdout).find((m: { name: string }) => m.name === "stable_diffusion"),
    ).toMatchObject({ name: "stable_diffusion", count: 1 });
    expect(
      JSON.parse(workers.stdout)
        .map((w: { name: string }) => w.name)
        .sort(),
    ).toEqual(["dev-alchemist-1", "dev-text-worker-1", "dev-worker-1"]);
    expect(JSON.parse(user.stdout)).toMatchObject({ username: "alice#1" });
    expect(JSON.parse(config.stdout)).toMatchObject({
      url: { value: url, source: "env HORDE_URL" },
      api_key: { value: `****${KEY.slice(-4)}`, source: "env HORDE_API_KEY" },
      file: { path: join(dir, ".config", "horde", "config.json"), exists: false },
    });
  });

  it("Ctrl-C during a generation cancels the job on the server and exits 130", async () => {
    const gen = start([
      "generate",
      "a cat nobody draws",
      "--model",
      "nobody-serves-this",
      "--wait-for-worker",
    ]);
    await gen.waitFor(/submitted/);
    const id = /job (\S+): submitted/.exec(gen.stderr())?.[1] as string;
    gen.child.kill("SIGINT");
    const r = await gen.done;
    expect(r.code).toBe(130);
    expect(lines(r.stderr).at(-1)).toBe(`horde: cancelled: job ${id} was cancelled on the server`);
    expect(r.stdout).toBe("");
    const requests = await admin<RequestSummary[]>("requests");
    expect(requests.find((q) => q.id === id)?.outcome).toBe("cancelled");
  });

  it("bad input: one line, exit 2, nothing sent; an unreachable server: exit 3", async () => {
    const notImage = join(dir, "broken.png");
    await writeFile(notImage, "not an image");
    const before = (await admin<{ requests: { total: number } }>("stats")).requests.total;
    // A few cases per kind of mistake (the in-process suites check every flag).
    const cases: [string[], RegExp][] = [
      [
        ["generate", "a cat", "--widht", "512"],
        /^horde: unknown option '--widht' \(Did you mean --width\?\)$/m,
      ],
      [["generate", "a cat", "--steps", "many"], /^horde: option '--steps <N>' argument 'many' is invalid/],
      [["generate", "a cat", "--image", join(dir, "missing.png")], /^horde: --image: no such file/],
      [["alchemy", notImage, "caption"], /is not an image the horde can read/],
      [["kudos", "transfer", "bob", "10"], /like alice#1234/],
    ];
    const port = await closedPort();
    const [down, ...results] = await Promise.all([
      horde(["generate", "a cat", "--timeout", "1"], { HORDE_URL: `http://127.0.0.1:${port}/api` }),
      ...cases.map(([args]) => horde(args)),
    ]);
    results.forEach((r, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(lines(r.stderr), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    });
    expect((await admin<{ requests: { total: number } }>("stats")).requests.total).toBe(before);

    expect(down?.code).toBe(3);
    expect(lines(down?.stderr ?? "")).toHaveLength(1);
    expect(down?.stderr).toMatch(/^horde: cannot reach http:\/\/127\.0\.0\.1:\d+\/api.*try --local/);
  });

  it("worker --exec bridges a command; SIGINT lets the job in flight finish, then exits 0", async () => {
    const png = join(dir, "bridge.png");
    await writeFile(png, await solidPng(64, 64, "#c33"));
    const worker = start([
      "worker",
      "--exec",
      `sleep 1; cat ${JSON.stringify(png)}`,
      "--model",
      "bridge-model",
      "--name",
      "bin-bridge",
      "--json",
    ]);
    await worker.waitFor(/takes jobs from/);
    const gen = start([
      "generate",
      "via the bridge",
      "--model",
      "bridge-model",
      "--size",
      "64x64",
      "--out",
      dir,
      "--json",
    ]);
    await worker.waitFor(/popped/);
    worker.child.kill("SIGINT"); // while the command is still running
    const [w, g] = await Promise.all([worker.done, gen.done]);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout).images[0].worker_name).toBe("bin-bridge");
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/stopping: finishing 1 job in flight/);
    expect(JSON.parse(w.stdout)).toMatchObject({ name: "bin-bridge", completed: 1, faulted: 0 });
    expect((await admin<{ unfinished: number }>("stats")).unfinished).toBe(0);
  });

  it("worker --backend openai --url … serves a text job through an OpenAI-compatible server", async () => {
    const fake = await fakeOpenai({ models: ["bin-model.gguf"] });
    try {
      const worker = start([
        "worker",
        "--backend",
        "openai",
        "--backend-url",
        fake.url,
        "--url",
        url,
        "--model",
        "bin-llm",
        "--name",
        "bin-openai",
        "--json",
      ]);
      await worker.waitFor(/takes jobs from/);
      const text = await horde(["text", "Once upon a time", "--model", "bin-llm", "--json"]);
      expect(text.code, text.stderr).toBe(0);
      expect(JSON.parse(text.stdout).generations[0]).toMatchObject({
        text: " there was a lighthouse keeper who counted the waves.",
        worker_name: "bin-openai",
      });
      worker.child.kill("SIGINT");
      const w = await worker.done;
      expect(w.code, w.stderr).toBe(0);
      expect(w.stderr).toMatch(
        /^horde: the openai backend at http:\/\/127\.0\.0\.1:\d+ answers \(bin-model\.gguf\)$/m,
      );
      expect(JSON.parse(w.stdout)).toMatchObject({
        name: "bin-openai",
        kind: "text",
        completed: 1,
        faulted: 0,
      });
      expect(fake.callsTo("POST", "/v1/completions")[0]?.body).toMatchObject({
        model: "bin-model.gguf",
        prompt: "Once upon a time",
        stream: true,
      });
      expect(fake.rejected).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it("never prints the API key, in any output of any command", () => {
    expect(printed.length).toBeGreaterThan(20);
    for (const text of printed) expect(text).not.toContain(KEY);
  });

  it("serve stops on SIGTERM and exits 0", async () => {
    serve.child.kill("SIGTERM");
    const r = await serve.done;
    expect(r.code).toBe(0);
    const port = Number(new URL(origin).port);
    await expect(stat(dir)).resolves.toBeTruthy();
    await expect(fetch(`http://127.0.0.1:${port}/api/v2/status/heartbeat`)).rejects.toThrow();
  });
});
