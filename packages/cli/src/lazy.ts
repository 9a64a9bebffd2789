/**
 * The SDK, loaded on first use. Importing `horde-sdk` costs ~0.4 s (zod and the generated schemas), so no
 * module on the startup path (`main.ts` and what it imports) may import it, `horde-sdk/worker`,
 * `horde-emulator`, `sharp` or `yaml` as a value: `--help`, `--version` and usage errors never need
 * them. Commands load them inside their actions (test/startup.test.ts checks this).
 */
import type * as Sdk from "horde-sdk";

export type SdkModule = typeof Sdk;

let loaded: SdkModule | undefined;

/** Imports `horde-sdk` (once). */
export async function loadSdk(): Promise<SdkModule> {
  loaded ??= await import("horde-sdk");
  return loaded;
}

/** Imports `horde-sdk/node` (the file job store). */
export function loadNodeSdk(): Promise<typeof import("horde-sdk/node")> {
  return import("horde-sdk/node");
}

/** The SDK if a command has loaded it already; before that, nothing can hold an SDK object. */
export function loadedSdk(): SdkModule | undefined {
  return loaded;
}

/** The SDK, for code that runs only after `loadSdk()` (e.g. a client factory called by `connect`). */
export function requireSdk(): SdkModule {
  if (!loaded) throw new Error("internal error: horde-sdk used before it was loaded");
  return loaded;
}
