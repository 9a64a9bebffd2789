// @ts-check
// A worker bridge: serve AI Horde jobs with your own local generator. `HordeWorker` pops jobs, calls
// `generate`, uploads the WebP and submits it; on stop it finishes (or faults) what is in flight, so no
// popped job is left to time out. Here the emulator's test-picture painter stands in for your model: replace
// `paint` with a call to your backend (a local HTTP API, a child process, …) that returns WebP bytes.
//   node examples/worker-bridge.js --local        (Ctrl-C to stop)
//   HORDE_URL=… HORDE_API_KEY=<your key> node examples/worker-bridge.js
// The horde CLI does the same without code: `horde worker --exec "<your command>"`.
import { drawPicture } from "horde-emulator";
import { HordeWorker } from "horde-sdk/worker";
import { runIfMain } from "./_run.js";

/** Your generator: prompt and parameters in, WebP bytes out. */
async function paint(
  /** @type {import("horde-sdk/worker").ImageWorkerJob} */ job,
  /** @type {number} */ seed,
) {
  return drawPicture({ prompt: job.positivePrompt, seed, width: job.width, height: job.height });
}

/** @param {import("./_run.js").ExampleContext & { model?: string, name?: string }} context */
export async function main({
  client,
  signal,
  log = console.error,
  model = "my-local-model",
  name = "example-bridge",
}) {
  const worker = new HordeWorker({
    kind: "image",
    client, // its API key must belong to a registered user (the anonymous key cannot run workers)
    name,
    models: [model],
    maxPixels: 1024 * 1024,
    generate: async (job, context) => {
      log(`job ${job.id}: "${job.positivePrompt}" ${job.width}x${job.height}, ${job.n} image(s)`);
      const images = [];
      for (const seed of job.seeds) {
        if (context.signal.aborted) throw context.signal.reason; // out of time, or stopped without draining
        images.push({ image: await paint(job, seed), seed });
      }
      return images;
    },
  });
  worker.on("completed", ({ id, reward }) => log(`job ${id}: submitted, +${reward} kudos`));
  worker.on("faulted", ({ id, reason }) => log(`job ${id}: faulted (${reason}); the horde re-queues it`));
  worker.start();
  log(`worker '${name}' serves '${model}'; stop with Ctrl-C`);
  signal?.addEventListener("abort", () => void worker.stop(), { once: true }); // drain: finish what is in flight
  const stats = await worker.wait();
  return { name: stats.name, completed: stats.completed, faulted: stats.faulted, kudos: stats.kudos };
}

await runIfMain(main, import.meta.url);
