/**
 * Every command, in-process, against one emulator with fast dev workers of each kind (the client is given
 * the emulator's fetch for `--url http://horde.local/api`). The subprocess suite (binary.test.ts) proves
 * the same over real sockets with the built binary; these are the fast, detailed checks.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";
import { solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateDeps } from "../src/commands/generate.js";
import type { CliDeps } from "../src/context.js";
import { run, tempDir, testIO } from "./helpers.js";

const KEY = "alice-test-key-0123456789";
const URL_FLAGS = ["--url", "http://horde.local/api", "--api-key", KEY];
const FAST = { generationMs: 30, popIntervalMs: 30 };

let emu: Emulator;
let localRuns = 0;
let deps: CliDeps;
let png: string;
let suiteDir: string;

beforeAll(async () => {
  emu = createEmulator({
    devWorkers: [
      { type: "image", ...FAST, amount: 4 },
      { type: "text", ...FAST },
      { type: "alchemy", ...FAST },
    ],
    rateLimits: false,
    // Trusted: the worker tests register more than the 3 workers an untrusted account may have.
    users: [{ username: "alice", kudos: 5000, apikey: KEY, trusted: true }],
    logger: {},
  });
  deps = {
    createClient: (options) => new AIHordeAPIClient({ ...options, fetch: options.fetch ?? emu.fetch }),
    // The shared emulator stands in for --local's own: it gets the user each --local run asks for (under a
    // name of its own, since every run seeds one).
    createEmulator: async (options) => {
      for (const user of options.users ?? []) {
        emu.admin.seedUser({ ...user, username: `${user.username}-${++localRuns}` });
      }
      return { fetch: emu.fetch, close: async () => {} };
    },
  };
  suiteDir = await mkdtemp(join(tmpdir(), "horde-cli-commands-"));
  png = join(suiteDir, "source.png");
  await writeFile(png, await solidPng(64, 64, { r: 10, g: 200, b: 30 }));
});
afterAll(async () => {
  await emu.close();
  await rm(suiteDir, { recursive: true, force: true });
});

/** Requests the emulator has seen so far (to prove that bad input sends nothing). */
const requestCount = () => emu.admin.stats().requests.total;

/** A job no worker serves: it waits until cancelled. */
/** Each case's command line is refused as a usage error: exit 2, one line on stderr matching its message. */
async function expectUsageErrors(
  cases: [string[], RegExp][],
  line: (args: string[]) => string[] | Promise<string[]>,
  deps: GenerateDeps,
): Promise<void> {
  for (const [args, message] of cases) {
    const r = await run(await line(args), { deps });
    expect(r.code, args.join(" ")).toBe(2);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(message);
  }
}

/** Each case is a usage error (as expectUsageErrors checks), and not one request reached the emulator. */
async function expectRefusedUnsent(
  cases: [string[], RegExp][],
  line: (args: string[]) => string[] | Promise<string[]> = (args) => [...args, ...URL_FLAGS],
): Promise<void> {
  const before = requestCount();
  await expectUsageErrors(cases, line, deps);
  expect(requestCount()).toBe(before);
}

async function waitingJob(): Promise<string> {
  const client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", apiKey: KEY, fetch: emu.fetch });
  const job = await client.submitImage({
    prompt: "a waiting cat",
    models: ["no-such-model"],
    params: { n: 2 },
  });
  return job.id;
}

describe("text", () => {
  it("prints the text; --json has the stable shape", async () => {
    const [plain, r] = await Promise.all([
      run(["text", "Once upon a time", ...URL_FLAGS], { deps }),
      run(["text", "Once upon a time", "-n", "2", "--max-length", "32", "--json", ...URL_FLAGS], { deps }),
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().length).toBeGreaterThan(10);
    expect(plain.errLines[0]).toMatch(/^job \S+: submitted — 1 text, 80 tokens, on horde\.local$/);
    expect(plain.errLines.at(-1)).toMatch(/: done — 1\/1 received/);

    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(["generations", "id", "kudos"]);
    expect(doc.generations).toHaveLength(2);
    expect(Object.keys(doc.generations[0]).sort()).toEqual([
      "model",
      "seed",
      "state",
      "text",
      "worker_id",
      "worker_name",
    ]);
    expect(doc.generations[0].worker_name).toMatch(/text/);
  });

  it("reads the prompt from stdin with '-', and separates several texts with ---", async () => {
    const t = testIO();
    t.io.readStdin = async () => "a prompt from a pipe\n";
    const r = await run(["text", "-", "-n", "2", ...URL_FLAGS], { deps, io: t });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n---\n")).toHaveLength(2);
  });

  it("draws the live progress line on a terminal, and restores the cursor", async () => {
    const r = await run(["text", "hi", ...URL_FLAGS], { deps, tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1\/1 finished/);
    expect(r.stderr).toContain("\x1B[?25h");
    expect(r.stdout).not.toContain("\x1B");
  });

  it("runs offline with --local (a dev text worker)", async () => {
    const r = await run(["text", "hello", "--local", "--json"], { deps });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).generations).toHaveLength(1);
  });

  it("bad input: exit 2, one line, nothing sent", async () => {
    await expectRefusedUnsent([
      [["text", "x", "--max-length", "8"], /--max-length.*16 to 4096/],
      [["text", "x", "--temperature", "hot"], /--temperature.*0 to 5/],
      [["text", "--prompt-file", "/no/such/file"], /--prompt-file: no such file/],
      [["text"], /the prompt is empty/],
      [["text", "x", "--colour"], /unknown option '--colour'/],
    ]);
  });
});

describe("alchemy", () => {
  it("runs forms on a file: results, the upscaled image saved, --json shape", async () => {
    const out = await tempDir();
    const [r, plain] = await Promise.all([
      run(["alchemy", png, "caption", "nsfw", "RealESRGAN_x2plus", "--out", out, "--json", ...URL_FLAGS], {
        deps,
      }),
      run(["alchemy", png, "caption", "--local"], { deps }),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(["forms", "id"]);
    expect(doc.forms.map((f: { form: string }) => f.form)).toEqual(["caption", "nsfw", "RealESRGAN_x2plus"]);
    for (const f of doc.forms) expect(Object.keys(f).sort()).toEqual(["form", "path", "result", "state"]);
    expect(typeof doc.forms[0].result.caption).toBe("string");
    expect(doc.forms[1].result.nsfw).toBe(false);
    const upscaled = doc.forms[2].path as string;
    expect(upscaled).toBe(join(out, `${doc.id}-RealESRGAN_x2plus.webp`));
    const meta = await sharp(upscaled).metadata();
    expect(meta.format).toBe("webp");
    expect(meta.width).toBe(128);

    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^caption: \S/);
  });

  it("bad input: unknown forms, missing and unreadable files → exit 2, nothing sent", async () => {
    const notImage = join(await tempDir(), "notes.png");
    await writeFile(notImage, "these are not pixels");
    await expectRefusedUnsent([
      [["alchemy", png, "captoin"], /unknown alchemy form 'captoin'/],
      [["alchemy", png, "upscale"], /unknown alchemy form 'upscale'/],
      [["alchemy", "/no/such.png", "caption"], /<image>: no such file: \/no\/such\.png/],
      [["alchemy", notImage, "caption"], /is not an image the horde can read/],
      [["alchemy", png], /missing required argument 'form'/],
    ]);
  });
});

describe("generate: the full set of options", () => {
  it("img2img from a file, LoRAs, post-processing, PNG output with sidecars", async () => {
    const out = await tempDir();
    const r = await run(
      [
        "generate",
        "a green square, in winter",
        "--image",
        png,
        "--denoise",
        "0.5",
        "--size",
        "128x64",
        "--lora",
        "GlowingRunes:0.8:1",
        "--lora",
        "12345",
        "--post-process",
        "GFPGAN",
        "--censor",
        "--format",
        "png",
        "--out",
        out,
        "--json",
        ...URL_FLAGS,
      ],
      { deps },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const path = doc.images[0].path as string;
    expect(path).toBe(join(out, `${doc.id}-0.png`));
    const meta = await sharp(path).metadata();
    expect(meta.format).toBe("png");
    expect([meta.width, meta.height]).toEqual([128, 64]);
    const sidecar = JSON.parse(await readFile(join(out, `${doc.id}-0.json`), "utf8"));
    expect(sidecar).toMatchObject({
      format: "png",
      source_processing: "img2img",
      censor_nsfw: true,
      nsfw: false,
      params: {
        denoising_strength: 0.5,
        loras: [{ name: "GlowingRunes", model: 0.8, clip: 1 }, { name: "12345" }],
        post_processing: ["GFPGAN"],
      },
    });
    expect(JSON.stringify(sidecar)).not.toContain("source_image");
  });

  it("--dry-run prints the kudos and queues nothing", async () => {
    const before = requestCount();
    const r = await run(["generate", "a castle", "--steps", "50", "--dry-run", "--json", ...URL_FLAGS], {
      deps,
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ dry_run: true, kudos: expect.any(Number) });
    expect(doc.kudos).toBeGreaterThan(0);
    const plain = await run(["generate", "a castle", "--dry-run", ...URL_FLAGS], { deps });
    expect(plain.stdout).toMatch(
      /^\d+(\.\d+)? kudos for 1 image \(512x512, 30 steps, on horde\.local\); nothing was queued\n$/,
    );
    expect(requestCount()).toBe(before);
  });

  it("bad input: exit 2, one line, nothing sent", async () => {
    const notImage = join(await tempDir(), "photo.jpg");
    await writeFile(notImage, new Uint8Array([1, 2, 3, 4, 5]));
    await expectRefusedUnsent(
      [
        [["--image", "/no/such/photo.png"], /--image: no such file/],
        [["--image", notImage], /--image: .*photo\.jpg is not an image/],
        [["--mask", png], /--mask needs a source image \(--image\)/],
        [["--nsfw", "--censor"], /contradict/],
        [["--size", "500x512"], /--size.*multiple of 64/],
        [["--size", "512"], /WIDTHxHEIGHT/],
        [["--size", "512x512", "--width", "512"], /--size cannot be combined/],
        [["--lora", "x:9"], /LoRA strengths must be from -5 to 5/],
        [["--denoise", "2"], /--denoise.*0\.01 to 1/],
        [["--format", "gif"], /--format.*Allowed choices are webp, png/],
        [["--cfg-scale", "1e3"], /--cfg-scale.*0 to 100/],
      ],
      async (args) => ["generate", "a cat", "--out", await tempDir(), ...args, ...URL_FLAGS],
    );
  });
});

describe("check, status, cancel", () => {
  it("check and status show a waiting job; cancel cancels it on the server", async () => {
    const id = await waitingJob();
    const check = await run(["check", id, "--json", ...URL_FLAGS], { deps });
    expect(check.code).toBe(0);
    const doc = JSON.parse(check.stdout);
    expect(Object.keys(doc).sort()).toEqual(
      [
        "done",
        "faulted",
        "finished",
        "id",
        "is_possible",
        "kudos",
        "processing",
        "queue_position",
        "restarted",
        "state",
        "type",
        "wait_time",
        "waiting",
      ].sort(),
    );
    expect(doc).toMatchObject({ id, type: "image", state: "impossible", waiting: 2, done: false });

    const plain = await run(["check", id, ...URL_FLAGS], { deps });
    expect(plain.stdout).toMatch(new RegExp(`^job ${id} \\(image\\): impossible — .*0/2 finished`));

    const status = await run(["status", id, "--json", ...URL_FLAGS], { deps });
    expect(JSON.parse(status.stdout)).toMatchObject({ id, type: "image", generations: [] });

    const cancel = await run(["cancel", id, ...URL_FLAGS], { deps });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^job ${id} \\(image\\): cancelled — 0/2 finished`));
    expect(emu.admin.listRequests().find((q) => q.id === id)?.outcome).toBe("cancelled");
  });

  it("finds text and alchemy jobs by asking, and saves finished images with status --out", async () => {
    const client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", apiKey: KEY, fetch: emu.fetch });
    const [text, image] = await Promise.all([
      client.generateText({ prompt: "hi" }),
      client.generateImage({ prompt: "a cat", params: { width: 64, height: 64 } }),
    ]);
    const r = await run(["status", text.id, "--json", ...URL_FLAGS], { deps });
    expect(JSON.parse(r.stdout)).toMatchObject({
      type: "text",
      done: true,
      generations: [{ text: text.texts[0] }],
    });

    const out = await tempDir();
    const saved = await run(["status", image.id, "--out", out, ...URL_FLAGS], { deps });
    expect(saved.code).toBe(0);
    const path = join(out, `${image.id}-0.webp`);
    expect(saved.stdout).toContain(path);
    expect((await sharp(path).metadata()).width).toBe(64);
  });

  it("an unknown id exits 1 with one line; an empty id exits 2", async () => {
    const r = await run(["check", "0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a", ...URL_FLAGS], { deps });
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([
      "horde: no job 0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a on the server: unknown, or expired (the horde forgets a request 20 minutes after its last activity)",
    ]);
    const empty = await run(["cancel", " ", ...URL_FLAGS], { deps });
    expect(empty.code).toBe(2);
    const badType = await run(["check", "x", "--type", "video", ...URL_FLAGS], { deps });
    expect(badType.code).toBe(2);
    expect(badType.errLines[0]).toMatch(/Allowed choices are image, text, alchemy/);
  });
});

describe("models, workers, user", () => {
  it("models: a table, or JSON with the server's names", async () => {
    const table = await run(["models", ...URL_FLAGS], { deps });
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^MODEL\s+WORKERS\s+JOBS\s+QUEUED MPS\s+ETA$/);
    expect(table.stdout).toMatch(/^stable_diffusion\s+1\s/m);
    const json = await run(["models", "--type", "text", "--json", ...URL_FLAGS], { deps });
    const models = JSON.parse(json.stdout);
    expect(models.length).toBeGreaterThan(0);
    expect(Object.keys(models[0]).sort()).toEqual([
      "count",
      "eta",
      "jobs",
      "name",
      "performance",
      "queued",
      "type",
    ]);
    expect(models[0].type).toBe("text");
    const none = await run(["models", "--search", "zzz-nothing", ...URL_FLAGS], { deps });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
  });

  it("workers: a table, one worker by name, a missing one exits 1", async () => {
    const list = await run(["workers", ...URL_FLAGS], { deps });
    expect(list.stdout).toMatch(/^NAME\s+ID\s+TYPE\s+STATE/);
    expect(list.stdout).toMatch(/dev-alchemist-1 .* alchemy /);
    const json = await run(["workers", "--type", "text", "--json", ...URL_FLAGS], { deps });
    const workers = JSON.parse(json.stdout);
    expect(workers.map((w: { type: string }) => w.type)).toEqual(["text"]);
    const one = await run(["workers", "dev-worker-1", ...URL_FLAGS], { deps });
    expect(one.stdout).toMatch(/^name\s+dev-worker-1$/m);
    const missing = await run(["workers", "nobody", ...URL_FLAGS], { deps });
    expect(missing.code).toBe(1);
    expect(missing.errLines).toEqual(["horde: no worker named 'nobody'"]);
  });

  it("user: the account behind the key (find_user), or one by id", async () => {
    const me = await run(["user", "--json", ...URL_FLAGS], { deps });
    expect(me.code).toBe(0);
    const doc = JSON.parse(me.stdout);
    expect(doc.username).toBe("alice#1");
    expect(typeof doc.kudos).toBe("number");
    expect(me.stdout).not.toContain(KEY);
    const table = await run(["user", ...URL_FLAGS], { deps });
    expect(table.stdout).toMatch(/^user\s+alice#1$/m);
    const byId = await run(["user", "alice#1", ...URL_FLAGS], { deps });
    expect(byId.stdout).toMatch(/^user\s+alice#1$/m);
    const bad = await run(["user", "alice", ...URL_FLAGS], { deps });
    expect(bad.code).toBe(2);
    const unknown = await run(["user", "999", ...URL_FLAGS], { deps });
    expect(unknown.code).toBe(1);
    expect(unknown.errLines).toEqual(["horde: no user with id 999"]);
  });
});

describe("kudos transfer", () => {
  /** The emulator does not do transfers: answer POST /v2/kudos/transfer here, the rest goes to it. */
  function transferDeps(answer: (request: Request) => Promise<Response>) {
    const seen: Request[] = [];
    const fetch = async (input: Request | string | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      if (new URL(request.url).pathname.endsWith("/v2/kudos/transfer")) {
        seen.push(request.clone());
        return answer(request);
      }
      return emu.fetch(request);
    };
    const d: CliDeps = {
      createClient: (options) => new AIHordeAPIClient({ ...options, fetch }),
      createEmulator: deps.createEmulator,
    };
    return { deps: d, seen };
  }

  it("sends the transfer with an idempotency key and prints what moved", async () => {
    const t = transferDeps(async () => Response.json({ transferred: 25 }));
    const r = await run(["kudos", "transfer", "bob#2", "25", "--json", ...URL_FLAGS], { deps: t.deps });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toEqual({ username: "bob#2", transferred: 25, idempotency_key: expect.any(String) });
    expect(t.seen).toHaveLength(1);
    const sent = t.seen[0] as Request;
    expect(await sent.json()).toEqual({ username: "bob#2", amount: 25 });
    expect(sent.headers.get("idempotency-key")).toBe(doc.idempotency_key);
    const plain = await run(["kudos", "transfer", "bob#2", "25", "--idempotency-key", "k-1", ...URL_FLAGS], {
      deps: t.deps,
    });
    expect(plain.stdout).toBe("transferred 25 kudos to bob#2\n");
    expect(t.seen[1]?.headers.get("idempotency-key")).toBe("k-1");
  });

  it("a lost answer says how to retry without moving the kudos twice (exit 3)", async () => {
    const t = transferDeps(async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    });
    const r = await run(
      ["kudos", "transfer", "bob#2", "5", "--idempotency-key", "retry-me-1", ...URL_FLAGS],
      { deps: t.deps },
    );
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/may or may not have happened.*--idempotency-key retry-me-1$/);
    expect(t.seen).toHaveLength(1); // never retried automatically
  });

  it("refuses the anonymous key, a bad receiver and a bad amount before sending", async () => {
    const t = transferDeps(async () => Response.json({ transferred: 1 }));
    await expectUsageErrors(
      [
        [["bob#2", "5", "--url", "http://horde.local/api"], /anonymous key has no kudos/],
        [["bob", "5", ...URL_FLAGS], /like alice#1234/],
        [["bob#2", "-5", ...URL_FLAGS], /unknown option '-5'|argument '-5'|at least 1/],
        [["bob#2", "2.5", ...URL_FLAGS], /at least 1/],
      ],
      (args) => ["kudos", "transfer", ...args],
      t.deps,
    );
    expect(t.seen).toHaveLength(0);
  });
});

describe("config", () => {
  it("shows where each setting comes from: flags > env > file > default; the key masked", async () => {
    const dir = await tempDir();
    const file = join(dir, "config.json");
    await writeFile(file, JSON.stringify({ url: "http://file.test/api", api_key: "file-key-0123456789" }));
    const env = { HORDE_CONFIG: file, HORDE_CLIENT_AGENT: "env-agent:1:me" };
    const r = await run(["config", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file: { path: file, exists: true },
      url: { value: "http://file.test/api", source: "config file" },
      api_key: { value: "****6789", source: "config file" },
      client_agent: { value: "env-agent:1:me", source: "env HORDE_CLIENT_AGENT" },
    });
    const flags = await run(["config", "--url", "http://flag.test/api"], {
      env: { ...env, HORDE_URL: "http://env.test/api" },
    });
    expect(flags.stdout).toMatch(/^url\s+http:\/\/flag\.test\/api\s+\(flag --url\)$/m);
    expect(flags.stdout).toMatch(/^api key\s+\*\*\*\*6789\s+\(config file\)$/m);
    expect(flags.stdout).not.toContain("file-key-0123456789");
  });

  it("set and unset edit the file (0600); the file's URL and key are used by commands", async () => {
    const file = join(await tempDir(), "horde", "config.json");
    const env = { HORDE_CONFIG: file };
    expect((await run(["config", "set", "url", "http://horde.local/api"], { env })).code).toBe(0);
    const t = testIO({ env });
    t.io.readStdin = async () => `${KEY}\n`;
    const set = await run(["config", "set", "api-key"], { io: t });
    expect(set.code).toBe(0);
    expect(set.stderr).toBe(`horde: api-key = ****6789 saved in ${file}\n`);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ url: "http://horde.local/api", api_key: KEY });
    const { stat } = await import("node:fs/promises");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const me = await run(["user", "--json"], { env, deps });
    expect(JSON.parse(me.stdout).username).toBe("alice#1");
    expect((await run(["config", "unset", "api-key"], { env })).code).toBe(0);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ url: "http://horde.local/api" });
    expect((await run(["config", "path"], { env })).stdout).toBe(`${file}\n`);
  });

  it("a broken config file or a bad setting is a usage error", async () => {
    const file = join(await tempDir(), "config.json");
    await writeFile(file, "{ not json");
    const broken = await run(["models", "--json"], { env: { HORDE_CONFIG: file }, deps });
    expect(broken.code).toBe(2);
    expect(broken.errLines[0]).toMatch(/^horde: the config file .* is not valid JSON/);
    await writeFile(file, JSON.stringify({ colour: "red" }));
    expect((await run(["config"], { env: { HORDE_CONFIG: file } })).errLines[0]).toMatch(
      /unknown setting 'colour'/,
    );
    const bad = await run(["config", "set", "colour", "red"], { env: { HORDE_CONFIG: file } });
    expect(bad.code).toBe(2);
    expect(bad.errLines[0]).toMatch(/url, api-key or client-agent/);
    const badUrl = await run(["config", "set", "url", "nope"], { env: { HORDE_CONFIG: file } });
    expect(badUrl.code).toBe(2);
  });
});

describe("worker", () => {
  /** A one-pixel-ish PNG the --exec command prints. */
  async function pngFile(): Promise<string> {
    const path = join(await tempDir(), "out.png");
    await writeFile(path, await solidPng(64, 64, "#3366cc"));
    return path;
  }

  async function serveOne(
    args: string[],
    model: string,
    check: (client: AIHordeAPIClient, stderr: () => string) => Promise<void>,
  ) {
    const t = testIO();
    const running = run(["worker", ...args, "--model", model, ...URL_FLAGS], { deps, io: t });
    const client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", apiKey: KEY, fetch: emu.fetch });
    try {
      await check(client, t.stderr);
    } finally {
      t.sigint();
    }
    return running;
  }

  it("--exec: the command gets the job as JSON and its PNG becomes the WebP result; Ctrl-C stops it", async () => {
    const dir = await tempDir();
    const image = await pngFile();
    const seen = join(dir, "job.json");
    const command = `cat > ${JSON.stringify(seen)}; cat ${JSON.stringify(image)}`;
    const r = await serveOne(
      ["--exec", command, "--name", "exec-worker-1"],
      "bridge-model",
      async (client) => {
        const result = await client.generateImage({
          prompt: "a blue square ### red",
          models: ["bridge-model"],
          params: { width: 64, height: 64, seed: "7" },
        });
        expect(result.images[0]?.generation.worker_name).toBe("exec-worker-1");
        expect((await sharp(result.images[0]?.bytes as Uint8Array).metadata()).format).toBe("webp");
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^job \S+: done, \+[\d.]+ kudos/m);
    expect(r.errLines.at(-1)).toMatch(/^horde: worker 'exec-worker-1' stopped: 1 done, 0 faulted/);
    const job = JSON.parse(await readFile(seen, "utf8"));
    expect(job).toMatchObject({
      kind: "image",
      index: 0,
      n: 1,
      model: "bridge-model",
      positive_prompt: "a blue square",
      negative_prompt: "red",
      width: 64,
      height: 64,
      seed: 7,
      source_image: null,
    });
  });

  it("--exec: a failing command faults the job (the horde re-queues it)", async () => {
    const r = await serveOne(
      ["--exec", "exit 3", "--name", "broken-worker"],
      "broken-model",
      async (client, stderr) => {
        const job = await client.submitImage({ prompt: "x", models: ["broken-model"] });
        for (let i = 0; i < 200 && !/faulted/.test(stderr()); i++)
          await new Promise((res) => setTimeout(res, 20));
        await job.cancel();
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/faulted \(error\): 'exit 3' exited with code 3/);
  });

  it("--dev serves text jobs", async () => {
    const r = await serveOne(
      ["--dev", "--type", "text", "--name", "dev-text-2"],
      "my-llm",
      async (client) => {
        const result = await client.generateText({ prompt: "hello", models: ["my-llm"] });
        expect(result.generations[0]?.worker_name).toBe("dev-text-2");
      },
    );
    expect(r.code).toBe(0);
  });

  it("needs --dev, --exec or --backend, a real key and a URL", async () => {
    await expectRefusedUnsent(
      [
        [["worker", ...URL_FLAGS], /--dev .*, --exec .* or --backend/],
        [["worker", "--dev", "--exec", "x", ...URL_FLAGS], /cannot be used together/],
        [["worker", "--dev", "--url", "http://horde.local/api"], /anonymous key cannot run workers/],
        [
          ["worker", "--dev", "--type", "text", "--max-pixels", "4096", ...URL_FLAGS],
          /--max-pixels is for image/,
        ],
      ],
      (args) => args,
    );
  });
});
