// Shared by the worker tests: an emulator on an auto-advancing virtual clock, a requester client, a worker
// client whose calls are recorded and can be hooked, and a worker factory whose workers are stopped after
// each test.
import { createEmulator, type Emulator, silentLogger as emulatorSilent, VirtualClock } from "horde-emulator";
import { AIHordeAPIClient, silentLogger } from "horde-sdk";
import { HordeWorker, type HordeWorkerEvents, type HordeWorkerOptions } from "horde-sdk/worker";
import { afterEach } from "vitest";

export const BASE = "http://horde.test/api";

export interface Call {
  method: string;
  /** The path under the base URL, e.g. `/v2/generate/pop`. */
  path: string;
  url: string;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies under test
  body: any;
  /** Virtual time of the call. */
  at: number;
}
export type Forward = () => Promise<Response>;
/** Replaces the emulator's answer for `METHOD /path` (or `METHOD /path/*` for the last segment). */
export type Hook = (call: Call, forward: Forward) => Promise<Response>;
/** Worker options, each kind keeping its own `generate` type, with the client made optional. */
export type WithoutClient<T> = T extends unknown ? Omit<T, "client"> & { client?: AIHordeAPIClient } : never;

let emulator: Emulator | undefined;
const workers: HordeWorker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ drain: false })));
  await emulator?.close();
  emulator = undefined;
});

/** Stop `worker` after the test, like the ones the harness creates. */
export function trackWorker(worker: HordeWorker): HordeWorker {
  workers.push(worker);
  return worker;
}

export function setupWorkerHarness() {
  const clock = new VirtualClock({ autoAdvance: true });
  const emu = createEmulator({ clock, logger: emulatorSilent });
  emulator = emu;
  const owner = emu.admin.createUser({ username: "wendy", workerInvited: 1 });
  const requester = emu.admin.createUser({ username: "rita", kudos: 5000 });
  const calls: Call[] = [];
  const hooks = new Map<string, Hook>();
  const workerFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const call: Call = {
      method: init?.method ?? "GET",
      path: url.pathname.replace(/^\/api/, ""),
      url: url.toString(),
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : init?.body,
      at: clock.now(),
    };
    calls.push(call);
    const forward = () => emu.fetch(input, init);
    const hook =
      hooks.get(`${call.method} ${call.path}`) ??
      hooks.get(`${call.method} ${call.path.replace(/[^/]+$/, "*")}`);
    return hook ? hook(call, forward) : forward();
  };
  const client = new AIHordeAPIClient({
    baseUrl: BASE,
    apiKey: owner.apikey,
    fetch: workerFetch,
    clock,
    logger: silentLogger,
  });
  const requesterClient = new AIHordeAPIClient({
    baseUrl: BASE,
    apiKey: requester.apikey,
    fetch: emu.fetch,
    clock,
    logger: silentLogger,
  });
  /** A worker on the recorded client (stopped after the test); `defaultName` unless the options name one. */
  const worker = (options: WithoutClient<HordeWorkerOptions>, defaultName = "test-worker") => {
    const w = new HordeWorker({ client, name: defaultName, ...options } as HordeWorkerOptions);
    workers.push(w);
    return w;
  };
  return { clock, emu, owner, requester, client, requesterClient, calls, hooks, worker };
}

/** The next `event` (matching `predicate`). */
export function next<E extends keyof HordeWorkerEvents>(
  worker: HordeWorker,
  event: E,
  predicate: (data: HordeWorkerEvents[E]) => boolean = () => true,
): Promise<HordeWorkerEvents[E]> {
  return new Promise((resolve) => {
    const off = worker.on(event, (data) => {
      if (!predicate(data)) return;
      off();
      resolve(data);
    });
  });
}

/** Wait on a job's signal; reject with its reason when it fires. */
export const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
