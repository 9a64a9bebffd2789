/**
 * Scale of one client: N image jobs at once from one AIHordeAPIClient against the in-process emulator on a
 * virtual clock (rate limits on, dev workers serving), and what they cost: CPU time (process.cpuUsage, the
 * emulator and its dev workers included, as they share the process) and heap per job, HTTP requests per job
 * by kind, and the client's throttle buckets. Run by `npm run scale` (reliability/scale.mjs) for 10, 100
 * and 1,000 jobs; the per-job figures should stay flat as N grows.
 */
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { AIHordeAPIClient, type FetchLike } from "horde-sdk";

export interface ScaleRun {
  jobs: number;
  completed: number;
  failed: number;
  /** CPU time of the whole process (user + system), in ms and per job. */
  cpuMs: number;
  cpuMsPerJob: number;
  /** Heap in use after a GC at the start, at the peak (sampled as jobs progress), and its growth per job. */
  heapStartMiB: number;
  heapPeakMiB: number;
  heapKiBPerJob: number;
  /** HTTP requests the client sent, by route kind, and per job. */
  requests: Record<string, number>;
  requestsPerJob: number;
  /** Polls (`/check`) per job, and the virtual time between two polls of one job (mean). */
  pollsPerJob: number;
  meanPollGapS: number;
  /**
   * 429s the server's rate limiter answered: the client throttles every request of a route group through
   * one bucket per key, so N jobs at once must not make it exceed the server's limits.
   */
  refused429: number;
  virtualMinutes: number;
  wallSeconds: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function routeKind(method: string, url: string): string {
  const path = new URL(url).pathname;
  if (path.startsWith("/_r2/")) return "download";
  if (path.endsWith("/generate/async")) return "submit";
  if (path.includes("/generate/check/")) return "poll";
  if (path.includes("/generate/status/")) return method === "DELETE" ? "cancel" : "status";
  return `${method} ${path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>")}`;
}

export async function runScale(jobs: number, options: { imageWorkers?: number } = {}): Promise<ScaleRun> {
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  let heapPeak = heapStart;
  const cpuStart = process.cpuUsage();
  const started = Date.now();
  const clock = new VirtualClock({ autoAdvance: true });
  const t0 = clock.now();
  const emu = createEmulator({
    clock,
    logger: silentLogger,
    // Enough workers that the queue drains in a few virtual minutes at every N (a worker takes 4 jobs a pop).
    devWorkers: Array.from({ length: options.imageWorkers ?? 8 }, () => ({
      type: "image" as const,
      generationMs: 3000,
    })),
  });
  const user = emu.admin.createUser({ username: "scale", kudos: 1e9, concurrency: jobs + 10 });
  const requests: Record<string, number> = {};
  const lastPoll = new Map<string, number>();
  let refused429 = 0;
  let pollGaps = 0;
  let pollGapSum = 0;
  const fetch: FetchLike = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? "GET";
    const kind = routeKind(method, url);
    requests[kind] = (requests[kind] ?? 0) + 1;
    if (kind === "poll") {
      const id = url.slice(url.lastIndexOf("/") + 1);
      const previous = lastPoll.get(id);
      if (previous !== undefined) {
        pollGaps++;
        pollGapSum += clock.now() - previous;
      }
      lastPoll.set(id, clock.now());
    }
    return emu.fetch(input, init).then((response) => {
      if (response.status === 429) refused429++;
      return response;
    });
  };
  const client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api",
    apiKey: user.apikey,
    clientAgent: "scale:1.0:reliability",
    fetch,
    clock,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    retry: { random: () => 0.5 },
  });
  let completed = 0;
  let failed = 0;
  let progressEvents = 0;
  await Promise.all(
    Array.from({ length: jobs }, (_, i) =>
      client
        .generateImage(
          { prompt: `scale ${i}`, params: { width: 64, height: 64, steps: 10, n: 1 } },
          {
            onProgress: () => {
              if (++progressEvents % 50 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
            },
          },
        )
        .then(
          (result) => {
            heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
            if (result.images.every((im) => im.bytes && im.bytes.length > 0)) completed++;
            else failed++;
          },
          () => {
            failed++;
          },
        ),
    ),
  );
  const cpu = process.cpuUsage(cpuStart);
  const virtualMinutes = Math.round((clock.now() - t0) / 600) / 100;
  await emu.close();
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const sent = Object.values(requests).reduce((a, b) => a + b, 0);
  return {
    jobs,
    completed,
    failed,
    cpuMs,
    cpuMsPerJob: Math.round((cpuMs / jobs) * 100) / 100,
    heapStartMiB: mib(heapStart),
    heapPeakMiB: mib(heapPeak),
    heapKiBPerJob: Math.round((heapPeak - heapStart) / 1024 / jobs),
    requests,
    requestsPerJob: Math.round((sent / jobs) * 100) / 100,
    pollsPerJob: Math.round(((requests.poll ?? 0) / jobs) * 100) / 100,
    meanPollGapS: pollGaps > 0 ? Math.round(pollGapSum / pollGaps / 10) / 100 : 0,
    refused429,
    virtualMinutes,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
