// What README code blocks marked `fragment` use without declaring it: a client, a signal, a payload, image
// bytes, … (see readme.test.ts for the marks). The type-check imports these names into every fragment; a run
// binds them afresh with `openContext()` — a client of an in-process emulator with fast dev workers — so each
// block starts from a clean horde. Everything a block sends goes to that emulator: `globalThis.fetch` is its
// `fetch` while a block runs, so even a client built with the defaults (https://aihorde.net/api) reaches it.
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient, type GenerateImageResult, type ImageGenerateAsyncPayload } from "horde-sdk";
import sharp from "sharp";

/** The README user's key: 22 characters, like a real AI Horde key. */
export const README_API_KEY = "readme-key-0123456789a";

/** The in-process AI Horde the block talks to (the emulator README calls it `emu`). */
export let emulator: Emulator;
export let emu: Emulator;
/** A client of `emulator`, with the README user's key. */
export let client: AIHordeAPIClient;
export let controller: AbortController;
export let signal: AbortSignal;
/** An image request: the payload of `generateImage(payload)`. */
export let payload: ImageGenerateAsyncPayload;
/** A small WebP picture, as read from a file. */
export let bytes: Uint8Array;
/** The page's `<img>` of the browser example (in Node, an object with a `src`). */
export let img: HTMLImageElement;

/** "Your code" of the vitest example: two thumbnails of a prompt. */
export async function makeThumbnails(client: AIHordeAPIClient, prompt: string): Promise<Uint8Array[]> {
  const { images }: GenerateImageResult = await client.generateImage({
    prompt,
    params: { width: 64, height: 64, n: 2 },
  });
  return images.flatMap((image) => (image.bytes ? [image.bytes] : []));
}

const FAST = { generationMs: 20, popIntervalMs: 20 };
const originalFetch = globalThis.fetch;
const originalKey = process.env.HORDE_API_KEY;

/** Binds every name to a fresh emulator and routes `fetch` (and HORDE_API_KEY) to it. */
export async function openContext(): Promise<void> {
  emulator = createEmulator({
    devWorkers: [
      { type: "image", ...FAST, amount: 2 },
      { type: "text", ...FAST },
      { type: "alchemy", ...FAST },
    ],
    users: [{ username: "readme", kudos: 100_000, apikey: README_API_KEY }],
    logger: {},
  });
  emu = emulator;
  client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api",
    apiKey: README_API_KEY,
    clientAgent: "horde-sdk-readme:1.0:https://www.npmjs.com/package/horde-sdk",
    fetch: emulator.fetch,
  });
  controller = new AbortController();
  signal = controller.signal;
  payload = { prompt: "a lighthouse at dusk", params: { width: 512, height: 512, steps: 20 } };
  bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#c33" } })
    .webp()
    .toBuffer();
  img = { src: "" } as HTMLImageElement;
  globalThis.fetch = emulator.fetch;
  process.env.HORDE_API_KEY = README_API_KEY;
}

/** Puts `fetch` and HORDE_API_KEY back and closes the emulator; returns the requests left unfinished. */
export async function closeContext(): Promise<string[]> {
  globalThis.fetch = originalFetch;
  if (originalKey === undefined) delete process.env.HORDE_API_KEY;
  else process.env.HORDE_API_KEY = originalKey;
  const unfinished = emulator.admin.stats().orphaned;
  await emulator.close();
  return unfinished;
}
