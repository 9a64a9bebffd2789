/**
 * The endurance run: the emulator as a server left running all day. Clients submit image, text and alchemy
 * requests at a steady rate on a virtual clock (default 2 per second for 24 hours), follow them the way
 * apps do (polls, the final status, the R2 download, a cancel now and then), and dev workers serve them.
 * Then the traffic stops and the horde is left alone for three hours. Every simulated hour the run records
 * the horde's tables, the open rate-limit windows and the process's memory after a full GC.
 *
 * What it shows: state follows the traffic of the last two hours (requests live 20 minutes after their
 * last activity, R2 objects 120 minutes, rate-limit windows their window) and goes back to where it
 * started once the traffic stops. Used by `npm run endurance` (reliability/endurance.mjs) and, shortened,
 * by test/reliability/bounded-state.test.ts.
 */
import { createEmulator, drawPicture, silentLogger, VirtualClock } from "horde-emulator";
import { encodeBase64 } from "horde-sdk";
import { prng } from "horde-test-support";

export interface EnduranceOptions {
  /** Hours of traffic (default 24). */
  hours?: number;
  /** Submits per second, all clients together (default 2). */
  perSecond?: number;
  /** Quiet hours after the traffic (default 3: longer than every retention). */
  quietHours?: number;
  /** Clients (accounts and addresses) the traffic is spread over (default 40). */
  clients?: number;
  /** Seed of every random choice (default 20261127). */
  seed?: number;
  /** Minutes between two samples (default 60). */
  sampleEveryMinutes?: number;
  log?: (line: string) => void;
}

export interface EnduranceSample {
  /** Virtual minutes since the start. */
  minute: number;
  phase: "traffic" | "quiet";
  submitted: number;
  /** The horde's tables (`admin.stats().tables`), the open rate-limit windows and the cached answers. */
  tables: Record<string, number>;
  rssMiB: number;
  heapMiB: number;
}

export interface EnduranceReport {
  options: Required<Omit<EnduranceOptions, "log">>;
  submitted: number;
  /** Requests by outcome at the end (`admin.stats().requests`). */
  outcomes: Record<string, number>;
  followed: { completed: number; cancelled: number; downloads: number; errors: number };
  samples: EnduranceSample[];
  start: EnduranceSample;
  peak: { rssMiB: number; heapMiB: number; atMinute: number };
  end: EnduranceSample;
  wallSeconds: number;
  cpuSeconds: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;

export async function runEndurance(opts: EnduranceOptions = {}): Promise<EnduranceReport> {
  const options = {
    hours: opts.hours ?? 24,
    perSecond: opts.perSecond ?? 2,
    quietHours: opts.quietHours ?? 3,
    clients: opts.clients ?? 40,
    seed: opts.seed ?? 20261127,
    sampleEveryMinutes: opts.sampleEveryMinutes ?? 60,
  };
  const log = opts.log ?? (() => {});
  const wallStart = Date.now();
  const cpuStart = process.cpuUsage();
  const random = prng(options.seed).next;
  const clock = new VirtualClock({ autoAdvance: true });
  const t0 = clock.now();
  // Enough dev workers for the rate: an image job takes ~1.2 s of a worker, text and alchemy ~0.7 s.
  const perKind = Math.max(1, Math.ceil(options.perSecond * 1.5));
  const emu = createEmulator({
    clock,
    logger: silentLogger,
    devWorkers: [
      ...Array.from({ length: perKind }, () => ({
        type: "image" as const,
        generationMs: 1000,
        popIntervalMs: 1000,
      })),
      ...Array.from({ length: perKind }, () => ({
        type: "text" as const,
        generationMs: 500,
        popIntervalMs: 1000,
      })),
      ...Array.from({ length: perKind }, () => ({
        type: "alchemy" as const,
        generationMs: 500,
        popIntervalMs: 1000,
      })),
    ],
  });
  const source = encodeBase64(await drawPicture({ prompt: "endurance", seed: 1, width: 64, height: 64 }));
  const keys = Array.from(
    { length: options.clients },
    (_, i) => emu.admin.createUser({ username: `endurance-${i}`, kudos: 1e9, concurrency: 500 }).apikey,
  );
  const followed = { completed: 0, cancelled: 0, downloads: 0, errors: 0 };

  const call = async (i: number, method: string, path: string, body?: unknown) => {
    const res = await emu.fetch(`/api${path}`, {
      method,
      headers: {
        apikey: keys[i] as string,
        "Client-Agent": "endurance:1.0:reliability",
        "X-Forwarded-For": `10.30.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
    };
  };

  /** One request's life as an app lives it: submit, poll every 5 s, read the result, maybe cancel. */
  const follow = async (i: number, kind: "image" | "text" | "alchemy", cancel: boolean) => {
    const [submitPath, checkPath, statusPath] =
      kind === "image"
        ? ["/v2/generate/async", "/v2/generate/check/", "/v2/generate/status/"]
        : kind === "text"
          ? ["/v2/generate/text/async", "/v2/generate/text/status/", "/v2/generate/text/status/"]
          : ["/v2/interrogate/async", "/v2/interrogate/status/", "/v2/interrogate/status/"];
    const payload =
      kind === "image"
        ? { prompt: "a lighthouse at dusk", params: { width: 64, height: 64, steps: 10, n: 1 } }
        : kind === "text"
          ? { prompt: "Once upon a time", params: { max_length: 32, max_context_length: 512 } }
          : { source_image: source, forms: [{ name: "caption" }] };
    const submitted = await call(i, "POST", submitPath, payload);
    const id = submitted.body?.id;
    if (submitted.status !== 202 || typeof id !== "string") {
      followed.errors++;
      return;
    }
    if (cancel) {
      await clock.sleep(2000);
      await call(i, "DELETE", `${statusPath}${id}`);
      followed.cancelled++;
      return;
    }
    for (let poll = 0; poll < 24; poll++) {
      await clock.sleep(5000);
      const progress = await call(i, "GET", `${checkPath}${id}`);
      const done = progress.body?.done === true || progress.body?.state === "done";
      if (!done) continue;
      const final = await call(i, "GET", `${statusPath}${id}`);
      const url = (final.body?.generations as { img?: string }[] | undefined)?.[0]?.img;
      if (url?.includes("/_r2/")) {
        const res = await emu.fetch(url);
        await res.arrayBuffer();
        if (res.ok) followed.downloads++;
      }
      followed.completed++;
      return;
    }
    followed.errors++;
  };

  const samples: EnduranceSample[] = [];
  let submitted = 0;
  const sample = (phase: EnduranceSample["phase"]) => {
    gc?.();
    const memory = process.memoryUsage();
    const stats = emu.admin.stats();
    const s: EnduranceSample = {
      minute: Math.round((clock.now() - t0) / 60_000),
      phase,
      submitted,
      tables: {
        ...stats.tables,
        rateLimitWindows: emu.rateLimits.windows,
        responseCacheEntries: emu.responseCache.entries,
      },
      rssMiB: mib(memory.rss),
      heapMiB: mib(memory.heapUsed),
    };
    samples.push(s);
    log(
      `  ${String(s.minute).padStart(5)} min ${phase.padEnd(7)} submitted ${submitted}, rss ${s.rssMiB} MiB, heap ${s.heapMiB} MiB, ` +
        `requests ${s.tables.requests}, r2 ${s.tables.r2Objects}, windows ${s.tables.rateLimitWindows}, ` +
        `cached ${s.tables.responseCacheEntries}, expired ${s.tables.expiredRecords}`,
    );
  };

  sample("traffic");
  const inFlight = new Set<Promise<void>>();
  const gapMs = 1000 / options.perSecond;
  const trafficEnd = t0 + options.hours * 3_600_000;
  let nextSample = t0 + options.sampleEveryMinutes * 60_000;
  let nextClient = 0;
  while (clock.now() < trafficEnd) {
    const roll = random();
    const kind = roll < 0.5 ? "image" : roll < 0.8 ? "text" : "alchemy";
    const job = follow(nextClient, kind, random() < 0.1).catch(() => {
      followed.errors++;
    });
    nextClient = (nextClient + 1) % options.clients;
    submitted++;
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
    await clock.sleep(gapMs);
    if (clock.now() >= nextSample) {
      sample("traffic");
      nextSample += options.sampleEveryMinutes * 60_000;
    }
  }
  await Promise.all(inFlight);
  const quietEnd = clock.now() + options.quietHours * 3_600_000;
  while (clock.now() < quietEnd) {
    await clock.sleep(Math.min(options.sampleEveryMinutes * 60_000, quietEnd - clock.now()));
    sample("quiet");
  }
  const outcomes = emu.admin.stats().requests;
  await emu.close();

  const start = samples[0] as EnduranceSample;
  const end = samples.at(-1) as EnduranceSample;
  const peakRss = samples.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
  const peakHeap = samples.reduce((a, b) => (b.heapMiB > a.heapMiB ? b : a));
  const cpu = process.cpuUsage(cpuStart);
  return {
    options,
    submitted,
    outcomes: { ...outcomes },
    followed,
    samples,
    start,
    peak: { rssMiB: peakRss.rssMiB, heapMiB: peakHeap.heapMiB, atMinute: peakRss.minute },
    end,
    wallSeconds: Math.round((Date.now() - wallStart) / 100) / 10,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  };
}

/**
 * What must hold at the end: every table back to its size at the start (users and workers are kept, as
 * the server keeps them; the last hour's expired records and deliveries may remain), and the heap within
 * `heapSlackMiB` of the start.
 */
export function enduranceProblems(report: EnduranceReport, heapSlackMiB = 25): string[] {
  const problems: string[] = [];
  const { start, end } = report;
  for (const table of [
    "requests",
    "jobs",
    "interrogations",
    "forms",
    "r2Objects",
    "rateLimitWindows",
    "responseCacheEntries",
  ]) {
    const grown = (end.tables[table] ?? 0) - (start.tables[table] ?? 0);
    if (grown > 0)
      problems.push(`${table}: ${start.tables[table]} at the start, ${end.tables[table]} at the end`);
  }
  for (const table of ["users", "workers"]) {
    if (end.tables[table] !== start.tables[table])
      problems.push(`${table}: ${start.tables[table]} at the start, ${end.tables[table]} at the end`);
  }
  if (end.heapMiB - start.heapMiB > heapSlackMiB)
    problems.push(`heap: ${start.heapMiB} MiB at the start, ${end.heapMiB} MiB at the end`);
  if (report.followed.completed === 0) problems.push("no request completed");
  return problems;
}
