import type { Emulator, EmulatorOptions } from "horde-emulator";
import type { AIHordeAPIClient, AIHordeClientOptions } from "horde-sdk";
import type { RuntimeIO } from "./io.js";
import { requireSdk } from "./lazy.js";

/** The in-process emulator, as far as `--local` uses it. */
export type LocalEmulator = Pick<Emulator, "fetch" | "close">;

/** Factories the commands use; tests may replace them (a fake client, a handle on the emulator). */
export interface CliDeps {
  createClient(options: AIHordeClientOptions): AIHordeAPIClient;
  createEmulator(options: EmulatorOptions): Promise<LocalEmulator>;
}

export const defaultDeps: CliDeps = {
  // `connect` loads the SDK before it calls this (the factory stays synchronous for the tests' fakes).
  createClient: (options) => new (requireSdk().AIHordeAPIClient)(options),
  async createEmulator(options) {
    // Loaded on demand: the emulator (hono, sharp) is only needed with --local.
    const { createEmulator } = await import("horde-emulator");
    return createEmulator(options);
  },
};

/** What every command's action gets. */
export interface CommandContext {
  /** stdout/stderr with every registered secret masked. */
  io: RuntimeIO;
  deps: CliDeps;
  version: string;
  /** Where the action stores its exit code. */
  exitCode: number;
  /** Registers a secret (the API key) that must never be printed. */
  addSecret(secret: string): void;
}
