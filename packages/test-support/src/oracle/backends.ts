/**
 * Deterministic back ends for the HordeWorkers of the oracle suites and soaks: the same job always gives the
 * same answer, and nothing is generated for real.
 */
import { drawPicture } from "horde-emulator";
import type { ImageResult, ImageWorkerJob } from "horde-sdk/worker";

/** One 64×64 WebP per seed, drawn from the prompt and the seed. */
export function drawnImages(job: ImageWorkerJob): Promise<ImageResult[]> {
  return Promise.all(
    job.seeds.map(async (seed) => ({
      image: await drawPicture({ prompt: job.positivePrompt, seed, width: 64, height: 64 }),
      seed,
    })),
  );
}
