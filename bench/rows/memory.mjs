// Row 10: peak RSS while 50 jobs × 4 images (512²) run and download concurrently, in a child process of its
// own (so nothing else of the harness is in its heap): an in-process emulator with fast dev workers, one client,
// all 50 generateImage calls started at once (R2 links, so the 200 images are real downloads). Rate limits
// are off on both sides here (with them, 50 submits would be spread over 25 s and never be concurrent).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { importEmulator, importSdk } from "../lib/env.mjs";

const JOBS = 50;
const PER_JOB = 4;

async function child() {
  const { AIHordeAPIClient, silentLogger } = await importSdk();
  const { createEmulator, silentLogger: emuSilent } = await importEmulator();
  const emu = createEmulator({
    logger: emuSilent,
    rateLimits: false,
    devWorkers: Array.from({ length: 8 }, () => ({ type: "image", generationMs: 200, popIntervalMs: 100 })),
  });
  const client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api",
    fetch: emu.fetch,
    logger: silentLogger,
    rateLimit: { enabled: false },
  });
  const request = {
    prompt: "a lighthouse at dusk",
    params: { width: 512, height: 512, steps: 10, n: PER_JOB },
  };
  await client.generateImage(request); // warm-up, discarded
  globalThis.gc?.();
  const mb = (b) => b / 2 ** 20;
  const baseline = process.memoryUsage().rss;
  let peakSampled = baseline;
  const timer = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  }, 10);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: JOBS }, () => client.generateImage(request)));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  const images = results.flatMap((r) => r.images).filter((i) => i.bytes);
  const bytes = images.reduce((n, i) => n + i.bytes.length, 0);
  await emu.close();
  return {
    baselineMB: mb(baseline),
    peakSampledMB: mb(peakSampled),
    // maxRSS is the kernel's high-water mark for the whole process life (KiB).
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    images: images.length,
    downloadedMB: mb(bytes),
    seconds,
  };
}

export async function run() {
  const figures = await new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ["--child"], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const timer = setTimeout(() => proc.kill("SIGTERM"), 120_000);
    proc.once("message", resolve);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`memory child exited ${code}`));
    });
  });
  const f = figures;
  return [
    {
      id: "10",
      what: `memory: ${JOBS} jobs × ${PER_JOB} images (512²) downloading concurrently (child process: emulator + client)`,
      a:
        `peak RSS **${f.maxRssMB.toFixed(0)} MB** (sampled every 10 ms: ${f.peakSampledMB.toFixed(0)} MB; ` +
        `${f.baselineMB.toFixed(0)} MB before the jobs); ${f.images} images, ${f.downloadedMB.toFixed(1)} MB downloaded in ${f.seconds.toFixed(1)} s`,
      b: "—",
      ratioText: `+${(f.peakSampledMB - f.baselineMB).toFixed(0)} MB over the idle process`,
      target: "bounded: report MB",
      met: null,
      detail:
        "the emulator runs in the same process, so this is emulator + SDK. The dev worker's pictures are ~10 KB WebPs, " +
        "far smaller than real 512² generations (~0.3–0.5 MB), so image bytes are a small part of the peak",
    },
  ];
}

if (process.argv.includes("--child")) {
  process.send(await child());
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
