/**
 * The soak: N clients × M jobs (image, text, alchemy) through the SDK against an in-process emulator with
 * dev workers, under a seeded fault plan, with random client aborts and timeouts, a dev worker stopped
 * and restarted mid-run and a worker that crashes holding jobs. At the end it reconciles what the
 * emulator's admin API says with what the clients recorded, and returns the figures.
 *
 * Shared by the short soak in `npm test` (packages/sdk/test/soak.test.ts) and the long runner
 * (`npm run soak`, reliability/soak.mjs). See RELIABILITY.md for what each figure guarantees.
 */
import { createEmulator, drawPicture, type FaultPlan, silentLogger, VirtualClock } from "horde-emulator";
import { AIHordeAPIClient, encodeBase64, type FetchLike, type Logger } from "horde-sdk";

export interface SoakOptions {
  /** Concurrent clients, each with its own account, key and client IP. */
  clients: number;
  /** Jobs per client, run one after another (so the server's requests of a client map to its jobs). */
  jobsPerClient: number;
  /**
   * Seed of the fault plan and of every random choice of the run (each client's jobs, aborts, timeouts and
   * retry jitter). Same seed, same figures: time is the emulator's virtual clock, and nothing the figures
   * count depends on how real I/O interleaves (see RELIABILITY.md, "Reproducible on a seed").
   */
  seed: number;
  /** Image, text and alchemy dev workers (default 2, 1, 1). */
  workers?: { image: number; text: number; alchemy: number };
  /** Share of jobs aborted by the client at a random moment (default 0.1). */
  abortRate?: number;
  /** Share of jobs given a short job timeout (default 0.06). */
  timeoutRate?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export type JobOutcome =
  /** Resolved with every result it asked for (all images downloaded, all texts, all forms). */
  | "completed"
  /** Rejected after the client aborted it (the SDK cancelled it on the server). */
  | "aborted"
  /** Rejected by its job timeout (cancelled on the server). */
  | "timed-out"
  /** Rejected with an error (a fault the retries could not absorb, a faulted job): cancelled or finished. */
  | "failed"
  /** The submit itself failed: the client never learned an id. */
  | "not-submitted";

export interface JobRecord {
  client: number;
  job: number;
  kind: "image" | "text" | "alchemy";
  /** The server id, once the client learned it. */
  id: string | null;
  outcome: JobOutcome;
  /** Results the client asked for and results it got (images with bytes, texts, forms with a result). */
  expected: number;
  received: number;
  error: string | null;
}

export interface SoakReport {
  seed: number;
  clients: number;
  jobs: number;
  kinds: Record<"image" | "text" | "alchemy", number>;
  outcomes: Record<JobOutcome, number>;
  /** Requests the emulator accepted, by outcome. */
  server: {
    requests: number;
    done: number;
    cancelled: number;
    faulted: number;
    active: number;
    expired: number;
  };
  faults: { total: number; byKind: Record<string, number> };
  /**
   * Submits the server accepted whose answer never reached the client: `lost-response` faults and
   * `malformed` bodies on accepted submits (the body is cut, so the id is unreadable). `found`: those the
   * client then identified among the account's requests (an id it learned without reading it from a 202),
   * of which `completed` (all results delivered) and `cancelled` (the client gave up, the server cancelled
   * it); `unidentified`: requests on the server whose id no client ever learned. found + unidentified =
   * injected. `unidentifiedListed`: those of a kind the server lists in find_user (image, text) — must be 0;
   * an alchemy request is never listed, so a lost alchemy answer cannot be identified (docs/server/directory.md#user-details).
   */
  lostSubmits: {
    injected: number;
    found: number;
    completed: number;
    cancelled: number;
    unidentified: number;
    unidentifiedListed: number;
  };
  /** Requests known to a client and never completed nor cancelled (must be 0). */
  orphaned: number;
  /** Orphans among the lost submits (the price of a lost answer: nobody can cancel them). */
  orphanedLost: number;
  /** Accepted submits beyond one per job (must be 0). */
  duplicateSubmits: number;
  /** Jobs the client reported complete with fewer results than asked, or finished on the server but dropped silently (must be 0). */
  lostResults: number;
  unhandledRejections: number;
  /** Log lines, error messages and foreign requests that held an API key (must be 0). */
  leakedKeys: number;
  /** Worker stops/restarts and jobs a crashing worker walked away with. */
  workerKills: number;
  crashedJobs: number;
  requestsSent: number;
  virtualMinutes: number;
  wallSeconds: number;
  rss: { startMiB: number; endMiB: number; peakMiB: number; growthMiB: number };
  /** Why jobs failed or were not submitted: error class and status, with counts. */
  failures: Record<string, number>;
  /** Human-readable problems found by the reconciliation; empty when every invariant held. */
  problems: string[];
  records: JobRecord[];
}

const ASYNC_ROUTES = ["/v2/generate/async", "/v2/generate/text/async", "/v2/interrogate/async"];
const ASYNC_PATH = /\/api\/v2\/(generate\/async|generate\/text\/async|interrogate\/async)$/;

/** mulberry32, the same generator as the emulator's fault plans. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

type Rng = ReturnType<typeof prng>;

/** The fault plan of the issue: 5 % 5xx, 3 % resets, 2 % malformed, 429 storms, 1 % lost submits, latency spikes. */
export function soakFaultPlan(seed: number): FaultPlan {
  const storm = (skip: number) => ({ kind: "rate-limit" as const, skip, count: 25, retryAfterS: 1 });
  return {
    seed,
    rules: [
      { kind: "latency", probability: 0.05, latencyMs: [200, 4000] },
      // 1 % of accepted submits lose their answer (processed, then the connection drops).
      ...ASYNC_ROUTES.map((route) => ({
        kind: "lost-response" as const,
        route,
        method: "POST",
        probability: 0.01,
      })),
      { kind: "error", probability: 0.03, status: 503 },
      { kind: "error", probability: 0.02, status: 500 },
      { kind: "reset", probability: 0.03 },
      { kind: "malformed", probability: 0.02 },
      // 429 storms: 25 consecutive API requests refused, three times in the run, plus scattered 429s.
      storm(150),
      storm(900),
      storm(2500),
      { kind: "rate-limit", probability: 0.01, retryAfterS: 2 },
    ],
  };
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** The SDK's logger for the clients: keeps every line, so the soak can check no key reached a log. */
export function recordingLogger(lines: string[]): Logger {
  const write =
    (level: string) =>
    (message: string, ...details: unknown[]) => {
      if (lines.length < 20_000) lines.push(`${level} ${message} ${details.map(String).join(" ")}`);
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  // One random source per client (its jobs, aborts, timeouts and retry jitter), so one client's draws do not
  // depend on how the others' happen to interleave with it.
  const randoms = Array.from({ length: options.clients }, (_, i) => prng((options.seed ^ 0x5eed) + i * 7919));
  const jitters = Array.from({ length: options.clients }, (_, i) =>
    prng((options.seed ^ 0x717) + i * 104729),
  );
  const abortRate = options.abortRate ?? 0.1;
  const timeoutRate = options.timeoutRate ?? 0.06;
  const workers = options.workers ?? { image: 2, text: 1, alchemy: 1 };
  const problems: string[] = [];
  const records: JobRecord[] = [];
  const logLines: string[] = [];
  let unhandled = 0;
  const onUnhandled = (reason: unknown) => {
    unhandled++;
    problems.push(`unhandled rejection: ${String(reason)}`);
  };
  process.on("unhandledRejection", onUnhandled);
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const sampleRss = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  };

  const clock = new VirtualClock({ autoAdvance: true });
  const startedAt = clock.now();
  const emu = createEmulator({
    clock,
    logger: silentLogger,
    devWorkers: [
      ...Array.from({ length: workers.image }, () => ({ type: "image" as const, generationMs: 4000 })),
      ...Array.from({ length: workers.text }, () => ({ type: "text" as const, generationMs: 3000 })),
      ...Array.from({ length: workers.alchemy }, () => ({ type: "alchemy" as const, generationMs: 3000 })),
    ],
    faults: soakFaultPlan(options.seed),
  });
  const source = encodeBase64(await drawPicture({ prompt: "soak source", seed: 1, width: 64, height: 64 }));

  // Per client: its account, and what its fetch saw of its submits.
  const users = Array.from({ length: options.clients }, (_, i) =>
    emu.admin.createUser({ username: `soak-${i}`, kudos: 10_000_000, concurrency: 50 }),
  );
  const keys = users.map((u) => u.apikey);
  let requestsSent = 0;
  /** Submits the server accepted (202) but whose body the client could not read (malformed). */
  let malformedAccepted = 0;
  /** Ids of the 202 answers the clients could read: any other id a client learned was found after a lost answer. */
  const answeredIds = new Set<string>();
  /** Every URL, header and body the clients sent to a host that is not the API (must never hold a key). */
  const foreignTraffic: string[] = [];

  const clientFetch =
    (i: number): FetchLike =>
    async (input, init) => {
      requestsSent++;
      const url = String(input instanceof Request ? input.url : input);
      const headers = new Headers(init?.headers);
      if (!url.startsWith("http://horde.local/api/")) {
        foreignTraffic.push(`${url} ${JSON.stringify([...headers])}`);
      }
      headers.set("X-Forwarded-For", `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      const response = await emu.fetch(input, { ...init, headers });
      if (init?.method === "POST" && ASYNC_PATH.test(new URL(url).pathname) && response.status === 202) {
        const text = await response.clone().text();
        try {
          const id = (JSON.parse(text) as { id?: unknown }).id;
          if (typeof id === "string") answeredIds.add(id);
        } catch {
          malformedAccepted++;
        }
      }
      return response;
    };

  const clients = keys.map(
    (apiKey, i) =>
      new AIHordeAPIClient({
        baseUrl: "http://horde.local/api",
        apiKey,
        clientAgent: `soak:1.0:client-${i}`,
        fetch: clientFetch(i),
        clock,
        logger: recordingLogger(logLines),
        retry: { maxRetries: 6, initialDelayMs: 300, maxDelayMs: 5000, random: (jitters[i] as Rng).next },
      }),
  );

  const total = options.clients * options.jobsPerClient;
  let finished = 0;

  async function runJob(i: number, j: number): Promise<void> {
    const client = clients[i] as AIHordeAPIClient;
    const random = randoms[i] as Rng;
    const roll = random.next();
    const kind = roll < 0.5 ? "image" : roll < 0.8 ? "text" : "alchemy";
    const n = kind === "image" ? 1 + random.int(2) : 1;
    const forms = kind === "alchemy" ? (random.next() < 0.5 ? ["caption"] : ["caption", "nsfw"]) : [];
    const expected = kind === "alchemy" ? forms.length : n;
    const record: JobRecord = {
      client: i,
      job: j,
      kind,
      id: null,
      outcome: "not-submitted",
      expected,
      received: 0,
      error: null,
    };
    records.push(record);
    const mode = random.next();
    const controller = new AbortController();
    const stopTimer = new AbortController();
    if (mode < abortRate) {
      // Abort at a random moment: before, during or after the submit, while polling, while downloading.
      const delay = random.int(20_000);
      clock.sleep(delay, stopTimer.signal).then(
        () => controller.abort(new Error("client gave up")),
        () => {},
      );
    }
    const timeoutMs =
      mode >= abortRate && mode < abortRate + timeoutRate ? 2000 + random.int(15_000) : undefined;
    const onSubmitted = (r: { id: string }) => {
      record.id = r.id;
    };
    const common = { signal: controller.signal, timeoutMs, onSubmitted };
    const tag = `soak c${i} j${j}`;
    try {
      if (kind === "image") {
        const result = await client.generateImage(
          { prompt: `${tag} a lighthouse`, params: { width: 64, height: 64, steps: 10, n } },
          common,
        );
        record.received = result.images.filter((im) => im.bytes && im.bytes.length > 0).length;
        const why = result.images.map((im) => im.error?.message).filter(Boolean);
        if (why.length > 0) record.error = why.join("; ").slice(0, 300);
      } else if (kind === "text") {
        const result = await client.generateText(
          { prompt: `${tag} once upon a time`, params: { max_length: 32, max_context_length: 512 } },
          common,
        );
        record.received = result.texts.filter((t) => typeof t === "string" && t.length > 0).length;
      } else {
        const result = await client.runAlchemy(
          { source_image: source, forms: forms.map((name) => ({ name })) },
          common,
        );
        record.received = result.forms.filter((f) => f.isDone).length;
      }
      record.outcome = "completed";
      if (record.received < record.expected) {
        problems.push(
          `lost results: ${tag} ${kind} ${record.id} got ${record.received}/${record.expected} (${record.error})`,
        );
      }
    } catch (error) {
      record.error = `${(error as Error)?.name ?? ""}: ${(error as Error)?.message ?? String(error)}`.slice(
        0,
        300,
      );
      record.outcome = outcomeOf(error, record.id, controller.signal.aborted);
      if (error instanceof TypeError) problems.push(`TypeError escaped the SDK: ${record.error}`);
    } finally {
      stopTimer.abort();
      finished++;
      sampleRss();
      if (finished % Math.max(1, Math.floor(total / 10)) === 0) {
        log(
          `  ${finished}/${total} jobs, virtual ${Math.round((clock.now() - startedAt) / 60_000)} min, ` +
            `faults ${emu.faults.counts().total}, rss ${mib(process.memoryUsage().rss)} MiB`,
        );
      }
    }
  }

  // A worker killed and restarted mid-run (stop() reports its job faulted; a fresh one takes its name),
  // and a worker that crashes holding jobs: it pops and never answers, so the server's job ttl must
  // re-queue them for the others.
  let workerKills = 0;
  let crashedJobs = 0;
  const chaos = async () => {
    while (finished < total * 0.3) await clock.sleep(5_000);
    const victim = emu.devWorkers.find((w) => w.type === "image" && w.running);
    if (victim) {
      await victim.stop();
      workerKills++;
      log(`  killed dev worker ${victim.name}`);
      await clock.sleep(30_000);
      emu.startDevWorker({ type: "image", name: victim.name, generationMs: 4000 });
      log(`  restarted dev worker ${victim.name}`);
    }
    while (finished < total * 0.6) await clock.sleep(5_000);
    const owner = emu.admin.createUser({ username: "crasher", trusted: true, workerInvited: 5 });
    for (const [path, body] of [
      ["/v2/generate/pop", { name: "crasher-image", models: ["stable_diffusion"], max_pixels: 4_194_304 }],
      ["/v2/generate/text/pop", { name: "crasher-text", models: ["koboldcpp/LLaMA2-13B-Psyfighter2"] }],
    ] as const) {
      for (let k = 0; k < 2; k++) {
        // The crasher's own pops go through the faulted front door too: try again until one is read.
        for (let attempt = 0; attempt < 10; attempt++) {
          try {
            const res = await emu.fetch(`http://horde.local/api${path}`, {
              method: "POST",
              headers: {
                apikey: owner.apikey,
                "Content-Type": "application/json",
                "X-Forwarded-For": "10.99.0.1",
              },
              body: JSON.stringify({
                ...body,
                bridge_agent: "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen",
              }),
            });
            if (!res.ok) throw new Error(`pop answered ${res.status}`);
            const popped = (await res.json()) as { id?: string | null; ids?: string[] };
            if (popped.id) crashedJobs += popped.ids?.length || 1;
            break;
          } catch {
            await clock.sleep(1000);
          }
        }
      }
    }
    if (crashedJobs > 0) workerKills++;
    log(`  a crashing worker walked away with ${crashedJobs} job(s)`);
  };

  const chaosDone = chaos().catch((e: unknown) => problems.push(`chaos failed: ${String(e)}`));
  await Promise.all(
    clients.map(async (_c, i) => {
      // Clients start a millisecond apart: the clock wakes one sleeper at a time and lets its work settle,
      // so no two clients' first submits race on real I/O (sharp reading a source image) for their order.
      await clock.sleep(i + 1);
      for (let j = 0; j < options.jobsPerClient; j++) await runJob(i, j);
    }),
  );
  await chaosDone;

  // Reconcile. Let the horde settle first: popped jobs of cancelled requests finish, the crashed jobs'
  // ttl passes. Nothing is left for the clients to do; time only moves the server.
  await clock.advance(0);
  const stats = emu.admin.stats();
  const requests = emu.admin.listRequests();
  const counts = emu.faults.counts();
  await emu.close();
  process.off("unhandledRejection", onUnhandled);

  const known = new Set(records.map((r) => r.id).filter((id): id is string => id !== null));
  const byId = new Map(records.filter((r) => r.id).map((r) => [r.id as string, r]));
  const unknown = requests.filter((r) => !known.has(r.id));
  const orphanedIds = new Set(stats.orphaned);
  const orphanedKnown = [...orphanedIds].filter((id) => known.has(id));
  const orphanedLost = [...orphanedIds].filter((id) => !known.has(id)).length;
  for (const id of orphanedKnown) {
    const r = byId.get(id);
    problems.push(
      `orphaned: ${id} (${r?.kind} c${r?.client} j${r?.job}, client outcome ${r?.outcome}: ${r?.error})`,
    );
  }

  // Duplicates: each job is one submit; a client's jobs run one after another, so its account holds
  // exactly one server request per job whose submit was accepted (known id or lost answer).
  const injectedLost =
    ASYNC_ROUTES.reduce((sum, route) => sum + (counts.byRoute[`POST ${route}`]?.["lost-response"] ?? 0), 0) +
    malformedAccepted;
  const perUser = new Map<number, number>();
  for (const r of requests) perUser.set(r.userId, (perUser.get(r.userId) ?? 0) + 1);
  let duplicateSubmits = 0;
  for (const [i, user] of users.entries()) {
    const accepted = records.filter((r) => r.client === i && r.id !== null).length;
    const lostHere = unknown.filter((r) => r.userId === user.id).length;
    const onServer = perUser.get(user.id) ?? 0;
    if (onServer !== accepted + lostHere)
      problems.push(`client ${i}: ${onServer} requests on the server, ${accepted} known + ${lostHere} lost`);
    // More server requests than jobs that could have been accepted is a duplicate.
    const jobs = records.filter((r) => r.client === i).length;
    if (onServer > jobs) duplicateSubmits += onServer - jobs;
  }
  // A lost answer leaves exactly one request: found by its client, or known to nobody. More than the injected
  // losses means a submit was repeated after its answer was lost.
  const found = records.filter((r) => r.id !== null && !answeredIds.has(r.id));
  const lost = found.length + unknown.length;
  if (lost > injectedLost) duplicateSubmits += lost - injectedLost;
  if (lost !== injectedLost) {
    problems.push(
      `lost submits: ${injectedLost} injected, ${found.length} found + ${unknown.length} requests nobody knows`,
    );
  }
  const serverOutcome = new Map(requests.map((r) => [r.id, r.outcome]));

  // Lost results: a job the client reported complete without all its results (counted above), or a request
  // the server finished (done, not cancelled) while the client — which knew its id — did not report it
  // complete and did not fail loudly. A loud failure after completion (e.g. a malformed final answer) is
  // counted as "failed", never silently dropped.
  let lostResults = problems.filter((p) => p.startsWith("lost results")).length;
  for (const req of requests) {
    const r = byId.get(req.id);
    if (!r) continue;
    if (req.outcome === "done" && r.outcome !== "completed" && r.error === null) {
      lostResults++;
      problems.push(`lost results: ${req.id} done on the server, client outcome ${r.outcome}`);
    }
  }

  // The API key never reaches a log line, an error, or a host that is not the API.
  const leaks = [...logLines, ...records.map((r) => r.error ?? ""), ...foreignTraffic].filter((line) =>
    keys.some((k) => line.includes(k)),
  );
  for (const line of leaks.slice(0, 5)) problems.push(`key leaked: ${line.slice(0, 200)}`);
  if (unhandled > 0) problems.push(`${unhandled} unhandled rejection(s)`);

  const { outcomes, failures } = tally(records);
  const kinds = { image: 0, text: 0, alchemy: 0 };
  for (const r of records) kinds[r.kind]++;
  const rssEnd = process.memoryUsage().rss;
  sampleRss();
  return {
    seed: options.seed,
    clients: options.clients,
    jobs: records.length,
    kinds,
    outcomes,
    server: {
      requests: stats.requests.total,
      done: stats.requests.done,
      cancelled: stats.requests.cancelled,
      faulted: stats.requests.faulted,
      active: stats.requests.active,
      expired: stats.requests.expired,
    },
    faults: {
      total: counts.total,
      byKind: Object.fromEntries(Object.entries(counts.byKind).filter(([, v]) => v > 0)),
    },
    lostSubmits: {
      injected: injectedLost,
      found: found.length,
      completed: found.filter((r) => r.outcome === "completed").length,
      cancelled: found.filter((r) => serverOutcome.get(r.id as string) === "cancelled").length,
      unidentified: unknown.length,
      unidentifiedListed: unknown.filter((r) => r.kind !== "alchemy").length,
    },
    orphaned: orphanedKnown.length,
    orphanedLost,
    duplicateSubmits,
    lostResults,
    unhandledRejections: unhandled,
    leakedKeys: leaks.length,
    workerKills,
    crashedJobs,
    requestsSent,
    virtualMinutes: Math.round((clock.now() - startedAt) / 600) / 100,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    rss: {
      startMiB: mib(rssStart),
      endMiB: mib(rssEnd),
      peakMiB: mib(rssPeak),
      growthMiB: mib(rssEnd - rssStart),
    },
    failures,
    problems,
    records,
  };
}

/** The figures a seed determines: all but the wall time and the memory (which depend on the machine). */
// The virtual duration is left out too: the auto-advancing clock moves while sharp encodes in real time, so
// on a loaded machine it drifts by a few virtual seconds (3.43 vs 3.47 min seen) while every count agrees.
export function seededFigures(
  report: SoakReport,
): Omit<SoakReport, "records" | "wallSeconds" | "rss" | "virtualMinutes"> {
  const { records: _records, wallSeconds: _wall, rss: _rss, virtualMinutes: _virtual, ...rest } = report;
  return rest;
}

/** The outcome of a job that rejected: never submitted, timed out, aborted by its caller, or failed. */
export function outcomeOf(error: unknown, id: string | null, aborted: boolean): JobOutcome {
  const name = (error as Error)?.name ?? "";
  if (id === null) return "not-submitted";
  if (name === "HordeTimeoutError") return "timed-out";
  if (name === "HordeAbortError" || aborted) return "aborted";
  return "failed";
}

/** Jobs by outcome, and why they failed or were not submitted (ids masked, messages cut to `width`), with counts. */
export function tally(records: readonly { outcome: JobOutcome; error: string | null }[], width = 90) {
  const outcomes: Record<JobOutcome, number> = {
    completed: 0,
    aborted: 0,
    "timed-out": 0,
    failed: 0,
    "not-submitted": 0,
  };
  const failures: Record<string, number> = {};
  for (const r of records) {
    outcomes[r.outcome]++;
    if (r.outcome !== "failed" && r.outcome !== "not-submitted") continue;
    const key = `${r.outcome}: ${(r.error ?? "").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").slice(0, width)}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  return { outcomes, failures };
}

/** The figures without the per-job records, for printing. */
export function summary<R extends { records: unknown }>(report: R): Omit<R, "records"> {
  const { records: _records, ...rest } = report;
  return rest;
}
