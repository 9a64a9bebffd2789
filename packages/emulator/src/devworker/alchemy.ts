/**
 * The alchemy dev worker: a `HordeWorker` whose `generate` waits the simulated work time on the clock and
 * runs the form on the downloaded source (`forms.ts`); the worker PUTs post-processed images to their
 * upload URL and submits (docs/server/alchemy.md#alchemy).
 */
import type { AlchemyGenerateOutput } from "horde-sdk/worker";
import { ALCHEMY_FORMS } from "../horde/reference/forms.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, HordeDevWorker } from "./base.js";
import { runForm } from "./forms.js";

/** The bridge agent the alchemy dev worker announces: a real worker's, so the horde treats it as one. */
export const DEV_ALCHEMIST_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";

/** Options of an alchemy dev worker: which forms it serves, and how many at once. */
export interface AlchemyDevWorkerOptions extends BaseDevWorkerOptions {
  /** Forms served (default: every known form). */
  forms?: string[];
  /** Forms per pop (default 4), worked on side by side. */
  amount?: number;
  /** Largest source accepted, in 512² tiles (default 256). */
  maxTiles?: number;
}

export class AlchemyDevWorker extends HordeDevWorker<"alchemy"> {
  constructor(conn: DevWorkerConnection, options: AlchemyDevWorkerOptions = {}) {
    const amount = options.amount ?? 4;
    super(conn, options, "alchemy", (simulate) => ({
      forms: options.forms ?? [...ALCHEMY_FORMS],
      amount,
      // An alchemy pop asks for at most as many forms as there are free threads.
      threads: amount,
      maxTiles: options.maxTiles ?? 256,
      bridgeAgent: options.bridgeAgent ?? DEV_ALCHEMIST_BRIDGE_AGENT,
      generate: (job, { signal }) =>
        simulate(signal, async (): Promise<AlchemyGenerateOutput> => {
          const out = await runForm(job.form, job.sourceImage, job.id);
          // A post-processor's image is uploaded and submitted as `{ [form]: "R2" }`; else the value.
          return out.image ?? (out.result[job.form] as AlchemyGenerateOutput | undefined) ?? out.result;
        }),
    }));
  }
}
