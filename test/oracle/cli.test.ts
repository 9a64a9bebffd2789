/**
 * The built `horde` binary against the real AI Horde server: `horde worker --dev` serves what
 * `horde generate` and `horde text` ask for, in two child processes, as a user would run them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOracleUser, oracleInfo, uniqueName, useOracle } from "horde-test-support/oracle";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const oracle = useOracle();
const BIN = fileURLToPath(new URL("../../packages/cli/bin/horde.js", import.meta.url));

interface Run {
  child: ChildProcess;
  output(): string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function horde(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d));
  child.stderr?.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout + stderr, done };
}

describe.skipIf(!oracle.available)("the horde CLI against the oracle", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let ownerKey: string;
  const running: Run[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "horde-cli-oracle-"));
    const info = oracleInfo();
    const [user, owner] = await Promise.all([createOracleUser(info), createOracleUser(info)]);
    ownerKey = owner.apikey;
    env = {
      HORDE_URL: info.baseUrl,
      HORDE_API_KEY: user.apikey,
      HORDE_CONFIG: join(dir, "config.json"),
      XDG_CONFIG_HOME: dir,
      NO_COLOR: "1",
    };
  });

  afterAll(async () => {
    for (const r of running) r.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("horde worker --dev serves horde generate and horde text; Ctrl-C stops the worker cleanly", async () => {
    const imageWorker = horde(
      [
        "worker",
        "--dev",
        "--name",
        uniqueName("cli-img"),
        "--model",
        "stable_diffusion",
        "--max-pixels",
        "1048576",
        "--json",
      ],
      { ...env, HORDE_API_KEY: ownerKey },
    );
    const textWorker = horde(
      [
        "worker",
        "--dev",
        "--type",
        "text",
        "--name",
        uniqueName("cli-txt"),
        "--model",
        "koboldcpp/LLaMA2-13B-Psyfighter2",
      ],
      { ...env, HORDE_API_KEY: ownerKey },
    );
    running.push(imageWorker, textWorker);

    const out = join(dir, "out");
    const generate = await horde(
      [
        "generate",
        "a lighthouse at dusk",
        "--model",
        "stable_diffusion",
        "--steps",
        "10",
        "-n",
        "2",
        "--out",
        out,
        "--timeout",
        "90",
      ],
      env,
    ).done;
    expect(generate.code, generate.stderr).toBe(0);
    const files = (await readdir(out)).filter((f) => f.endsWith(".webp"));
    expect(files).toHaveLength(2);
    const meta = await sharp(await readFile(join(out, files[0] as string))).metadata();
    expect(meta.format).toBe("webp");

    const text = await horde(
      [
        "text",
        "Once upon a time",
        "--model",
        "koboldcpp/LLaMA2-13B-Psyfighter2",
        "--max-length",
        "32",
        "--json",
        "--timeout",
        "90",
      ],
      env,
    ).done;
    expect(text.code, text.stderr).toBe(0);
    expect(JSON.parse(text.stdout)).toMatchObject({
      generations: [{ text: expect.any(String), state: "ok" }],
    });

    imageWorker.child.kill("SIGINT");
    textWorker.child.kill("SIGINT");
    const [image, textStats] = await Promise.all([imageWorker.done, textWorker.done]);
    expect(image.code, image.stderr).toBe(0);
    // Two images, popped one at a time by a worker of one thread.
    expect(JSON.parse(image.stdout)).toMatchObject({ completed: 2, faulted: 0 });
    expect(textStats.code, textStats.stderr).toBe(0);
    // The key is never printed.
    for (const r of [imageWorker, textWorker]) expect(r.output()).not.toContain(ownerKey);
  }, 180_000);
});
