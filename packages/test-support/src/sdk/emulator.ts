// An in-process emulator on an auto-advancing virtual clock, and SDK clients that talk to it with every
// request recorded; closed after each test.
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  silentLogger as emulatorSilent,
  VirtualClock,
} from "horde-emulator";
import { AIHordeAPIClient, type AIHordeClientOptions, silentLogger } from "horde-sdk";
import { afterEach } from "vitest";
import { type Call, callOf } from "./http.js";

/** The base URL the clients use (the emulator answers any host in-process). */
export const BASE = "http://horde.test/api";

/** A recorded call, with the virtual time it was sent at. */
export interface TimedCall extends Call {
  at: number;
}

const open: Emulator[] = [];
const beforeClosing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(beforeClosing.splice(0).map((run) => run()));
  await Promise.all(open.splice(0).map((emu) => emu.close()));
});

/** Run `cleanup` after the test, before its emulators close (e.g. stop a worker that talks to one). */
export function beforeEmulatorsClose(cleanup: () => Promise<unknown>): void {
  beforeClosing.push(cleanup);
}

/** A fresh emulator (closed after the test) on an auto-advancing virtual clock. */
export function startEmulator(options: Omit<EmulatorOptions, "clock"> = {}): {
  emu: Emulator;
  clock: VirtualClock;
} {
  const clock = new VirtualClock({ autoAdvance: true });
  const emu = createEmulator({ clock, logger: emulatorSilent, ...options });
  open.push(emu);
  return { emu, clock };
}

/** A fetch into `emu` that records every call (and lets `intercept` answer or watch one). */
export function recordedFetch(
  emu: Emulator,
  clock: VirtualClock,
  intercept?: (
    call: TimedCall,
    forward: () => Promise<Response>,
  ) => Promise<Response | undefined> | undefined,
) {
  const calls: TimedCall[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { ...callOf(input, init), at: clock.now() };
    calls.push(call);
    const forward = () => emu.fetch(input, init);
    return (await intercept?.(call, forward)) ?? forward();
  };
  return { fetch, calls };
}

export interface EmulatorClientOptions extends Omit<EmulatorOptions, "clock"> {
  /** Client options (the base URL, fetch, clock and a silent logger are set). */
  client?: Omit<AIHordeClientOptions, "baseUrl" | "fetch" | "clock">;
  /** Called as each request reaches the emulator. */
  onFetch?: (call: TimedCall) => void;
}

/** An emulator and a client talking to it in-process, every request recorded in `calls`. */
export function emulatorClient(options: EmulatorClientOptions = {}) {
  const { client: clientOptions, onFetch, ...emulatorOptions } = options;
  const { emu, clock } = startEmulator(emulatorOptions);
  const { fetch, calls } = recordedFetch(emu, clock, (call) => {
    onFetch?.(call);
    return undefined;
  });
  const client = new AIHordeAPIClient({
    baseUrl: BASE,
    fetch,
    clock,
    logger: silentLogger,
    ...clientOptions,
  });
  /** Another client on the same emulator (not recorded), e.g. with a worker's key. */
  const otherClient = (apiKey?: string) =>
    new AIHordeAPIClient({
      baseUrl: BASE,
      fetch: emu.fetch,
      clock,
      logger: silentLogger,
      ...(apiKey ? { apiKey } : {}),
    });
  return { emu, clock, client, calls, otherClient };
}
