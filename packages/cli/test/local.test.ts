import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createEmulator, type Emulator, type EmulatorOptions } from "horde-emulator";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { defaultDeps, type GenerateDeps } from "../src/commands/generate.js";
import { asClient, run, tempDir, testIO } from "./helpers.js";

/**
 * Real deps, but the test keeps a handle on the emulator (and closes it itself, so its state can be read
 * after the CLI is done). `fast` makes the dev worker quick, for tests that are not about its pace.
 */
function keepEmulator(options: { fast?: boolean } = {}) {
  let emu: Emulator | undefined;
  const deps = {
    createClient: defaultDeps.createClient,
    async createEmulator(o: EmulatorOptions) {
      const devWorkers = options.fast ? [{ generationMs: 50, popIntervalMs: 50, amount: 4 }] : o.devWorkers;
      emu = createEmulator({ ...o, devWorkers });
      return { fetch: emu.fetch, close: async () => {} };
    },
  } satisfies GenerateDeps;
  return {
    deps,
    emulator(): Emulator {
      if (!emu) throw new Error("no emulator was created");
      return emu;
    },
    close: async () => {
      await emu?.close();
    },
  };
}

describe("--local (in-process emulator with a dev worker)", () => {
  it("writes a WebP of the requested size and its sidecar, and prints the path", async () => {
    const out = await tempDir();
    const r = await run([
      "generate",
      "a lighthouse at dusk",
      "--local",
      "--out",
      out,
      "--width",
      "320",
      "--height",
      "192",
    ]);
    expect(r.stderr).not.toMatch(/^horde: /m);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const path = lines[0] as string;
    expect(path).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/[^/]+-0\\.webp$`));
    const meta = await sharp(await readFile(path)).metadata();
    expect(meta.format).toBe("webp");
    expect(meta.width).toBe(320);
    expect(meta.height).toBe(192);
    const sidecar = JSON.parse(await readFile(path.replace(/\.webp$/, ".json"), "utf8"));
    expect(sidecar.prompt).toBe("a lighthouse at dusk");
    expect(typeof sidecar.seed).toBe("string");
    expect(typeof sidecar.model).toBe("string");
    expect(typeof sidecar.worker_id).toBe("string");
    expect(typeof sidecar.worker_name).toBe("string");
    expect(typeof sidecar.censored).toBe("boolean");
    // Plain progress on a non-TTY stderr.
    expect(r.errLines[0]).toMatch(/^job [^:]+: submitted — 1 image, 320x192, 30 steps, on local emulator$/);
    expect(r.errLines.at(-1)).toMatch(/^job [^:]+: done — 1\/1 downloaded/);
  });

  it("--json prints one document with every image", async () => {
    const out = await tempDir();
    const emu = keepEmulator({ fast: true });
    const args = [
      "generate",
      "a fox",
      "--local",
      "--out",
      out,
      "-n",
      "2",
      "--width",
      "128",
      "--height",
      "128",
    ];
    const r = await run([...args, "--json"], { deps: emu.deps });
    await emu.close();
    expect(emu.emulator().admin.stats().requests).toMatchObject({ total: 1, done: 1 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual(["id", "images", "kudos"]);
    expect(doc.images).toHaveLength(2);
    for (const [i, image] of doc.images.entries()) {
      expect(Object.keys(image).sort()).toEqual([
        "censored",
        "model",
        "path",
        "seed",
        "worker_id",
        "worker_name",
      ]);
      expect(image.path).toBe(join(out, `${doc.id}-${i}.webp`));
      expect((await sharp(image.path).metadata()).width).toBe(128);
    }
    expect(typeof doc.kudos).toBe("number");
  });

  it("never runs out of kudos: a request the horde would want kudos upfront for just runs", async () => {
    const out = await tempDir();
    const emu = keepEmulator({ fast: true });
    try {
      // Over 1024x1024-class cost and over 40 steps: the anonymous key gets 403 KudosUpfront for this.
      const args = [
        "generate",
        "a cat",
        "--local",
        "--out",
        out,
        "-n",
        "4",
        "--steps",
        "200",
        "--size",
        "1024x1024",
      ];
      const r = await run([...args, "--json"], { deps: emu.deps });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { images: { path: string }[] };
      expect(doc.images).toHaveLength(4);
      for (const image of doc.images) expect((await sharp(image.path).metadata()).width).toBe(1024);
      // The local user's balance is effectively unlimited, and the request was charged to it.
      const local = emu
        .emulator()
        .describe()
        .users.find((u) => u.username.startsWith("local#"));
      expect(local?.kudos).toBeGreaterThan(1e11);
      const user = await run(["user", "--local", "--json"], { deps: emu.deps });
      expect(user.code).toBe(0);
      expect(JSON.parse(user.stdout).kudos).toBeGreaterThan(1e11);
    } finally {
      await emu.close();
    }
  }, 30_000);

  it("a request no worker can serve fails at once with exit 1, and is cancelled", async () => {
    const emu = keepEmulator({ fast: true });
    try {
      const r = await run(
        ["generate", "a cat", "--local", "--out", await tempDir(), "--model", "no-such-model"],
        {
          deps: emu.deps,
        },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.errLines.at(-1)).toMatch(/^horde: no worker can serve job .* --model/);
      expect(emu.emulator().admin.stats().requests).toMatchObject({ total: 1, active: 0 });
    } finally {
      await emu.close();
    }
  });

  it("Ctrl-C during a job cancels it on the server and exits 130", async () => {
    const t = testIO();
    const emu = keepEmulator();
    const deps: GenerateDeps = { ...emu.deps };
    let id: string | undefined;
    const createClient = emu.deps.createClient;
    deps.createClient = (options) => {
      const client = createClient(options);
      return asClient({
        generateImage: (payload, opts = {}) =>
          client.generateImage(payload, {
            ...opts,
            onSubmitted: (response) => {
              opts.onSubmitted?.(response);
              id = response.id;
              t.sigint(); // the user presses Ctrl-C as soon as the job is queued
            },
          }),
      });
    };
    try {
      const r = await run(["generate", "a slow cat", "--local", "--out", await tempDir(), "-n", "3"], {
        deps,
        io: t,
      });
      expect(r.code).toBe(130);
      expect(id).toBeDefined();
      expect(r.errLines.at(-1)).toBe(`horde: cancelled: job ${id} was cancelled on the server`);
      expect(r.stdout).toBe("");
      // The server saw the DELETE: nothing is left waiting and not all images were made.
      const response = await emu.emulator().fetch(`http://localhost/api/v2/generate/check/${id}`);
      expect(response.status).toBe(200);
      const check = (await response.json()) as { waiting: number; finished: number };
      expect(check.waiting).toBe(0);
      expect(check.finished).toBeLessThan(3);
      const stats = emu.emulator().admin.stats();
      expect(stats.requests).toMatchObject({ total: 1, cancelled: 1, active: 0 });
      expect(stats.orphaned).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});
