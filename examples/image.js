// @ts-check
// Generate images and save them with what the horde says about each: seed, model, worker, censorship.
//   node examples/image.js --local "a lighthouse at dusk"
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runIfMain } from "./_run.js";

/** @param {import("./_run.js").ExampleContext & { prompt?: string, outDir?: string }} context */
export async function main({ client, signal, log = console.error, args = [], prompt, outDir = "out" }) {
  const { id, images, status } = await client.generateImage(
    {
      prompt: prompt ?? args[0] ?? "a lighthouse at dusk, oil on canvas ### blurry",
      params: { width: 512, height: 512, steps: 20, n: 2, sampler_name: "k_euler_a" },
      // models: ["AlbedoBase XL (SDXL)"],   // any of `horde models`; leave out to take any worker
    },
    {
      signal, // aborting cancels the job on the server before the promise rejects
      onProgress: ({ progress }) =>
        log(`queue ${progress.queue_position} · ${progress.finished}/2 done · eta ${progress.wait_time}s`),
    },
  );
  await mkdir(outDir, { recursive: true });
  const files = [];
  for (const [index, { generation, bytes }] of images.entries()) {
    if (!bytes) continue; // this image could not be downloaded; the others are fine
    const file = join(outDir, `${id}-${index}.webp`);
    await writeFile(file, bytes);
    files.push({
      file,
      seed: generation.seed,
      model: generation.model,
      worker: generation.worker_name,
      censored: generation.censored === true,
    });
  }
  return { id, kudos: status.kudos, files };
}

await runIfMain(main, import.meta.url);
