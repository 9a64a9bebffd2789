/**
 * The image dev worker: pop → (simulated work on the clock) → draw → PUT to the presigned upload URL →
 * submit `"R2"`. Drawing lives in `draw.ts`.
 */
import { DEFAULT_IMAGE_MODEL } from "../rules/models.js";
import { drawCensored, drawPicture } from "./draw.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, ProtocolWorker } from "./protocol.js";

export type { DevWorkerConnection, DevWorkerStats } from "./protocol.js";

/** A bridge agent the horde knows (reGen ≥ 1 has r2), as the doc recommends for emulator workers (§5.5). */
export const DEV_WORKER_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";

export interface DevWorkerOptions extends BaseDevWorkerOptions {
  /** Models served (default: the runtime default model, `stable_diffusion`). */
  models?: string[];
  /** Largest w·h accepted (default 3072², so any valid request fits). */
  maxPixels?: number;
  nsfw?: boolean;
  /** Jobs per pop (§5.2, default 1). */
  amount?: number;
}

/** The fields of a pop response the dev worker reads. */
interface PoppedJob {
  id: string | null;
  ids?: string[];
  payload?: {
    prompt?: string;
    seed?: number | string;
    width?: number;
    height?: number;
    use_nsfw_censor?: boolean;
  };
  r2_uploads?: string[];
}

let unnamed = 0;

export class DevWorker extends ProtocolWorker<PoppedJob> {
  readonly type = "image" as const;
  private readonly models: string[];
  private readonly maxPixels: number;
  private readonly nsfw: boolean;
  private readonly amount: number;
  private readonly bridgeAgent: string;

  constructor(conn: DevWorkerConnection, options: DevWorkerOptions = {}) {
    super(conn, options, `dev-worker-${++unnamed}`);
    this.models = options.models ?? [DEFAULT_IMAGE_MODEL];
    this.maxPixels = options.maxPixels ?? 3072 * 3072;
    this.nsfw = options.nsfw ?? true;
    this.amount = options.amount ?? 1;
    this.bridgeAgent = options.bridgeAgent ?? DEV_WORKER_BRIDGE_AGENT;
  }

  protected async pop(): Promise<PoppedJob | null> {
    const job = await this.popJson<PoppedJob>("/v2/generate/pop", {
      name: this.name,
      models: this.models,
      nsfw: this.nsfw,
      max_pixels: this.maxPixels,
      amount: this.amount,
      bridge_agent: this.bridgeAgent,
      threads: 1,
      allow_lora: true,
      allow_controlnet: true,
    });
    return job?.id ? job : null;
  }

  protected async deliver(job: PoppedJob): Promise<void> {
    const p = job.payload ?? {};
    const ids = job.ids?.length ? job.ids : [job.id as string];
    const prompt = p.prompt ?? "";
    // A stand-in for the safety checker, so censorship can be exercised: SFW requests asking for
    // censoring get a censored image when the prompt says "nsfw".
    const censor = p.use_nsfw_censor === true && /\bnsfw\b/i.test(prompt);
    // The payload's seed is a string on the wire (see `state/pop.ts`).
    const base = Number(p.seed ?? 0) || 0;
    for (const [i, id] of ids.entries()) {
      const seed = base + i;
      const width = p.width ?? 512;
      const height = p.height ?? 512;
      try {
        const bytes = censor
          ? await drawCensored(width, height)
          : await drawPicture({ prompt, seed, width, height });
        const upload = job.r2_uploads?.[i];
        let generation = "R2";
        if (upload) {
          const put = await this.conn.fetch(upload, {
            method: "PUT",
            headers: { "Content-Type": "image/webp" },
            body: bytes,
          });
          if (!put.ok) throw new Error(`R2 upload failed with ${put.status}`);
        } else {
          generation = Buffer.from(bytes).toString("base64");
        }
        await this.submitJson("/v2/generate/submit", {
          id,
          generation,
          seed,
          state: "ok",
          gen_metadata: censor ? [{ type: "censorship", value: "nsfw" }] : [],
        });
        this.stats.delivered++;
      } catch (e) {
        this.warn(`delivering ${id} failed`, e);
      }
    }
  }

  protected async fault(job: PoppedJob): Promise<void> {
    const ids = job.ids?.length ? job.ids : [job.id as string];
    for (const [i, id] of ids.entries()) {
      try {
        await this.submitJson("/v2/generate/submit", {
          id,
          generation: "faulted",
          seed: (Number(job.payload?.seed ?? 0) || 0) + i,
          state: "faulted",
        });
        this.stats.faulted++;
      } catch (e) {
        this.warn(`reporting ${id} faulted failed`, e);
      }
    }
  }
}
