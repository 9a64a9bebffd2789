// Shared by the worker tests: an emulator on an auto-advancing virtual clock, a requester client, a worker
// client whose calls are recorded and can be hooked, and a worker factory whose workers are stopped after
// each test.
import { AIHordeAPIClient, silentLogger } from "horde-sdk";
import { HordeWorker, type HordeWorkerEvents, type HordeWorkerOptions } from "horde-sdk/worker";
import { BASE, beforeEmulatorsClose, recordedFetch, startEmulator, type TimedCall } from "./emulator.js";

export { BASE };
/** A recorded call of the worker's client. */
export type Call = TimedCall;
export type Forward = () => Promise<Response>;
/** Replaces the emulator's answer for `METHOD /path` (or `METHOD /path/*` for the last segment). */
export type Hook = (call: Call, forward: Forward) => Promise<Response>;
/** Worker options, each kind keeping its own `generate` type, with the client made optional. */
export type WithoutClient<T> = T extends unknown ? Omit<T, "client"> & { client?: AIHordeAPIClient } : never;

/** Stop `worker` (without draining) after the test, before the emulator closes. */
export function trackWorker(worker: HordeWorker): HordeWorker {
  beforeEmulatorsClose(() => worker.stop({ drain: false }));
  return worker;
}

export function setupWorkerHarness() {
  const { emu, clock } = startEmulator();
  const owner = emu.admin.createUser({ username: "wendy", workerInvited: 1 });
  const requester = emu.admin.createUser({ username: "rita", kudos: 5000 });
  const hooks = new Map<string, Hook>();
  const { fetch, calls } = recordedFetch(emu, clock, (call, forward) => {
    const hook =
      hooks.get(`${call.method} ${call.path}`) ??
      hooks.get(`${call.method} ${call.path.replace(/[^/]+$/, "*")}`);
    return hook?.(call, forward);
  });
  const client = new AIHordeAPIClient({
    baseUrl: BASE,
    apiKey: owner.apikey,
    fetch,
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
    return trackWorker(new HordeWorker({ client, name: defaultName, ...options } as HordeWorkerOptions));
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
