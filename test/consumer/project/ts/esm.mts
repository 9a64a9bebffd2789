// An ES module of a strict TypeScript consumer (module/moduleResolution node16).
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient, HordeValidationError, type ImageGenerateAsyncPayload } from "horde-sdk";
import { KNOWN_SAMPLERS } from "horde-sdk/known";
import { FileJobStore } from "horde-sdk/node";
import { HordeWorker } from "horde-sdk/worker";

const emulator: Emulator = createEmulator({ devWorkers: 1 });
const client = new AIHordeAPIClient({
  baseUrl: "http://horde.local/api",
  fetch: emulator.fetch,
  jobStore: new FileJobStore("jobs.json"),
});
const payload: ImageGenerateAsyncPayload = { prompt: "a lighthouse", params: { width: 512 } };
await using session = client.session();
const { images } = await client.generateImage(payload);
const bytes: Uint8Array | null | undefined = images[0]?.bytes;
export const checks = [session, bytes, HordeValidationError, HordeWorker, KNOWN_SAMPLERS];
// @ts-expect-error the client's options are typed: a wrong option is an error, so the types are not `any`
new AIHordeAPIClient({ baseUrl: 42 });
