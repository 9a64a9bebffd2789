/**
 * The live display in a real terminal: the built `horde generate` runs in a tmux pane against `horde serve`,
 * whose dev worker takes over a minute per image, and the pane is captured four times a second. Skips (saying
 * why) where tmux is not installed; needs the build, like binary.test.ts.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/horde.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const run = promisify(execFile);

const tmuxVersion = (() => {
  try {
    return execFileSync("tmux", ["-V"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
})();

/** A private tmux server (its own socket, no user config): it never touches anyone's sessions. */
const SOCKET = `horde-cli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const tmux = (...args: string[]) =>
  run("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });

let serve: ChildProcess | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (tmuxVersion) await tmux("kill-server").catch(() => {});
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve?.once("exit", resolve));
    serve.kill("SIGINT");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe("horde generate in tmux", () => {
  it("redraws the pane at least twice a second while a slow job waits, and Ctrl-C cancels it", async (ctx) => {
    if (!tmuxVersion) {
      ctx.skip(
        "tmux is not installed (apt-get install tmux): the live display was not checked in a terminal",
      );
      return;
    }
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npm run build)`);
    dir = await mkdtemp(join(tmpdir(), "horde-cli-tmux-"));
    const key = `tmux-test-key-${Math.random().toString(36).slice(2, 12)}`;
    // One image dev worker at 1/50 of its pace: 75 s per image, as a wait on the real horde.
    serve = spawn(
      process.execPath,
      [BIN, "serve", "--port", "0", "--json", "--no-ui", "--speed", "0.02", "--text-workers", "0"].concat([
        "--alchemy-workers",
        "0",
        "--seed-user",
        `tmux:1000:${key}`,
      ]),
      { env: { ...process.env, HOME: dir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const info = await new Promise<{ url: string; admin_url: string; admin_token: string }>(
      (resolve, reject) => {
        let out = "";
        serve?.stdout?.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0] as string));
        });
        serve?.once("exit", (code) => reject(new Error(`horde serve exited with ${code}`)));
      },
    );

    const command = [
      "env",
      `HOME=${quote(dir)}`,
      `HORDE_URL=${quote(info.url)}`,
      `HORDE_API_KEY=${quote(key)}`,
      quote(process.execPath),
      quote(BIN),
      "generate",
      quote("a slow lighthouse"),
      "--out",
      quote(dir),
    ].join(" ");
    // The shell says how the CLI ended: tmux's own exit status of a pane is not always there when asked.
    const shell = `${command}; echo "exit status $?"`;
    await tmux(
      "new-session",
      "-d",
      "-s",
      "live",
      "-x",
      "120",
      "-y",
      "12",
      shell,
      ";",
      "set-option",
      "-t",
      "live",
      "remain-on-exit",
      "on",
    );
    const pane = async () => (await tmux("capture-pane", "-p", "-t", "live")).stdout;

    // Wait for the job to be on the server and shown.
    const deadline = Date.now() + 20_000;
    while (!/elapsed \d+s · updated/.test(await pane())) {
      if (Date.now() > deadline) throw new Error(`no live line in the pane:\n${await pane()}`);
      await sleep(100);
    }
    const captures: { at: number; text: string }[] = [];
    const start = Date.now();
    while (Date.now() - start < 4_000) {
      captures.push({ at: Date.now() - start, text: await pane() });
      await sleep(250);
    }
    expect(captures.length).toBeGreaterThanOrEqual(12); // really captured at least twice a second
    // Every second, the pane changed between captures (spinner, clocks), without waiting for a poll.
    for (let second = 0; second < 4; second++) {
      const inSecond = captures.filter((c) => c.at >= second * 1000 && c.at < (second + 1) * 1000);
      expect(
        new Set(inSecond.map((c) => c.text)).size,
        `distinct panes in second ${second}`,
      ).toBeGreaterThanOrEqual(2);
    }
    const elapsed = (text: string) => {
      const m = /elapsed (?:(\d+)m)?(\d+)s/.exec(text);
      return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : Number.NaN;
    };
    const first = elapsed(captures[0]?.text ?? "");
    const last = elapsed(captures.at(-1)?.text ?? "");
    expect(last - first).toBeGreaterThanOrEqual(3);
    expect(captures.at(-1)?.text).toMatch(
      /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [0-9a-f]{8} [█░]{10} 0\/1 (waiting|processing) · eta \d+/,
    );
    expect(captures.map((c) => c.text).join("")).not.toContain(key);

    // Ctrl-C: the job is cancelled on the server, the pane says so, the process exits 130.
    await tmux("send-keys", "-t", "live", "C-c");
    const ended = Date.now() + 15_000;
    let text = await pane();
    while (!/exit status \d+/.test(text)) {
      if (Date.now() > ended) {
        const ps = await run("ps", ["-eo", "pid,ppid,stat,etime,args"], { encoding: "utf8" });
        throw new Error(
          `the CLI did not exit after Ctrl-C:\n${text}\n${ps.stdout
            .split("\n")
            .filter((l) => l.includes("horde"))
            .join("\n")}`,
        );
      }
      await sleep(100);
      text = await pane();
    }
    expect(text).toMatch(/horde: cancelled: job [0-9a-f-]{36} was cancelled on the server/);
    expect(text).toMatch(/exit status 130/);
    const stats = (await (
      await fetch(`${info.admin_url}stats`, { headers: { Authorization: `Bearer ${info.admin_token}` } })
    ).json()) as {
      requests: { total: number; cancelled: number; active: number };
    };
    expect(stats.requests).toMatchObject({ total: 1, cancelled: 1, active: 0 });
  }, 60_000);
});
