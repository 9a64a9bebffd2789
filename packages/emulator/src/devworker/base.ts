/**
 * What every dev worker shares: a `HordeWorker` (horde-sdk/worker) on an `AIHordeAPIClient` built on the
 * emulator's fetch and clock. The dev worker classes are thin adapters: they only say what to generate.
 *
 * Virtual time: real asynchronous work (a request being answered, sharp encoding a WebP) must take no
 * virtual time, or an auto-advancing clock jumps past the job's deadline mid-draw. The dev worker's fetch
 * and its drawing run under `holdClock`; the simulated work time is slept on the clock outside any hold
 * (a sleep inside a hold would stop an auto-advancing clock for good).
 */
import { AIHordeAPIClient, type Clock, type Logger, systemClock } from "horde-sdk";
import { HordeWorker, type HordeWorkerOptions, type HordeWorkerStats } from "horde-sdk/worker";
import { holdClock } from "../clock.js";
import type { EmulatorLogger } from "../logger.js";
import { drawPicture } from "./draw.js";

export const DEV_CLIENT_AGENT = "horde-emulator-devworker:0.1.0:https://github.com/horde-sdk-ts";

/** How a dev worker reaches its horde: the fetch, the API base and the worker owner's key. */
export interface DevWorkerConnection {
  /** The fetch the worker sends through; the emulator passes its in-process `fetch`. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The API base, e.g. `http://horde.local/api`. */
  baseUrl: string;
  apikey: string;
  logger?: EmulatorLogger;
  /** Sent as `X-Forwarded-For`, so each dev worker counts as its own client IP for the rate limits. */
  ip?: string;
}

/** A dev worker's counters, short enough for `horde serve` to print. */
export interface DevWorkerStats {
  /** Pops the horde answered (with a job or without). */
  pops: number;
  /** Jobs submitted: image ids, text jobs, alchemy forms. */
  delivered: number;
  /** Jobs reported faulted (re-queued by the horde): stopped while generating, a failed upload, … */
  faulted: number;
  /** Pops that failed, submits the horde refused, faulted submits that did not get through. */
  errors: number;
}

/** The three kinds of dev worker, one per kind of job. */
export type DevWorkerType = "image" | "text" | "alchemy";

/** A dev worker without a name is called `<prefix>-<n>`: `dev-worker-1`, `dev-text-worker-1`, `dev-alchemist-1`. */
export const DEV_WORKER_NAME_PREFIX: Readonly<Record<DevWorkerType, string>> = {
  image: "dev-worker",
  text: "dev-text-worker",
  alchemy: "dev-alchemist",
};

/** Dev workers constructed without a name so far, per kind (the `<n>` of their default names). */
const unnamed: Record<DevWorkerType, number> = { image: 0, text: 0, alchemy: 0 };

/** What every kind of dev worker takes: its name and how fast it pretends to work. */
export interface BaseDevWorkerOptions {
  /** Worker name (unique on the horde). */
  name?: string;
  /** Simulated work time on the clock, per job (default 1500 ms), divided by `speed`. */
  generationMs?: number;
  /** Wait between pops when there is no job (default 1000 ms; it does not grow while idle). */
  popIntervalMs?: number;
  /** Divides `generationMs` (default 1; 10 = ten times faster). */
  speed?: number;
  bridgeAgent?: string;
  clock?: Clock;
}

/** What a dev worker hands to `new HordeWorker(…)` besides its kind, `generate` and kind options. */
export interface DevWorkerBase {
  client: AIHordeAPIClient;
  name: string;
  popIntervalMs: number;
  maxPopIntervalMs: number;
  /** A dev worker never gives up on its own: a broken job must not stop it. */
  maxConsecutiveFaults: number;
  logger: Logger;
}

/**
 * The simulated work of one job: sleeps the work time (`generationMs / speed`) on the clock, outside any
 * hold, then runs `work` (the real drawing or writing) under the clock's hold. Stopping the worker aborts
 * the sleep: the job is faulted.
 */
export type SimulateWork = <T>(signal: AbortSignal, work: () => Promise<T> | T) => Promise<T>;

/** What a kind adds to its `HordeWorker`: everything but the common part (DevWorkerBase) and the kind. */
export type KindWorkerOptions<K extends DevWorkerType> = Omit<
  Extract<HordeWorkerOptions, { kind: K }>,
  keyof DevWorkerBase | "kind"
>;

/**
 * The dev worker's fetch: the connection's, with the worker's client IP, under the clock's hold (the
 * answer is read inside it too). A GET that fails is a source image the emulator cannot serve — a
 * foreign URL (it runs offline) or an expired R2 object: it reads as a 512×512 picture drawn from its URL,
 * so the job is worked on rather than faulted. (The worker's only GETs are source images.)
 */
function devWorkerFetch(conn: DevWorkerConnection, clock: Clock): DevWorkerConnection["fetch"] {
  return (input, init) =>
    holdClock(clock, async () => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (conn.ip) headers.set("X-Forwarded-For", conn.ip);
      const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
      const url = input instanceof Request ? input.url : String(input);
      let response: Response | null = null;
      try {
        response = await conn.fetch(input, { ...init, headers });
      } catch (error) {
        if (method !== "GET") throw error;
      }
      if (method === "GET" && !response?.ok) {
        await response?.body?.cancel();
        const picture = await drawPicture({ prompt: url, seed: 0, width: 512, height: 512 });
        return new Response(picture, { status: 200, headers: { "Content-Type": "image/webp" } });
      }
      const res = response as Response;
      const body = await res.arrayBuffer();
      const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
      return new Response(nullBody ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    });
}

/** The emulator's logger (every method optional, a data object) as the SDK's console-like logger. */
function sdkLogger(logger: EmulatorLogger | undefined): Logger {
  const at =
    (level: keyof EmulatorLogger) =>
    (message: string, ...details: unknown[]) => {
      const log = logger?.[level];
      if (!log) return;
      log.call(logger, message, details.length > 0 ? { details } : undefined);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * A dev worker: a `HordeWorker` with the emulator's lifecycle (`start()` once, `stop()` faults the jobs
 * still generating) and the emulator's short stats. `worker` is the HordeWorker itself (events, full stats).
 */
export abstract class HordeDevWorker<K extends DevWorkerType = DevWorkerType> {
  readonly type: K;
  readonly worker: HordeWorker;
  #releaseErrors = 0;

  /**
   * A kind's constructor: its `HordeWorker` gets what every dev worker shares (client, name, pacing,
   * logger) and what `kindOptions` returns, whose `generate` runs each job through `simulate`.
   */
  protected constructor(
    conn: DevWorkerConnection,
    options: BaseDevWorkerOptions,
    type: K,
    kindOptions: (simulate: SimulateWork) => KindWorkerOptions<K>,
  ) {
    const clock = options.clock ?? systemClock;
    const speed = options.speed && options.speed > 0 ? options.speed : 1;
    const generationMs = (options.generationMs ?? 1500) / speed;
    const popIntervalMs = options.popIntervalMs ?? 1000;
    const logger = sdkLogger(conn.logger);
    const client = new AIHordeAPIClient({
      baseUrl: conn.baseUrl,
      apiKey: conn.apikey,
      clientAgent: DEV_CLIENT_AGENT,
      fetch: devWorkerFetch(conn, clock),
      clock,
      logger,
      // The emulator enforces its own limits (each dev worker is its own IP); no client-side pacing.
      rateLimit: { enabled: false },
    });
    const base: DevWorkerBase = {
      client,
      name: options.name ?? `${DEV_WORKER_NAME_PREFIX[type]}-${++unnamed[type]}`,
      popIntervalMs,
      maxPopIntervalMs: popIntervalMs,
      maxConsecutiveFaults: Number.POSITIVE_INFINITY,
      logger,
    };
    const simulate: SimulateWork = async (signal, work) => {
      await clock.sleep(generationMs, signal);
      return holdClock(clock, async () => work());
    };
    this.type = type;
    this.worker = new HordeWorker({ ...base, kind: type, ...kindOptions(simulate) } as HordeWorkerOptions);
    this.worker.on("error", ({ phase }) => {
      if (phase === "release") this.#releaseErrors++;
    });
  }

  /** The worker's name on the horde. */
  get name(): string {
    return this.worker.name;
  }

  /** True from `start()` until `stop()`. */
  get running(): boolean {
    return this.worker.state === "running";
  }

  /** What the worker has done so far (the full stats are on `worker.stats`). */
  get stats(): DevWorkerStats {
    const s: HordeWorkerStats = this.worker.stats;
    return {
      pops: s.pops - s.popErrors,
      delivered: s.completed,
      faulted: s.faulted,
      errors: s.popErrors + s.rejected + this.#releaseErrors,
    };
  }

  /** Starts popping (once: a stopped dev worker stays stopped). */
  start(): this {
    if (this.worker.state === "idle") this.worker.start();
    return this;
  }

  /**
   * Stops polling. By default a job still "generating" is reported faulted (re-queued); `drain: true`
   * finishes the jobs in flight instead (on a manual clock, only as the clock is advanced).
   */
  async stop(options: { drain?: boolean } = {}): Promise<void> {
    if (options.drain !== true) await this.worker.stop({ drain: false });
    else await this.worker.stop();
  }
}
