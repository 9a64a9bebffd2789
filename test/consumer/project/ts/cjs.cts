// A CommonJS file of a strict TypeScript consumer (module/moduleResolution node16): resolves the packages'
// `require` types (.d.cts) and compiles to require(), which Node ≥ 20.19 serves from the ES modules.
import { createEmulator } from "horde-emulator";
import { AIHordeAPIClient, type GenerateImageResult } from "horde-sdk";
import { KNOWN_SAMPLERS } from "horde-sdk/known";
import { HordeWorker } from "horde-sdk/worker";

export async function generate(): Promise<GenerateImageResult> {
  const emulator = createEmulator({ devWorkers: 1 });
  const client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", fetch: emulator.fetch });
  try {
    return await client.generateImage({ prompt: "a lighthouse" });
  } finally {
    await emulator.close();
  }
}
export const worker = HordeWorker;
export const samplers: readonly string[] = KNOWN_SAMPLERS;
// @ts-expect-error the client's options are typed: a wrong option is an error, so the types are not `any`
new AIHordeAPIClient({ baseUrl: 42 });
