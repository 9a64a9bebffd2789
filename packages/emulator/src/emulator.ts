import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Clock, systemClock } from "horde-sdk";
import { createAdmin, type EmulatorAdmin } from "./admin.js";
import { buildApp } from "./app.js";
import { holdClock } from "./clock.js";
import type { EmulatorContext } from "./context.js";
import { DevWorker, type DevWorkerOptions } from "./devworker/worker.js";
import { consoleLogger, type EmulatorLogger } from "./logger.js";
import { HordeState } from "./state/horde.js";
import { DEFAULT_ANONYMOUS_CONCURRENCY } from "./state/users.js";

export interface EmulatorOptions {
  /** Time source for everything time-dependent (default: the system clock). */
  clock?: Clock;
  /** In-process dev workers to start: a count, or one options object each (default 0). */
  devWorkers?: number | DevWorkerOptions[];
  /** Concurrency of the shared anonymous account (default 500, §3.3). */
  anonymousConcurrency?: number;
  /** Default: warnings and errors to the console. */
  logger?: EmulatorLogger;
}

export interface ListenOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface ListenInfo {
  /** The API base, e.g. `http://127.0.0.1:7001/api`. */
  url: string;
  /** e.g. `http://127.0.0.1:7001`. */
  origin: string;
  port: number;
}

export interface Emulator {
  /** In-process HTTP: any origin works, the API lives under `/api`. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Serves the same app over HTTP. */
  listen(options?: ListenOptions): Promise<ListenInfo>;
  /** Stops the dev workers (faulting jobs still "generating"), then the server. */
  close(): Promise<void>;
  readonly clock: Clock;
  readonly admin: EmulatorAdmin;
  /** Starts one more in-process dev worker, owned by the emulator's worker-owner user. */
  startDevWorker(options?: DevWorkerOptions): DevWorker;
  readonly devWorkers: readonly DevWorker[];
}

/** The origin used for in-process calls that give a bare path. */
const IN_PROCESS_ORIGIN = "http://horde.local";
const DEV_WORKER_OWNER = "DevWorkerOwner";

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const state = new HordeState(clock, options.anonymousConcurrency ?? DEFAULT_ANONYMOUS_CONCURRENCY);
  const ctx: EmulatorContext = { state, clock, logger };
  const devWorkers: DevWorker[] = [];
  let devOwnerKey: string | null = null;
  let server: ReturnType<typeof serve> | null = null;

  /** The user owning the in-process dev workers; its key survives `reset()`. */
  const devOwnerApiKey = (): string => {
    if (devOwnerKey && state.users.findByKey(devOwnerKey)) return devOwnerKey;
    const owner = state.users.create({
      username: DEV_WORKER_OWNER,
      trusted: true,
      workerInvited: 1000,
      ...(devOwnerKey ? { apikey: devOwnerKey } : {}),
    });
    devOwnerKey = owner.apikey;
    return devOwnerKey;
  };

  const admin = createAdmin(state, () => {
    if (devOwnerKey) devOwnerApiKey();
  });

  const app = buildApp(ctx, {
    admin,
    clock,
    startDevWorker: (o) => startDevWorker(o),
  });

  /**
   * Handling an API or R2 request takes no virtual time: hold the clock so an auto-advancing clock does
   * not jump while a handler awaits (admin calls are left out: `clock/advance` must not wait on itself).
   */
  const handle = (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const run = async () => app.fetch(request);
    return path.startsWith("/_emulator/") ? run() : holdClock(clock, run);
  };

  /** Like global fetch: a bad input rejects (never throws synchronously); a bare path gets a local origin. */
  const fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) return handle(init === undefined ? input : new Request(input, init));
    return handle(new Request(new URL(String(input), IN_PROCESS_ORIGIN), init));
  };

  const startDevWorker = (o: DevWorkerOptions = {}): DevWorker => {
    const name = o.name ?? `dev-worker-${devWorkers.length + 1}`;
    if (devWorkers.some((w) => w.name === name && w.running))
      throw new Error(`a dev worker named '${name}' runs already`);
    const worker = new DevWorker(
      { fetch, baseUrl: `${IN_PROCESS_ORIGIN}/api`, apikey: devOwnerApiKey(), logger },
      { clock, ...o, name },
    );
    devWorkers.push(worker);
    return worker.start();
  };

  const initial = options.devWorkers ?? 0;
  const initialOptions = typeof initial === "number" ? Array.from({ length: initial }, () => ({})) : initial;
  for (const o of initialOptions) startDevWorker(o);

  return {
    fetch,
    clock,
    admin,
    devWorkers,
    startDevWorker,

    listen({ port = 0, host = "127.0.0.1" } = {}) {
      if (server) return Promise.reject(new Error("the emulator is already listening"));
      return new Promise<ListenInfo>((resolve, reject) => {
        const s = serve({ fetch: (req) => handle(req), port, hostname: host }, (info: AddressInfo) => {
          const h = info.family === "IPv6" ? `[${info.address}]` : info.address;
          const origin = `http://${h}:${info.port}`;
          logger.info?.(`listening on ${origin}`);
          resolve({ url: `${origin}/api`, origin, port: info.port });
        });
        s.once("error", reject);
        server = s;
      });
    },

    async close() {
      await Promise.all(devWorkers.map((w) => w.stop()));
      const s = server;
      server = null;
      if (s) {
        await new Promise<void>((resolve, reject) => {
          s.close((e?: Error) => (e ? reject(e) : resolve()));
          if ("closeAllConnections" in s) s.closeAllConnections();
        });
      }
    },
  };
}
