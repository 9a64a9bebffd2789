// A consumer on the old `node10` resolution (module commonjs), which ignores `exports`: the root entries
// resolve through `types`, the `horde-sdk/worker` and `horde-sdk/node` subpaths through `typesVersions`.
import { createEmulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";
import { KNOWN_SAMPLERS } from "horde-sdk/known";
import { FileJobStore } from "horde-sdk/node";
import { HordeWorker, type HordeWorkerOptions } from "horde-sdk/worker";

export const client = new AIHordeAPIClient({
  baseUrl: "http://horde.local/api",
  jobStore: new FileJobStore("jobs.json"),
});
export const start = (options: HordeWorkerOptions) => new HordeWorker(options);
export const samplers: readonly string[] = KNOWN_SAMPLERS;
export const emulator = createEmulator;
// @ts-expect-error the worker's types resolved: a wrong option is an error, so the types are not `any`
export const wrong: HordeWorkerOptions = { nope: true };
