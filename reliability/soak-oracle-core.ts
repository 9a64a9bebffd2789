/**
 * The oracle soak: the SDK's image and text jobs (AIHordeAPIClient from submit to result, with random client
 * aborts) and two HordeWorkers serving them, all through the fault proxy, against the real AI Horde server
 * (the oracle). At the end the oracle itself is asked — its database and its API, directly, not through the
 * proxy — what it holds, and that is reconciled with what the clients recorded.
 *
 * Shared by `npm run soak:oracle` (reliability/soak-oracle.mjs, which starts the oracle) and the short
 * version in the oracle suites (test/oracle/soak-through-proxy.test.ts). RELIABILITY.md says what each
 * figure guarantees.
 */
import {
  AIHordeAPIClient,
  type FetchLike,
  MemoryJobStore,
  type StoredJob,
  type StoredJobPatch,
} from "horde-sdk";
import { HordeWorker } from "horde-sdk/worker";
import { drawnImages } from "../packages/test-support/src/oracle/backends.js";
import {
  AFTER_SERVER_FAULTS,
  type ProxyCounts,
  type ProxyFaultPlan,
  startFaultProxy,
} from "../packages/test-support/src/oracle/fault-proxy.js";
import { createOracleUser, isolatedIp, uniqueName } from "../packages/test-support/src/oracle/http.js";
import { type OracleInfo, oracleSql } from "../packages/test-support/src/oracle/kit.js";
import { type JobOutcome, outcomeOf, prng, recordingLogger, summary, tally } from "./soak-core.js";

export interface OracleSoakOptions {
  /** A running oracle (started by the caller). */
  oracle: OracleInfo;
  /** Concurrent clients, each with its own account, key and client address. */
  clients: number;
  /** Jobs per client, one after another. */
  jobsPerClient: number;
  /** Seed of the fault plan and of every random choice of the run. */
  seed: number;
  /** Share of jobs the client aborts at a random moment (default 0.12). */
  abortRate?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface OracleJobRecord {
  client: number;
  job: number;
  kind: "image" | "text";
  /** The server id, once the client learned it (from the 202, or found after a lost answer). */
  id: string | null;
  outcome: JobOutcome;
  expected: number;
  received: number;
  error: string | null;
}

/** What the oracle holds for one request of the soak's accounts (its database, read directly). */
interface ServerRequest {
  id: string;
  type: string;
  userId: number;
  /** Jobs still to hand out (0 once finished or cancelled). */
  waiting: number;
  /** Jobs a worker holds and has not answered. */
  processing: number;
  /** Generations the workers delivered. */
  finished: number;
  faulted: boolean;
}

export interface OracleSoakReport {
  seed: number;
  clients: number;
  jobs: number;
  /** Jobs whose request the server accepted and the client knew by id. */
  submitted: number;
  kinds: Record<"image" | "text", number>;
  outcomes: Record<JobOutcome, number>;
  /** What the proxy did: requests seen, forwarded, faults by kind and by route. */
  proxy: Omit<ProxyCounts, "byRoute"> & { submitFaults: Record<string, number> };
  /**
   * Accepted submits whose answer did not reach the client (lost, cut, or replaced by a gateway page after
   * the server queued it): `found` by the client among the account's requests, `resumed` by
   * `client.resumeJobs()` afterwards, `unidentified` known to nobody (must be 0 for image and text).
   */
  lostSubmits: { injected: number; found: number; resumed: number; unidentified: number };
  /**
   * Jobs the client cancelled without handing them to its caller: the caller aborted while the submit was
   * on the wire, the server had queued it, so the SDK cancelled it (the caller got a HordeAbortError).
   */
  cancelledUnseen: number;
  /** The oracle's view at the end, read directly. */
  server: { requests: number; waiting: number; processing: number; finished: number; faulted: number };
  /** Requests left waiting or processing on the oracle (must be 0). */
  orphaned: number;
  /** Requests on the oracle that no client knows, beyond the lost answers (must be 0). */
  duplicateSubmits: number;
  /** Jobs completed short of results, or failed while the server held all their results (must be 0). */
  lostResults: number;
  /** Log lines, errors or non-API requests that held an API key (must be 0). */
  leakedKeys: number;
  unhandledRejections: number;
  /** Jobs left in the clients' job stores at the end (must be 0). */
  storeLeft: number;
  workers: Record<"image" | "text", { pops: number; completed: number; faulted: number; rejected: number }>;
  requestsSent: number;
  wallSeconds: number;
  /** Why jobs failed or were not submitted: error class and message, with counts. */
  failures: Record<string, number>;
  problems: string[];
  records: OracleJobRecord[];
}

export const IMAGE_MODEL = "stable_diffusion";
export const TEXT_MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";
const SUBMIT_ROUTE = /\/api\/v2\/generate\/(text\/)?async$/;
const POP_ROUTE = /\/api\/v2\/generate\/(text\/)?pop$/;
const NOT_POP_ROUTE = /^(?!.*\/pop$)/;

/**
 * The plan: a flaky path to a server behind a gateway. Job submits get every fault at higher rates (a lost
 * answer there is what "never lose a job" is about); pops only faults before the server (a pop whose answer
 * is lost leaves its job with the worker for the server's job ttl, at least 150 s, which the server then
 * re-queues — slower than this soak); every other request every fault.
 */
export function oracleSoakPlan(seed: number): ProxyFaultPlan {
  const everything = (route: RegExp, probability: number): ProxyFaultPlan["rules"] =>
    AFTER_SERVER_FAULTS.concat(["reset-before", "gateway-before"]).map((kind) => ({
      kind,
      probability,
      route,
    }));
  return {
    seed,
    rules: [
      ...everything(SUBMIT_ROUTE, 0.04),
      { kind: "reset-before", probability: 0.04, route: POP_ROUTE },
      { kind: "gateway-before", probability: 0.04, route: POP_ROUTE },
      { kind: "delay", probability: 0.05, route: POP_ROUTE, delayMs: [100, 1500] },
      ...everything(NOT_POP_ROUTE, 0.02),
      { kind: "delay", probability: 0.05, delayMs: [100, 2500] },
    ],
  };
}

/**
 * A client's job store that remembers every request id it was told: what the client knew, including the
 * jobs it cancelled without handing them to the caller (an abort while the submit was on the wire).
 */
class RecordingJobStore extends MemoryJobStore {
  readonly ids = new Set<string>();

  override async put(job: StoredJob): Promise<void> {
    if (job.id) this.ids.add(job.id);
    await super.put(job);
  }

  override async update(key: string, patch: StoredJobPatch): Promise<boolean> {
    if (patch.id) this.ids.add(patch.id);
    return super.update(key, patch);
  }
}

/** An error with its causes, as a log line would show it. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e; depth++) {
    parts.push(
      e instanceof Error ? `${e.name}: ${e.message}` : typeof e === "object" ? JSON.stringify(e) : String(e),
    );
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(" <- ");
}

/** Every request of these accounts, with its jobs waiting, processing and finished, from the oracle's database. */
async function serverRequests(oracle: OracleInfo, userIds: number[]): Promise<ServerRequest[]> {
  const out = await oracleSql(
    oracle,
    `select wp.id, wp.wp_type, wp.user_id, wp.n, wp.faulted,
       (select count(*) from processing_gens pg where pg.wp_id = wp.id and not pg.fake and not pg.faulted
          and not pg.cancelled and pg.generation is null),
       (select count(*) from processing_gens pg where pg.wp_id = wp.id and not pg.fake and pg.generation is not null)
     from waiting_prompts wp where wp.user_id in (${userIds.join(",")})`,
  );
  return out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [id = "", type = "", userId, n, faulted, processing, finished] = line.split("|");
      return {
        id,
        type,
        userId: Number(userId),
        waiting: Number(n),
        processing: Number(processing),
        finished: Number(finished),
        faulted: faulted === "t",
      };
    });
}

/** The oracle's own API, asked directly: the request's `done`, `waiting` and `processing`. */
async function checkOnServer(oracle: OracleInfo, request: ServerRequest) {
  const path = request.type === "text" ? "generate/text/status" : "generate/check";
  const res = await fetch(`${oracle.baseUrl}/v2/${path}/${request.id}`, {
    headers: { "X-Forwarded-For": isolatedIp() },
  });
  return (await res.json()) as { done?: boolean; waiting?: number; processing?: number };
}

export async function runOracleSoak(options: OracleSoakOptions): Promise<OracleSoakReport> {
  const started = Date.now();
  const { oracle } = options;
  const log = options.log ?? (() => {});
  // One generator per client, so its jobs are the same on a seed whatever the others' timing.
  const randoms = Array.from({ length: options.clients }, (_, i) =>
    prng((options.seed ^ 0x0a11ce) + i * 7919),
  );
  const abortRate = options.abortRate ?? 0.12;
  const problems: string[] = [];
  const records: OracleJobRecord[] = [];
  const logLines: string[] = [];
  let unhandled = 0;
  const onUnhandled = (reason: unknown) => {
    unhandled++;
    problems.push(`unhandled rejection: ${describeError(reason)}`);
  };
  process.on("unhandledRejection", onUnhandled);

  const target = new URL(oracle.baseUrl).origin;
  /** Requests through the proxy that carried an API key to a path outside the API. */
  const keyOffApi: string[] = [];
  const proxy = await startFaultProxy({
    target,
    plan: oracleSoakPlan(options.seed),
    onRequest: ({ method, path, headers }) => {
      if (headers.apikey !== undefined && !path.startsWith("/api/")) keyOffApi.push(`${method} ${path}`);
    },
    // Each client's stream is named by its Client-Agent, the same on every run (its address is random).
    streamOf: (headers, address) => String(headers["client-agent"] ?? address),
  });
  const apiBase = `${proxy.url}/api`;
  log(`  fault proxy ${proxy.url} → ${target}`);

  const [users, imageOwner, textOwner] = await Promise.all([
    Promise.all(Array.from({ length: options.clients }, () => createOracleUser(oracle))),
    createOracleUser(oracle),
    createOracleUser(oracle),
  ]);
  const keys = [...users.map((u) => u.apikey), imageOwner.apikey, textOwner.apikey];

  let requestsSent = 0;
  /** Ids read from the 202 of a submit: any other id a client learned was found after a lost answer. */
  const answeredIds = new Set<string>();
  /** Every URL and header the clients sent to a host that is not the API (must never hold a key). */
  const foreignTraffic: string[] = [];
  const clientFetch = (ip: string): FetchLike => {
    return async (input, init) => {
      requestsSent++;
      const request = new Request(input as RequestInfo, init as RequestInit);
      if (!request.url.startsWith(`${apiBase}/`)) {
        foreignTraffic.push(`${request.method} ${request.url} ${JSON.stringify([...request.headers])}`);
      }
      request.headers.set("X-Forwarded-For", ip);
      const response = await fetch(request);
      if (request.method === "POST" && SUBMIT_ROUTE.test(new URL(request.url).pathname)) {
        if (response.status === 202) {
          try {
            const id = (JSON.parse(await response.clone().text()) as { id?: unknown }).id;
            if (typeof id === "string") answeredIds.add(id);
          } catch {
            // A cut body: the client cannot read the id either.
          }
        }
      }
      return response;
    };
  };
  const newClient = (apiKey: string, name: string, jobStore?: RecordingJobStore) =>
    new AIHordeAPIClient({
      baseUrl: apiBase,
      apiKey,
      clientAgent: `soak-oracle:1.0:${name}`,
      fetch: clientFetch(isolatedIp()),
      logger: recordingLogger(logLines),
      retry: { maxRetries: 6, initialDelayMs: 300, maxDelayMs: 4000 },
      ...(jobStore ? { jobStore } : {}),
    });
  const stores = users.map(() => new RecordingJobStore());
  const clients = users.map((u, i) => newClient(u.apikey, `client-${i}`, stores[i]));

  // The workers: a deterministic back end (a picture drawn from the prompt and seed; a text from the prompt).
  const imageWorker = new HordeWorker({
    kind: "image",
    client: newClient(imageOwner.apikey, "image-worker"),
    name: uniqueName("soakw"),
    models: [IMAGE_MODEL],
    maxPixels: 1024 * 1024,
    generate: drawnImages,
  });
  const textWorker = new HordeWorker({
    kind: "text",
    client: newClient(textOwner.apikey, "text-worker"),
    name: uniqueName("soakt"),
    models: [TEXT_MODEL],
    generate: (job) => ({ text: ` and then, ${job.prompt.length} characters later, the end.`, seed: 7 }),
  });
  imageWorker.start();
  textWorker.start();

  const total = options.clients * options.jobsPerClient;
  let finished = 0;

  async function runJob(i: number, j: number): Promise<void> {
    const client = clients[i] as AIHordeAPIClient;
    const random = randoms[i] as ReturnType<typeof prng>;
    const kind = random.next() < 0.55 ? "image" : "text";
    const n = kind === "image" ? 1 + random.int(2) : 1;
    const r2 = random.next() < 0.5;
    const record: OracleJobRecord = {
      client: i,
      job: j,
      kind,
      id: null,
      outcome: "not-submitted",
      expected: n,
      received: 0,
      error: null,
    };
    records.push(record);
    const controller = new AbortController();
    const abortAt = random.next() < abortRate ? random.int(12_000) : null;
    const timer =
      abortAt === null ? undefined : setTimeout(() => controller.abort(new Error("client gave up")), abortAt);
    const common = {
      signal: controller.signal,
      timeoutMs: 150_000,
      onSubmitted: (r: { id: string }) => {
        record.id = r.id;
      },
    };
    const tag = `soak c${i} j${j}`;
    try {
      if (kind === "image") {
        const result = await client.generateImage(
          {
            prompt: `${tag} a lighthouse`,
            params: { width: 64, height: 64, steps: 5, n },
            models: [IMAGE_MODEL],
            r2,
          },
          common,
        );
        record.received = result.images.filter((im) => im.bytes && im.bytes.length > 0).length;
      } else {
        const result = await client.generateText(
          {
            prompt: `${tag} once upon a time`,
            params: { max_length: 32, max_context_length: 1024 },
            models: [TEXT_MODEL],
          },
          common,
        );
        record.received = result.texts.filter((t) => typeof t === "string" && t.length > 0).length;
      }
      record.outcome = "completed";
      if (record.received < record.expected) {
        problems.push(`lost results: ${tag} ${kind} ${record.id} got ${record.received}/${record.expected}`);
      }
    } catch (error) {
      record.error = describeError(error).slice(0, 400);
      record.outcome = outcomeOf(error, record.id, controller.signal.aborted);
      if (error instanceof TypeError) problems.push(`TypeError escaped the SDK: ${record.error}`);
    } finally {
      clearTimeout(timer);
      finished++;
      if (finished % Math.max(1, Math.floor(total / 5)) === 0) {
        log(
          `  ${finished}/${total} jobs, ${proxy.counts().total} faults, ${Math.round((Date.now() - started) / 1000)} s`,
        );
      }
    }
  }

  await Promise.all(
    clients.map(async (_c, i) => {
      for (let j = 0; j < options.jobsPerClient; j++) await runJob(i, j);
    }),
  );

  // A submit whose request could not be identified in time stays in its client's job store: the SDK's
  // answer to that is a later resume, which looks again and cancels what it finds.
  let resumed = 0;
  const resumedIds = new Set<string>();
  for (const [i, client] of clients.entries()) {
    if ((await stores[i]?.list())?.length === 0) continue;
    for (const entry of await client.resumeJobs()) {
      if (entry.job) {
        resumed++;
        resumedIds.add(entry.job.id);
        await entry.job.cancel().catch((e: unknown) => problems.push(`resume cancel: ${describeError(e)}`));
      } else {
        problems.push(`client ${i}: stored job ${entry.key} not resumed (${entry.state}: ${entry.reason})`);
      }
    }
  }
  const storeLeft = (await Promise.all(stores.map((s) => s.list()))).flat().length;
  if (storeLeft > 0) problems.push(`${storeLeft} job(s) left in the clients' job stores`);

  // The workers finish what they hold (their last submits go through the proxy too), then stop.
  const [imageStats, textStats] = await Promise.all([imageWorker.stop(), textWorker.stop()]);
  const counts = proxy.counts();
  const proxyLog = [...proxy.log];
  await proxy.close();
  process.off("unhandledRejection", onUnhandled);

  // The oracle's own view, read directly: nothing may be left waiting or processing. A job a worker was
  // answering when it stopped is given a few seconds to land.
  const userIds = users.map((u) => u.id);
  let requests = await serverRequests(oracle, userIds);
  for (let k = 0; k < 10 && requests.some((r) => r.waiting > 0 || r.processing > 0); k++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    requests = await serverRequests(oracle, userIds);
  }
  const left = requests.filter((r) => r.waiting > 0 || r.processing > 0);
  const byId = new Map(records.filter((r) => r.id).map((r) => [r.id as string, r]));
  for (const r of left) {
    const rec = byId.get(r.id);
    const check = await checkOnServer(oracle, r).catch((e: unknown) => ({ error: String(e) }));
    problems.push(
      `orphaned: ${r.type} ${r.id} waiting ${r.waiting} processing ${r.processing} (server API: ${JSON.stringify(check)}; client: ${rec ? `c${rec.client} j${rec.job} ${rec.outcome} ${rec.error}` : "none"})`,
    );
  }
  // The server's API agrees with its database (a sample). A cancelled text request stays `done: false`
  // with nothing waiting or processing: the server's text DELETE zeroes what is left to hand out but, unlike
  // the image one, not the jobs asked for.
  for (const r of requests.filter((x) => !left.includes(x)).slice(0, 20)) {
    const check = await checkOnServer(oracle, r);
    if (check.waiting !== 0 || check.processing !== 0) {
      problems.push(`the server's API says ${r.id} is not over: ${JSON.stringify(check)}`);
    }
  }

  // Duplicates and lost answers: every request the oracle holds is known to a client — its job store was
  // told its id — and a client learned an id other than from a 202 only for a submit whose answer was lost.
  const storeIds = new Set(stores.flatMap((st) => [...st.ids]));
  const known = new Set([...byId.keys(), ...resumedIds, ...storeIds]);
  const unknown = requests.filter((r) => !known.has(r.id));
  const injected = proxyLog.filter(
    (e) =>
      e.method === "POST" &&
      SUBMIT_ROUTE.test(e.route) &&
      e.serverStatus === 202 &&
      e.fault !== null &&
      AFTER_SERVER_FAULTS.includes(e.fault),
  ).length;
  // Found by the lookup right after the lost answer, or by the resume afterwards.
  const learned = [...storeIds].filter((id) => !answeredIds.has(id));
  const found = learned.filter((id) => !resumedIds.has(id)).length;
  if (learned.length + unknown.length !== injected) {
    problems.push(
      `lost submits: ${injected} injected, ${found} found + ${resumed} resumed + ${unknown.length} requests nobody knows`,
    );
  }
  const duplicateSubmits = unknown.length + Math.max(0, learned.length - injected);
  /** Requests the client cancelled without handing them to its caller (aborted while the submit was on the wire). */
  const cancelledUnseen = [...storeIds].filter((id) => !byId.has(id) && !resumedIds.has(id)).length;
  for (const r of unknown) problems.push(`unknown to every client: ${r.type} ${r.id}`);

  // Lost results: a job reported complete short of results (counted above), or one that failed while the
  // server held every result it asked for.
  const serverById = new Map(requests.map((r) => [r.id, r]));
  let lostResults = problems.filter((p) => p.startsWith("lost results")).length;
  for (const rec of records) {
    const req = rec.id ? serverById.get(rec.id) : undefined;
    if (rec.outcome === "failed" && req && req.finished >= rec.expected) {
      lostResults++;
      problems.push(`lost results: ${rec.id} finished on the server, the client failed: ${rec.error}`);
    }
  }

  // The API key never reaches a log line, an error, or a host that is not the API.
  const leaks = [...logLines, ...records.map((r) => r.error ?? ""), ...foreignTraffic].filter((line) =>
    keys.some((k) => line.includes(k)),
  );
  for (const line of leaks.slice(0, 5)) problems.push(`key leaked: ${line.slice(0, 200)}`);
  for (const line of keyOffApi.slice(0, 5)) problems.push(`key sent outside the API: ${line}`);
  if (unhandled > 0) problems.push(`${unhandled} unhandled rejection(s)`);

  const { outcomes, failures } = tally(records, 120);
  const kinds = { image: 0, text: 0 };
  for (const r of records) kinds[r.kind]++;
  const submitFaults: Record<string, number> = {};
  for (const [route, perRoute] of Object.entries(counts.byRoute)) {
    if (!SUBMIT_ROUTE.test(route)) continue;
    for (const [kind, v] of Object.entries(perRoute)) {
      if (kind !== "requests") submitFaults[kind] = (submitFaults[kind] ?? 0) + v;
    }
  }
  const workerFigures = (s: typeof imageStats) => ({
    pops: s.pops,
    completed: s.completed,
    faulted: s.faulted,
    rejected: s.rejected,
  });
  const { byRoute: _byRoute, ...proxyTotals } = counts;
  return {
    seed: options.seed,
    clients: options.clients,
    jobs: records.length,
    submitted: records.filter((r) => r.id !== null).length,
    kinds,
    outcomes,
    proxy: { ...proxyTotals, submitFaults },
    lostSubmits: { injected, found, resumed, unidentified: unknown.length },
    cancelledUnseen,
    server: {
      requests: requests.length,
      waiting: requests.filter((r) => r.waiting > 0).length,
      processing: requests.filter((r) => r.processing > 0).length,
      finished: requests.filter((r) => r.finished > 0).length,
      faulted: requests.filter((r) => r.faulted).length,
    },
    orphaned: left.length,
    duplicateSubmits,
    lostResults,
    leakedKeys: leaks.length + keyOffApi.length,
    unhandledRejections: unhandled,
    storeLeft,
    workers: { image: workerFigures(imageStats), text: workerFigures(textStats) },
    requestsSent,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    failures,
    problems,
    records,
  };
}

/** The figures without the per-job records, for printing. */
export const oracleSoakSummary = summary<OracleSoakReport>;
