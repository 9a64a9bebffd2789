/**
 * The dev worker: a real worker that speaks only the public protocol over a `fetch` function —
 * pop → (simulated work on the clock) → draw → PUT to the presigned upload URL → submit `"R2"`.
 * Drawing lives in `draw.ts`; this file is the protocol loop only (to be rebuilt on horde-sdk/worker).
 */
import { type Clock, systemClock } from "horde-sdk";
import { holdClock } from "../clock.js";
import type { EmulatorLogger } from "../logger.js";
import { DEFAULT_IMAGE_MODEL } from "../rules/models.js";
import { drawCensored, drawPicture } from "./draw.js";

/** A bridge agent the horde knows (reGen ≥ 1 has r2), as the doc recommends for emulator workers (§5.5). */
export const DEV_WORKER_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";
const CLIENT_AGENT = "horde-emulator-devworker:0.1.0:https://github.com/horde-sdk-ts";

export interface DevWorkerOptions {
  /** Worker name (unique on the horde). */
  name?: string;
  /** Models served (default: the runtime default model, `stable_diffusion`). */
  models?: string[];
  /** Largest w·h accepted (default 3072², so any valid request fits). */
  maxPixels?: number;
  nsfw?: boolean;
  /** Simulated generation time on the clock, per pop (default 1500 ms). */
  generationMs?: number;
  /** Wait between pops when there is no job (default 1000 ms). */
  popIntervalMs?: number;
  /** Jobs per pop (§5.2, default 1). */
  amount?: number;
  bridgeAgent?: string;
  clock?: Clock;
}

export interface DevWorkerConnection {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The API base, e.g. `http://horde.local/api`. */
  baseUrl: string;
  apikey: string;
  logger?: EmulatorLogger;
}

/** The fields of a pop response the dev worker reads. */
interface PoppedJob {
  id: string | null;
  ids?: string[];
  payload?: { prompt?: string; seed?: number; width?: number; height?: number; use_nsfw_censor?: boolean };
  r2_uploads?: string[];
}

export interface DevWorkerStats {
  pops: number;
  delivered: number;
  faulted: number;
  errors: number;
}

let unnamed = 0;

export class DevWorker {
  readonly name: string;
  readonly stats: DevWorkerStats = { pops: 0, delivered: 0, faulted: 0, errors: 0 };
  private readonly clock: Clock;
  private readonly opts: Required<Omit<DevWorkerOptions, "clock" | "name">>;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly conn: DevWorkerConnection,
    options: DevWorkerOptions = {},
  ) {
    this.name = options.name ?? `dev-worker-${++unnamed}`;
    this.clock = options.clock ?? systemClock;
    this.opts = {
      models: options.models ?? [DEFAULT_IMAGE_MODEL],
      maxPixels: options.maxPixels ?? 3072 * 3072,
      nsfw: options.nsfw ?? true,
      generationMs: options.generationMs ?? 1500,
      popIntervalMs: options.popIntervalMs ?? 1000,
      amount: options.amount ?? 1,
      bridgeAgent: options.bridgeAgent ?? DEV_WORKER_BRIDGE_AGENT,
    };
  }

  get running(): boolean {
    return this.loop !== null && !this.stopSignal.signal.aborted;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Stops polling. A job still "generating" is submitted as faulted; one being uploaded is finished. */
  async stop(): Promise<void> {
    this.stopSignal.abort(new Error("dev worker stopped"));
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      const job = await holdClock(this.clock, () => this.pop());
      if (!job) {
        if (!(await this.wait(this.opts.popIntervalMs))) break;
        continue;
      }
      if (!(await this.wait(this.opts.generationMs))) {
        await holdClock(this.clock, () => this.fault(job));
        break;
      }
      await holdClock(this.clock, () => this.deliver(job));
    }
  }

  /** Sleeps on the clock; false when stopped meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.stopSignal.signal);
      return true;
    } catch {
      return false;
    }
  }

  private async call(method: string, url: string, body?: unknown): Promise<Response> {
    return this.conn.fetch(url, {
      method,
      headers: { apikey: this.conn.apikey, "Client-Agent": CLIENT_AGENT, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private async pop(): Promise<PoppedJob | null> {
    try {
      const res = await this.call("POST", `${this.conn.baseUrl}/v2/generate/pop`, {
        name: this.name,
        models: this.opts.models,
        nsfw: this.opts.nsfw,
        max_pixels: this.opts.maxPixels,
        amount: this.opts.amount,
        bridge_agent: this.opts.bridgeAgent,
        threads: 1,
      });
      const json = (await res.json()) as PoppedJob & { message?: string };
      if (!res.ok) {
        this.stats.errors++;
        this.conn.logger?.warn?.(`dev worker ${this.name}: pop failed (${res.status})`, {
          message: json.message,
        });
        return null;
      }
      this.stats.pops++;
      return json.id ? json : null;
    } catch (e) {
      this.stats.errors++;
      this.conn.logger?.warn?.(`dev worker ${this.name}: pop failed`, { error: String(e) });
      return null;
    }
  }

  private async deliver(job: PoppedJob): Promise<void> {
    const p = job.payload ?? {};
    const ids = job.ids?.length ? job.ids : [job.id as string];
    const prompt = p.prompt ?? "";
    // A stand-in for the safety checker, so censorship can be exercised: SFW requests asking for
    // censoring get a censored image when the prompt says "nsfw".
    const censor = p.use_nsfw_censor === true && /\bnsfw\b/i.test(prompt);
    for (const [i, id] of ids.entries()) {
      const seed = (p.seed ?? 0) + i;
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
        const res = await this.call("POST", `${this.conn.baseUrl}/v2/generate/submit`, {
          id,
          generation,
          seed,
          state: "ok",
          gen_metadata: censor ? [{ type: "censorship", value: "nsfw" }] : [],
        });
        if (!res.ok) throw new Error(`submit failed with ${res.status}: ${await res.text()}`);
        await res.body?.cancel();
        this.stats.delivered++;
      } catch (e) {
        this.stats.errors++;
        this.conn.logger?.warn?.(`dev worker ${this.name}: delivering ${id} failed`, { error: String(e) });
      }
    }
  }

  private async fault(job: PoppedJob): Promise<void> {
    const ids = job.ids?.length ? job.ids : [job.id as string];
    for (const [i, id] of ids.entries()) {
      try {
        const res = await this.call("POST", `${this.conn.baseUrl}/v2/generate/submit`, {
          id,
          generation: "faulted",
          seed: (job.payload?.seed ?? 0) + i,
          state: "faulted",
        });
        await res.body?.cancel();
        this.stats.faulted++;
      } catch (e) {
        this.conn.logger?.warn?.(`dev worker ${this.name}: reporting ${id} faulted failed`, {
          error: String(e),
        });
      }
    }
  }
}
