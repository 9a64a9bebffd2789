import { DEFAULT_TEXT_MODEL } from "../horde/reference/models.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, HordeDevWorker } from "./base.js";
import { writeText } from "./write.js";

/** A validated text backend (docs/server/workers.md#bridge-capabilities), so the worker earns the full reward. */
export const DEV_TEXT_BRIDGE_AGENT = "KoboldCppEmbedWorker:1.0.0:https://github.com/LostRuins/koboldcpp";

/** Options of a text dev worker: which models it serves, and its length limits. */
export interface TextDevWorkerOptions extends BaseDevWorkerOptions {
  /** Models served (default `koboldcpp/LLaMA2-13B-Psyfighter2`). */
  models?: string[];
  maxLength?: number;
  maxContextLength?: number;
}

export class TextDevWorker extends HordeDevWorker<"text"> {
  constructor(conn: DevWorkerConnection, options: TextDevWorkerOptions = {}) {
    super(conn, options, "text", (simulate) => ({
      models: options.models ?? [DEFAULT_TEXT_MODEL],
      maxLength: options.maxLength ?? 4096,
      maxContextLength: options.maxContextLength ?? 1_048_576,
      nsfw: true,
      bridgeAgent: options.bridgeAgent ?? DEV_TEXT_BRIDGE_AGENT,
      generate: (job, { signal }) =>
        simulate(signal, () => ({
          text: writeText({ prompt: job.prompt, maxLength: job.maxLength }),
          seed: 0,
        })),
    }));
  }
}
