// The consumer's ESM script (Node, Bun and Deno run it): an in-process AI Horde emulator with one fast image
// dev worker, and one image generated through the SDK. Prints one JSON line; exits non-zero on any failure.
import { createEmulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";

const emulator = createEmulator({
  devWorkers: [{ type: "image", generationMs: 20, popIntervalMs: 20 }],
  logger: {},
});
try {
  const client = new AIHordeAPIClient({
    baseUrl: "http://horde.local/api",
    fetch: emulator.fetch,
    clientAgent: "horde-consumer-test:1.0:https://www.npmjs.com/package/horde-sdk",
  });
  const { images } = await client.generateImage({
    prompt: "a lighthouse",
    params: { width: 64, height: 64 },
  });
  const bytes = images[0]?.bytes;
  if (!bytes) throw new Error("no image bytes came back");
  const ascii = (from, to) => String.fromCharCode(...bytes.subarray(from, to));
  // A WebP file is a RIFF container whose form type is "WEBP".
  if (ascii(0, 4) !== "RIFF" || ascii(8, 12) !== "WEBP") throw new Error(`not a WebP: ${ascii(0, 12)}`);
  console.log(JSON.stringify({ images: images.length, format: "webp", bytes: bytes.length }));
} finally {
  await emulator.close();
}
