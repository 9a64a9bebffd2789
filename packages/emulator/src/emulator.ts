/**
 * `createEmulator()`: puts the parts together — the horde's store, the fault plan, the rate limits, the
 * admin API, the app with its front door, the dev workers — and opens the doors: in-process `fetch` and
 * `listen()`.
 */
import { type Clock, systemClock } from "horde-sdk";
import { VirtualClock } from "./clock.js";
import type { DevWorkerConnection } from "./devworker/base.js";
import { type AnyDevWorker, DevWorkerPool, type DevWorkerSpec, devWorkerSpecs } from "./devworker/pool.js";
import { HordeStore } from "./horde/store/store.js";
import {
  ANONYMOUS_API_KEY,
  type CreateUserInput,
  DEFAULT_ANONYMOUS_CONCURRENCY,
} from "./horde/store/users.js";
import type { WebhookOptions, WebhookOutcome } from "./horde/store/webhooks.js";
import { consoleLogger, type EmulatorLogger } from "./logger.js";
import { createAdmin, type EmulatorAdmin } from "./server/admin.js";
import type { DevWorkerRequest } from "./server/admin-routes.js";
import { checkAdminToken, isLoopbackHost, newAdminToken } from "./server/admin-token.js";
import { buildApp } from "./server/app.js";
import {
  IN_PROCESS_ORIGIN,
  inProcessFetch,
  type ListenInfo,
  type Listening,
  type ListenOptions,
  listenOn,
} from "./server/doors.js";
import { type FaultCounts, FaultInjector, type FaultPlan } from "./server/faults/index.js";
import {
  createRateLimiting,
  type RateLimitControl,
  type RateLimitOptions,
} from "./server/rate-limit/index.js";
import { createResponseCache, type ResponseCacheControl } from "./server/response-cache.js";
import { uiRoutes } from "./ui/index.js";

export type { AnyDevWorker, DevWorkerSpec } from "./devworker/pool.js";
export { isLoopbackHost } from "./server/admin-token.js";
export {
  IN_PROCESS_ORIGIN,
  type ListenInfo,
  type ListenOptions,
  SOCKET_LIMITS,
  type SocketLimits,
} from "./server/doors.js";

/** How to build an emulator with `createEmulator`; the defaults give a horde like aihorde.net with no workers. */
export interface EmulatorOptions {
  /** Time source for everything time-dependent (default: the system clock). */
  clock?: Clock;
  /**
   * In-process dev workers to start: a number N starts N image, N text and N alchemy workers; a list
   * starts one worker per spec (`type` defaults to image). Default 0.
   */
  devWorkers?: number | DevWorkerSpec[];
  /**
   * The image models the dev workers serve when their spec names none. Default: every image model of the
   * emulator's model reference (the AI Horde's: `stable_diffusion`, `AlbedoBase XL (SDXL)`, `Deliberate`, …),
   * so any request for a known model finds a worker. E.g. `createEmulator({ devWorkers: 1, models: ["Deliberate"] })`.
   */
  models?: string[];
  /** The text models the dev text workers serve when their spec names none (default `koboldcpp/LLaMA2-13B-Psyfighter2`). */
  textModels?: string[];
  /** Divides every dev worker's simulated work time (default 1; 10 = ten times faster). */
  devWorkerSpeed?: number;
  /** Concurrency of the shared anonymous account (default 500, docs/server/rate-limits.md#concurrency). */
  anonymousConcurrency?: number;
  /** Rate limits of docs/server/rate-limits.md#rate-limits (default on); `false` turns them off, an object tunes them. */
  rateLimits?: boolean | RateLimitOptions;
  /** Largest request body accepted, in bytes (default 20 MiB; 413 above). */
  maxBodyBytes?: number;
  /**
   * The server's response caches (docs/server/directory.md#response-caches; default on): for a second a
   * `/generate/check` repeats its first answer, the stats for 50 s, … `false` answers every read fresh.
   */
  responseCache?: boolean;
  /** A fault plan active from the start (see `emulator.faults`). */
  faults?: FaultPlan;
  /** Users created at start with `admin.seedUser` (give `apikey` to get a known key). */
  users?: CreateUserInput[];
  /** Default: warnings and errors to the console. */
  logger?: EmulatorLogger;
  /**
   * Webhook delivery (docs/server/image-requests.md#webhooks): deliveries go out with the global fetch
   * unless `fetch` is given; `http://` webhooks to loopback hosts are accepted unless `httpOnLoopback` is false
   * (a named deviation: the server takes https only).
   */
  webhooks?: WebhookOptions;
  /** Serve the web page at `/` (submit, watch, cancel; the horde's state). Built into dist/ui/ by `npm run build`. */
  ui?: boolean;
  /**
   * The token the admin API (`/_emulator/`) asks of every caller over a socket, as
   * `Authorization: Bearer <token>` (at least 16 characters). Default: a random one, in `describe()`.
   */
  adminToken?: string;
}

/** Fault injection in code (the same as `/_emulator/faults` over HTTP). */
export interface FaultControl {
  /** Replaces the plan; throws a TypeError for an invalid one. Re-seeds the PRNG. */
  set(plan: FaultPlan): void;
  /** Removes the plan (counts are kept). */
  clear(): void;
  /** The plan in force (an empty one when none is set). */
  current(): FaultPlan;
  /** What was injected so far, by kind and route, plus the latest events. */
  counts(): FaultCounts;
  /** Forgets what was injected so far (the plan stays). */
  resetCounts(): void;
}

/** Webhook deliveries in code: what happened to them, and a wait for the ones still queued. */
export interface WebhookControl {
  /** Deliveries that succeeded, were given up after 3 attempts, or found the queue full. */
  outcomes(): Readonly<Record<WebhookOutcome, number>>;
  /** Resolves once every queued delivery has been sent or given up. */
  settled(): Promise<void>;
}

/** Everything a front end (e.g. `horde serve`) prints: where the API is and which keys exist. */
export interface EmulatorDescription {
  /** The API base: the listening URL, or the in-process one (`http://horde.local/api`). */
  baseUrl: string;
  listening: boolean;
  virtualClock: boolean;
  now: number;
  rateLimits: boolean;
  anonymousKey: string;
  /** What the admin API over a socket asks for (`Authorization: Bearer <adminToken>`). */
  adminToken: string;
  users: { id: number; username: string; apikey: string; kudos: number }[];
  devWorkers: { name: string; type: string; running: boolean }[];
}

/** A local AI Horde: the same HTTP API, in memory, with an admin API, fault injection and dev workers. */
export interface Emulator {
  /** In-process HTTP: any origin works, the API lives under `/api`. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Serves the same app over HTTP. */
  listen(options?: ListenOptions): Promise<ListenInfo>;
  /** Stops the dev workers (faulting jobs still "generating"), then the server. */
  close(): Promise<void>;
  readonly clock: Clock;
  readonly admin: EmulatorAdmin;
  readonly faults: FaultControl;
  readonly rateLimits: RateLimitControl;
  /** The response caches, switchable at run time (see `EmulatorOptions.responseCache`). */
  readonly responseCache: ResponseCacheControl;
  /** Webhook deliveries: their outcomes so far, and a wait for the queued ones. */
  readonly webhooks: WebhookControl;
  /** Starts one more in-process dev worker, owned by the emulator's worker-owner user. */
  startDevWorker(options?: DevWorkerSpec): AnyDevWorker;
  readonly devWorkers: readonly AnyDevWorker[];
  /** The base URL, the users and their keys, the dev workers. */
  describe(): EmulatorDescription;
}

const DEV_WORKER_OWNER = "DevWorkerOwner";
const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** Builds an emulator: call its `fetch` in-process, or `listen()` for a socket. Close it when done. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const adminToken = options.adminToken ?? newAdminToken();
  const badToken = checkAdminToken(adminToken);
  if (badToken) throw new TypeError(`adminToken: ${badToken}`);
  const store = new HordeStore(clock, {
    anonymousConcurrency: options.anonymousConcurrency ?? DEFAULT_ANONYMOUS_CONCURRENCY,
    logger,
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const faults = new FaultInjector();
  if (options.faults) faults.set(options.faults);
  const rl = options.rateLimits ?? true;
  const rateLimiting = createRateLimiting(clock, rl !== false, typeof rl === "object" ? rl : {}, (ip, now) =>
    store.isIpWhitelisted(ip, now),
  );
  const responseCache = createResponseCache(clock, options.responseCache ?? true);
  let devOwnerKey: string | null = null;
  let server: Listening | "starting" | null = null;

  /** The user owning the in-process dev workers; its key survives `reset()`. */
  const devOwnerApiKey = (): string => {
    if (devOwnerKey && store.users.findByKey(devOwnerKey)) return devOwnerKey;
    const owner = store.users.create({
      username: DEV_WORKER_OWNER,
      trusted: true,
      workerInvited: 1000,
      ...(devOwnerKey ? { apikey: devOwnerKey } : {}),
    });
    devOwnerKey = owner.apikey;
    return devOwnerKey;
  };

  const admin = createAdmin(store, {
    clock,
    afterReset: () => {
      if (devOwnerKey) devOwnerApiKey();
      rateLimiting.control.reset();
      responseCache.control.clear();
      faults.clear();
      faults.resetCounts();
    },
  });

  const listening = () => (server && server !== "starting" ? server.info : null);
  const describe = (): EmulatorDescription => ({
    baseUrl: listening()?.url ?? `${IN_PROCESS_ORIGIN}/api`,
    listening: listening() !== null,
    virtualClock: clock instanceof VirtualClock,
    now: clock.now(),
    rateLimits: rateLimiting.control.enabled,
    anonymousKey: ANONYMOUS_API_KEY,
    adminToken,
    users: store.users.all().map((u) => ({
      id: u.id,
      username: u.username,
      apikey: u.apikey,
      kudos: Math.round(u.kudos * 100) / 100,
    })),
    devWorkers: pool.workers.map((w) => ({ name: w.name, type: w.type, running: w.running })),
  });

  const app = buildApp({
    store,
    clock,
    faults,
    admin: {
      admin,
      token: adminToken,
      clock,
      faults,
      startDevWorker: (o: DevWorkerRequest) => pool.start(o as DevWorkerSpec),
      describe,
    },
    rateLimit: rateLimiting.middleware,
    responseCache: responseCache.middleware,
    maxBodyBytes,
  });
  // The web page (src/ui/): GET / and its assets under /_ui/, only with `ui: true` (`horde serve`).
  if (options.ui) app.route("/", uiRoutes());

  /**
   * The dev workers' door is never faulted. They hold the clock while they talk to the horde, and a fault's
   * latency sleep inside a hold would stop an auto-advancing clock for good; faults are for the clients
   * under test (external workers included).
   */
  const devWorkerFetch = inProcessFetch(app, false, maxBodyBytes);
  const pool = new DevWorkerPool({
    connection: (ip): DevWorkerConnection => ({
      fetch: devWorkerFetch,
      baseUrl: `${IN_PROCESS_ORIGIN}/api`,
      apikey: devOwnerApiKey(),
      logger,
      ip,
    }),
    defaults: {
      clock,
      ...(options.devWorkerSpeed !== undefined ? { speed: options.devWorkerSpeed } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(options.textModels ? { textModels: options.textModels } : {}),
    },
  });

  for (const user of options.users ?? []) admin.seedUser(user);
  for (const spec of devWorkerSpecs(options.devWorkers)) pool.start(spec);

  return {
    fetch: inProcessFetch(app, true, maxBodyBytes),
    clock,
    admin,
    faults,
    rateLimits: rateLimiting.control,
    responseCache: responseCache.control,
    webhooks: { outcomes: () => store.webhooks.outcomes(), settled: () => store.webhooks.settled() },
    devWorkers: pool.workers,
    startDevWorker: (spec) => pool.start(spec),
    describe,

    async listen(listenOptions = {}) {
      if (server) throw new Error("the emulator is already listening");
      server = "starting";
      try {
        server = await listenOn(app, listenOptions, logger, maxBodyBytes);
        store.webhooks.publicOrigin = new URL(server.info.url).origin;
        if (!isLoopbackHost(listenOptions.host ?? "127.0.0.1")) {
          logger.warn?.(
            `listening on ${server.info.origin}, beyond this machine: anyone who can reach it can use the API and its keys; the admin API needs the admin token`,
          );
        }
        return server.info;
      } catch (e) {
        server = null;
        throw e;
      }
    },

    async close() {
      await pool.stopAll();
      const s = server;
      server = null;
      store.webhooks.publicOrigin = undefined;
      if (s && s !== "starting") await s.close();
    },
  };
}
