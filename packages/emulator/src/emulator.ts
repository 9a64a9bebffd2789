/**
 * `createEmulator()`: the state, the app, the front door every request passes (client IP, fault plan,
 * clock hold), in-process `fetch`, `listen()`, dev workers and the admin API.
 */
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Clock, systemClock } from "horde-sdk";
import { createAdmin, type EmulatorAdmin } from "./admin.js";
import { buildApp, CORS_HEADERS } from "./app.js";
import { holdClock, VirtualClock } from "./clock.js";
import type { EmulatorContext } from "./context.js";
import { AlchemyDevWorker, type AlchemyDevWorkerOptions } from "./devworker/alchemy-worker.js";
import type { DevWorkerConnection } from "./devworker/base.js";
import { TextDevWorker, type TextDevWorkerOptions } from "./devworker/text-worker.js";
import { DevWorker, type DevWorkerOptions } from "./devworker/worker.js";
import {
  ConnectionDropped,
  connectionResetError,
  errorResponse,
  type FaultCounts,
  FaultInjector,
  type FaultPlan,
  htmlResponse,
  malformed,
  rateLimitResponse,
} from "./faults/index.js";
import { DEFAULT_CLIENT_IP, forwardedIp, type RequestMeta, setMeta } from "./http/meta.js";
import { ANONYMOUS_API_KEY } from "./http/request.js";
import { consoleLogger, type EmulatorLogger } from "./logger.js";
import {
  createRateLimiting,
  findOperation,
  type RateLimitControl,
  type RateLimitOptions,
} from "./ratelimit/index.js";
import type { DevWorkerRequest } from "./routes/admin.js";
import { HordeState } from "./state/horde.js";
import { type CreateUserInput, DEFAULT_ANONYMOUS_CONCURRENCY } from "./state/users.js";
import { uiRoutes } from "./ui/index.js";

export type DevWorkerSpec =
  | (DevWorkerOptions & { type?: "image" })
  | (TextDevWorkerOptions & { type: "text" })
  | (AlchemyDevWorkerOptions & { type: "alchemy" });

export type AnyDevWorker = DevWorker | TextDevWorker | AlchemyDevWorker;

export interface EmulatorOptions {
  /** Time source for everything time-dependent (default: the system clock). */
  clock?: Clock;
  /**
   * In-process dev workers to start: a number N starts N image, N text and N alchemy workers; a list
   * starts one worker per spec (`type` defaults to image). Default 0.
   */
  devWorkers?: number | DevWorkerSpec[];
  /** Divides every dev worker's simulated work time (default 1; 10 = ten times faster). */
  devWorkerSpeed?: number;
  /** Concurrency of the shared anonymous account (default 500, §3.3). */
  anonymousConcurrency?: number;
  /** Rate limits of §3 (default on); `false` turns them off, an object tunes them. */
  rateLimits?: boolean | RateLimitOptions;
  /** Largest request body accepted, in bytes (default 20 MiB; 413 above). */
  maxBodyBytes?: number;
  /** A fault plan active from the start (see `emulator.faults`). */
  faults?: FaultPlan;
  /** Users created at start with `admin.seedUser` (give `apikey` to get a known key). */
  users?: CreateUserInput[];
  /** Default: warnings and errors to the console. */
  logger?: EmulatorLogger;
  /** Serve the web page at `/` (submit, watch, cancel; the horde's state). Built into dist/ui/ by `npm run build`. */
  ui?: boolean;
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

/** Fault injection in code (the same as `/_emulator/faults` over HTTP). */
export interface FaultControl {
  /** Replaces the plan; throws a TypeError for an invalid one. Re-seeds the PRNG. */
  set(plan: FaultPlan): void;
  /** Removes the plan (counts are kept). */
  clear(): void;
  current(): FaultPlan;
  /** What was injected so far, by kind and route, plus the latest events. */
  counts(): FaultCounts;
  resetCounts(): void;
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
  users: { id: number; username: string; apikey: string; kudos: number }[];
  devWorkers: { name: string; type: string; running: boolean }[];
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
  readonly faults: FaultControl;
  readonly rateLimits: RateLimitControl;
  /** Starts one more in-process dev worker, owned by the emulator's worker-owner user. */
  startDevWorker(options?: DevWorkerSpec): AnyDevWorker;
  readonly devWorkers: readonly AnyDevWorker[];
  /** The base URL, the users and their keys, the dev workers. */
  describe(): EmulatorDescription;
}

/** The origin used for in-process calls that give a bare path. */
export const IN_PROCESS_ORIGIN = "http://horde.local";
const DEV_WORKER_OWNER = "DevWorkerOwner";
const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** `devWorkers: N` → N of each type; a list → as given. */
function devWorkerSpecs(devWorkers: EmulatorOptions["devWorkers"]): DevWorkerSpec[] {
  if (devWorkers === undefined) return [];
  if (typeof devWorkers !== "number") return devWorkers;
  const n = Math.max(0, Math.floor(devWorkers));
  const of = (type: "image" | "text" | "alchemy") =>
    Array.from({ length: n }, () => ({ type }) as DevWorkerSpec);
  return [...of("image"), ...of("text"), ...of("alchemy")];
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const state = new HordeState(clock, options.anonymousConcurrency ?? DEFAULT_ANONYMOUS_CONCURRENCY);
  const ctx: EmulatorContext = { state, clock, logger };
  const devWorkers: AnyDevWorker[] = [];
  const faults = new FaultInjector();
  if (options.faults) faults.set(options.faults);
  const rl = options.rateLimits ?? true;
  const rateLimiting = createRateLimiting(clock, rl !== false, typeof rl === "object" ? rl : {});
  let devOwnerKey: string | null = null;
  let server: ReturnType<typeof serve> | null = null;
  let listening: ListenInfo | null = null;

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

  const admin = createAdmin(state, {
    clock,
    afterReset: () => {
      if (devOwnerKey) devOwnerApiKey();
      rateLimiting.control.reset();
      faults.clear();
      faults.resetCounts();
    },
  });

  const describe = (): EmulatorDescription => ({
    baseUrl: listening?.url ?? `${IN_PROCESS_ORIGIN}/api`,
    listening: listening !== null,
    virtualClock: clock instanceof VirtualClock,
    now: clock.now(),
    rateLimits: rateLimiting.control.enabled,
    anonymousKey: ANONYMOUS_API_KEY,
    users: state.users.all().map((u) => ({
      id: u.id,
      username: u.username,
      apikey: u.apikey,
      kudos: Math.round(u.kudos * 100) / 100,
    })),
    devWorkers: devWorkers.map((w) => ({ name: w.name, type: w.type, running: w.running })),
  });

  const app = buildApp(ctx, {
    admin: {
      admin,
      clock,
      faults,
      startDevWorker: (o: DevWorkerRequest) => startDevWorker(o as DevWorkerSpec),
      describe,
    },
    rateLimit: rateLimiting.middleware,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  // The web page (src/ui/): GET / and its assets under /_ui/, only with `ui: true` (`horde serve`).
  if (options.ui) app.route("/", uiRoutes());

  /**
   * Every request passes here. Faults are decided first and latency is slept on the clock OUTSIDE the
   * hold (a hold with a pending sleep would stop an auto-advancing clock forever). Handling an API or R2
   * request then takes no virtual time: the clock is held while the app runs (admin calls are left out:
   * `clock/advance` must not wait on itself). Throws `ConnectionDropped` for resets.
   */
  const frontDoor = async (request: Request, meta: RequestMeta, faultable = true): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path.startsWith("/_emulator/")) {
      setMeta(request, meta);
      return app.fetch(request);
    }
    const apiPath = path.startsWith("/api/") ? path.slice(4) : path;
    const decision =
      faultable && faults.active
        ? faults.decide(
            request.method,
            apiPath,
            findOperation(request.method, apiPath)?.resource ?? apiPath,
            clock.now(),
          )
        : null;
    if (decision && decision.latencyMs > 0) await clock.sleep(decision.latencyMs);
    const outcome = decision?.outcome ?? null;
    if (outcome) {
      switch (outcome.kind) {
        case "reset":
          throw new ConnectionDropped();
        case "error":
          return withCors(errorResponse(outcome));
        case "html":
          return htmlResponse(outcome);
        case "rate-limit":
          return withCors(rateLimitResponse(outcome, clock.now()));
        case "maintenance":
          meta.maintenance = true;
          break;
        default:
          break;
      }
    }
    setMeta(request, meta);
    const response = await holdClock(clock, async () => app.fetch(request));
    if (outcome?.kind === "lost-response") {
      await response.body?.cancel();
      throw new ConnectionDropped();
    }
    if (outcome?.kind === "malformed") return malformed(response);
    return response;
  };

  /** Like global fetch: a bad input rejects (never throws synchronously); a bare path gets a local origin. */
  const inProcess =
    (faultable: boolean) =>
    async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
      const request =
        input instanceof Request
          ? init === undefined
            ? input
            : new Request(input, init)
          : new Request(new URL(String(input), IN_PROCESS_ORIGIN), init);
      try {
        return await frontDoor(
          request,
          { clientIp: forwardedIp(request.headers) ?? DEFAULT_CLIENT_IP },
          faultable,
        );
      } catch (e) {
        // A dropped connection looks like undici's: `TypeError: fetch failed`.
        if (e instanceof ConnectionDropped) throw connectionResetError();
        throw e;
      }
    };
  const fetch = inProcess(true);
  /**
   * The dev workers' door: never faulted. They hold the clock while they talk to the horde, and a fault's
   * latency sleep inside a hold would stop an auto-advancing clock for good; faults are for the clients
   * under test (external workers included).
   */
  const devWorkerFetch = inProcess(false);

  const speed = options.devWorkerSpeed;
  const startDevWorker = (spec: DevWorkerSpec = {}): AnyDevWorker => {
    const type = spec.type ?? "image";
    const sameType = devWorkers.filter((w) => w.type === type).length + 1;
    const defaultName =
      type === "image"
        ? `dev-worker-${sameType}`
        : type === "text"
          ? `dev-text-worker-${sameType}`
          : `dev-alchemist-${sameType}`;
    const name = spec.name ?? defaultName;
    if (devWorkers.some((w) => w.name === name && w.running))
      throw new Error(`a dev worker named '${name}' runs already`);
    const conn: DevWorkerConnection = {
      fetch: devWorkerFetch,
      baseUrl: `${IN_PROCESS_ORIGIN}/api`,
      apikey: devOwnerApiKey(),
      logger,
      // Each dev worker is its own client IP, as real workers are: they never eat the caller's limits.
      ip: `10.77.0.${devWorkers.length + 1}`,
    };
    const common = { clock, ...(speed !== undefined ? { speed } : {}), ...spec, name };
    const worker =
      spec.type === "text"
        ? new TextDevWorker(conn, common as TextDevWorkerOptions)
        : spec.type === "alchemy"
          ? new AlchemyDevWorker(conn, common as AlchemyDevWorkerOptions)
          : new DevWorker(conn, common as DevWorkerOptions);
    devWorkers.push(worker);
    return worker.start();
  };

  for (const user of options.users ?? []) admin.seedUser(user);
  for (const spec of devWorkerSpecs(options.devWorkers)) startDevWorker(spec);

  return {
    fetch,
    clock,
    admin,
    faults,
    rateLimits: rateLimiting.control,
    devWorkers,
    startDevWorker,
    describe,

    listen({ port = 0, host = "127.0.0.1" } = {}) {
      if (server) return Promise.reject(new Error("the emulator is already listening"));
      return new Promise<ListenInfo>((resolve, reject) => {
        const s = serve(
          {
            fetch: async (req, bindings) => {
              const env = bindings as { incoming?: IncomingMessage } | undefined;
              const socketIp = env?.incoming?.socket?.remoteAddress?.replace(/^::ffff:/, "");
              try {
                return await frontDoor(req, {
                  clientIp: forwardedIp(req.headers) ?? socketIp ?? DEFAULT_CLIENT_IP,
                });
              } catch (e) {
                if (!(e instanceof ConnectionDropped)) throw e;
                // Over a socket a reset is a reset: destroy the connection without an answer.
                env?.incoming?.socket?.destroy();
                return new Response(null, { status: 499 });
              }
            },
            port,
            hostname: host,
          },
          (info: AddressInfo) => {
            const h = info.family === "IPv6" ? `[${info.address}]` : info.address;
            const origin = `http://${h}:${info.port}`;
            logger.info?.(`listening on ${origin}`);
            listening = { url: `${origin}/api`, origin, port: info.port };
            resolve(listening);
          },
        );
        s.once("error", reject);
        server = s;
      });
    },

    async close() {
      await Promise.all(devWorkers.map((w) => w.stop()));
      const s = server;
      server = null;
      listening = null;
      if (s) {
        await new Promise<void>((resolve, reject) => {
          s.close((e?: Error) => (e ? reject(e) : resolve()));
          if ("closeAllConnections" in s) s.closeAllConnections();
        });
      }
    },
  };
}

/** Application errors carry the CORS headers (the server's after-request hook adds them). */
function withCors(response: Response): Response {
  for (const [k, v] of Object.entries(CORS_HEADERS)) response.headers.set(k, v);
  return response;
}
