// The consumer's CommonJS script: `require()` of the ESM packages (Node ≥ 20.19 loads ES modules with
// require). Checks what a CommonJS app relies on, then generates one image. Prints one JSON line.
const assert = require("node:assert/strict");
const sdk = require("horde-sdk");
const { HordeWorker } = require("horde-sdk/worker");
const { KNOWN_SAMPLERS } = require("horde-sdk/known");
const { createEmulator } = require("horde-emulator");

assert.equal(typeof HordeWorker, "function", "horde-sdk/worker exports HordeWorker");
assert.ok(KNOWN_SAMPLERS.includes("k_euler"), "horde-sdk/known exports the samplers");
assert.equal(sdk.VERSION, require("horde-sdk/package.json").version, "VERSION matches package.json");
assert.throws(
  () => new sdk.ImageGenerateAsyncRequest({ prompt: "x", params: { width: 500 } }),
  (error) => error instanceof sdk.HordeValidationError && error.field === "params.width",
);

async function main() {
  const emulator = createEmulator({
    devWorkers: [{ type: "image", generationMs: 20, popIntervalMs: 20 }],
    logger: {},
  });
  try {
    const client = new sdk.AIHordeAPIClient({ baseUrl: "http://horde.local/api", fetch: emulator.fetch });
    const { images } = await client.generateImage({ prompt: "a fox", params: { width: 64, height: 64 } });
    assert.ok(images[0]?.bytes && images[0].bytes.length > 0, "an image came back");
    console.log(JSON.stringify({ version: sdk.VERSION, images: images.length }));
  } finally {
    await emulator.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
