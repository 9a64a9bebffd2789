// Where the benchmarks run: the machine, Node, the built packages, and the load other work puts on the CPU.
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoDir = fileURLToPath(new URL("../../", import.meta.url));
export const sharedDir = fileURLToPath(new URL("../../../shared/", import.meta.url));

const DIST = {
  // What Node loads for `horde-sdk` (the `node` condition of its exports: the bundled build).
  sdk: "packages/sdk/dist/bundle/index.js",
  emulator: "packages/emulator/dist/index.js",
  cli: "packages/cli/dist/main.js",
};

/** Fails with a clear message when `npm run build` has not produced the packages' dist/. */
export function requireBuilt() {
  const missing = Object.values(DIST).filter((p) => !existsSync(`${repoDir}${p}`));
  if (missing.length > 0) {
    throw new Error(`not built (${missing.join(", ")} missing): run \`npm run build\` first`);
  }
}

// By package name, as an app (and the emulator, which imports it too) resolves it: one copy of the SDK.
export const importSdk = () => import("horde-sdk");
export const importEmulator = () => import(pathToFileURL(`${repoDir}${DIST.emulator}`).href);

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown CPU",
    cores: os.availableParallelism?.() ?? cpus.length,
    memGiB: os.totalmem() / 2 ** 30,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Samples os.loadavg() every few seconds while the run goes on. */
export function loadSampler(everyMs = 5000) {
  const samples = [os.loadavg()];
  const timer = setInterval(() => samples.push(os.loadavg()), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(os.loadavg());
      const one = samples.map((s) => s[0]);
      return {
        start: samples[0],
        end: samples.at(-1),
        min1: Math.min(...one),
        max1: Math.max(...one),
        samples: samples.length,
      };
    },
  };
}
