/** The text dev worker: pop a text job → (simulated work on the clock) → write → submit (§6.1). */
import { DEFAULT_TEXT_MODEL } from "../rules/models.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, ProtocolWorker } from "./protocol.js";
import { writeText } from "./text.js";

/** A validated text backend (§5.5), so the worker earns the full reward. */
export const DEV_TEXT_BRIDGE_AGENT = "KoboldCppEmbedWorker:1.0.0:https://github.com/LostRuins/koboldcpp";

export interface TextDevWorkerOptions extends BaseDevWorkerOptions {
  /** Models served (default `koboldcpp/LLaMA2-13B-Psyfighter2`). */
  models?: string[];
  maxLength?: number;
  maxContextLength?: number;
}

interface PoppedText {
  id: string | null;
  payload?: { prompt?: string; max_length?: number };
}

let unnamed = 0;

export class TextDevWorker extends ProtocolWorker<PoppedText> {
  readonly type = "text" as const;
  private readonly models: string[];
  private readonly maxLength: number;
  private readonly maxContextLength: number;
  private readonly bridgeAgent: string;

  constructor(conn: DevWorkerConnection, options: TextDevWorkerOptions = {}) {
    super(conn, options, `dev-text-worker-${++unnamed}`);
    this.models = options.models ?? [DEFAULT_TEXT_MODEL];
    this.maxLength = options.maxLength ?? 4096;
    this.maxContextLength = options.maxContextLength ?? 1_048_576;
    this.bridgeAgent = options.bridgeAgent ?? DEV_TEXT_BRIDGE_AGENT;
  }

  protected async pop(): Promise<PoppedText | null> {
    const job = await this.popJson<PoppedText>("/v2/generate/text/pop", {
      name: this.name,
      models: this.models,
      max_length: this.maxLength,
      max_context_length: this.maxContextLength,
      bridge_agent: this.bridgeAgent,
      threads: 1,
      nsfw: true,
    });
    return job?.id ? job : null;
  }

  protected async deliver(job: PoppedText): Promise<void> {
    try {
      const text = writeText({ prompt: job.payload?.prompt ?? "", maxLength: job.payload?.max_length ?? 80 });
      await this.submitJson("/v2/generate/text/submit", {
        id: job.id,
        generation: text,
        state: "ok",
        seed: 0,
      });
      this.stats.delivered++;
    } catch (e) {
      this.warn(`delivering ${job.id} failed`, e);
    }
  }

  protected async fault(job: PoppedText): Promise<void> {
    try {
      await this.submitJson("/v2/generate/text/submit", { id: job.id, generation: "", state: "faulted" });
      this.stats.faulted++;
    } catch (e) {
      this.warn(`reporting ${job.id} faulted failed`, e);
    }
  }
}
