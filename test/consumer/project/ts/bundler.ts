// A strict TypeScript consumer with bundler resolution and no Node types (lib es2022 + dom, as in a web
// app): the published types, `await using` included, must compile without esnext libs or @types/node.
import { createEmulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";
import { KNOWN_SAMPLERS } from "horde-sdk/known";
import { HordeWorker } from "horde-sdk/worker";

const client = new AIHordeAPIClient({ clientAgent: "my-web-app:1.0:me@example.com" });
await using job = await client.submitImage({ prompt: "a lighthouse" });
const { images } = await job.wait();
const first = images[0]?.bytes;
export const url = first ? URL.createObjectURL(new Blob([first], { type: "image/webp" })) : undefined;
export const parts = [createEmulator, HordeWorker, KNOWN_SAMPLERS];
// @ts-expect-error the client's options are typed: a wrong option is an error, so the types are not `any`
new AIHordeAPIClient({ baseUrl: 42 });
