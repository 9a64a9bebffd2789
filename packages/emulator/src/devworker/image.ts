/**
 * The image dev worker: a `HordeWorker` whose `generate` waits the simulated work time on the clock and
 * draws each image of the batch (`draw.ts`); the worker PUTs them to the presigned upload URLs and
 * submits `"R2"`.
 */
import type { ImageResult, ImageWorkerJob } from "horde-sdk/worker";
import { DEFAULT_IMAGE_MODEL, referenceImageModels } from "../horde/reference/models.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, HordeDevWorker } from "./base.js";
import { drawCensored, drawPicture } from "./draw.js";

export type { DevWorkerConnection, DevWorkerStats } from "./base.js";

/** A bridge agent the horde knows (reGen ≥ 1 has r2), as the doc recommends for emulator workers (docs/server/workers.md#bridge-capabilities). */
export const DEV_WORKER_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";

/** Options of an image dev worker: which models it serves, the largest request it takes, and jobs per pop. */
export interface DevWorkerOptions extends BaseDevWorkerOptions {
  /**
   * Models served. Default: every image model of the emulator's model reference (`stable_diffusion` first,
   * then `AlbedoBase XL (SDXL)`, `Deliberate`, … — the AI Horde's reference), so a request for any known
   * model is served. Give a list to make only some models available (e.g. to test a request no worker
   * can take).
   */
  models?: string[];
  /** Largest w·h accepted (default 3072², so any valid request fits). */
  maxPixels?: number;
  nsfw?: boolean;
  /** Jobs per pop (docs/server/workers.md#batch-size, default 1). */
  amount?: number;
}

/** The images of one batch: the deterministic picture of (prompt, seed + i, size), or a censored one. */
async function drawBatch(job: ImageWorkerJob): Promise<ImageResult[]> {
  // A stand-in for the safety checker, so censorship can be exercised: SFW requests asking for
  // censoring get a censored image when the prompt says "nsfw".
  const censor = job.censorNsfw && /\bnsfw\b/i.test(job.prompt);
  const out: ImageResult[] = [];
  for (const seed of job.seeds) {
    out.push(
      censor
        ? {
            image: await drawCensored(job.width, job.height),
            seed,
            gen_metadata: [{ type: "censorship", value: "nsfw" }],
          }
        : {
            image: await drawPicture({ prompt: job.prompt, seed, width: job.width, height: job.height }),
            seed,
          },
    );
  }
  return out;
}

/** Every model of the reference, the runtime default first (a request without models gets it). */
export function defaultImageModels(): string[] {
  return [DEFAULT_IMAGE_MODEL, ...referenceImageModels().filter((m) => m !== DEFAULT_IMAGE_MODEL)];
}

export class DevWorker extends HordeDevWorker<"image"> {
  constructor(conn: DevWorkerConnection, options: DevWorkerOptions = {}) {
    super(conn, options, "image", (simulate) => ({
      models: options.models ?? defaultImageModels(),
      maxPixels: options.maxPixels ?? 3072 * 3072,
      nsfw: options.nsfw ?? true,
      amount: options.amount ?? 1,
      bridgeAgent: options.bridgeAgent ?? DEV_WORKER_BRIDGE_AGENT,
      allowLora: true,
      allowControlnet: true,
      generate: (job, { signal }) => simulate(signal, () => drawBatch(job)),
    }));
  }
}
