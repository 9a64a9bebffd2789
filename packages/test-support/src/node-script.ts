/**
 * Scripts that tests run in a child process of their own (to SIGKILL it, to race two processes on one file):
 * a TypeScript entry bundled with esbuild, the workspace packages taken from their sources (no build needed),
 * every other package left to node_modules. The bundle is written under node_modules/.cache so those imports
 * resolve; `dispose()` removes it.
 */
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repo = fileURLToPath(new URL("../../../", import.meta.url));

const SOURCES: Record<string, string> = {
  "horde-sdk": "packages/sdk/src/index.ts",
  "horde-sdk/node": "packages/sdk/src/node/index.ts",
  "horde-sdk/known": "packages/sdk/src/known/index.ts",
  "horde-sdk/worker": "packages/sdk/src/worker/index.ts",
  "horde-emulator": "packages/emulator/src/index.ts",
};

export interface NodeScript {
  /** The bundled .mjs file. */
  readonly file: string;
  dispose(): Promise<void>;
}

export async function bundleNodeScript(entry: string): Promise<NodeScript> {
  const dir = join(repo, "node_modules", ".cache", "horde-test-scripts");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2, 10)}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error",
    plugins: [
      {
        name: "workspace-sources",
        setup(b) {
          b.onResolve({ filter: /^horde-(sdk|emulator)(\/(node|worker))?$/ }, (args) => {
            const source = SOURCES[args.path];
            return source ? { path: join(repo, source) } : undefined;
          });
        },
      },
    ],
  });
  return { file, dispose: () => rm(file, { force: true }) };
}

/** What a finished child process printed. */
export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningScript {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout (or stderr) matches; rejects after `timeoutMs`, or when the process ends first. */
  waitFor(pattern: RegExp, options?: { stream?: "stdout" | "stderr"; timeoutMs?: number }): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<ScriptRun>;
}

/** Starts `node <file> ...args` with `env` added to this process's environment. */
export function runNodeScript(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): RunningScript {
  const child = spawn(process.execPath, [file, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    for (const l of [...listeners]) l();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    for (const l of [...listeners]) l();
  });
  const done = new Promise<ScriptRun>((resolve) => {
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout: out, stderr: err });
      for (const l of [...listeners]) l();
    });
  });
  let ended = false;
  void done.then(() => {
    ended = true;
  });
  return {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    done,
    kill: (signal) => {
      child.kill(signal);
    },
    waitFor(pattern, { stream = "stdout", timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          if (pattern.test(stream === "stdout" ? out : err)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          } else if (ended || child.exitCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`the script ended before ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}
