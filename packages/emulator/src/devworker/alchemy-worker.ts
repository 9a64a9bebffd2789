/**
 * The alchemy dev worker: pop forms → (simulated work on the clock) → fetch the source → run each form →
 * PUT post-processed images to their upload URL → submit (§6.2).
 */
import { ALCHEMY_FORMS } from "../rules/alchemy.js";
import { runForm } from "./alchemy.js";
import { type BaseDevWorkerOptions, type DevWorkerConnection, ProtocolWorker } from "./protocol.js";

export const DEV_ALCHEMIST_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";

export interface AlchemyDevWorkerOptions extends BaseDevWorkerOptions {
  /** Forms served (default: every known form). */
  forms?: string[];
  /** Forms per pop (default 4). */
  amount?: number;
  /** Largest source accepted, in 512² tiles (default 256). */
  maxTiles?: number;
}

interface PoppedForm {
  id: string;
  form: string;
  source_image?: string;
  r2_upload?: string;
}

let unnamed = 0;

export class AlchemyDevWorker extends ProtocolWorker<PoppedForm[]> {
  readonly type = "alchemy" as const;
  private readonly forms: string[];
  private readonly amount: number;
  private readonly maxTiles: number;
  private readonly bridgeAgent: string;

  constructor(conn: DevWorkerConnection, options: AlchemyDevWorkerOptions = {}) {
    super(conn, options, `dev-alchemist-${++unnamed}`);
    this.forms = options.forms ?? [...ALCHEMY_FORMS];
    this.amount = options.amount ?? 4;
    this.maxTiles = options.maxTiles ?? 256;
    this.bridgeAgent = options.bridgeAgent ?? DEV_ALCHEMIST_BRIDGE_AGENT;
  }

  protected async pop(): Promise<PoppedForm[] | null> {
    const res = await this.popJson<{ forms?: PoppedForm[] }>("/v2/interrogate/pop", {
      name: this.name,
      forms: this.forms,
      amount: this.amount,
      max_tiles: this.maxTiles,
      bridge_agent: this.bridgeAgent,
      threads: 1,
    });
    return res?.forms?.length ? res.forms : null;
  }

  /** The source's bytes; null when it cannot be fetched (a foreign URL, offline). Base64 is decoded. */
  private async source(value: string | undefined): Promise<Uint8Array | null> {
    if (!value) return null;
    if (!/^https?:\/\//i.test(value)) return new Uint8Array(Buffer.from(value, "base64"));
    try {
      const res = await this.conn.fetch(value);
      if (!res.ok) {
        await res.body?.cancel();
        return null;
      }
      return new Uint8Array(await res.arrayBuffer());
    } catch {
      return null;
    }
  }

  protected async deliver(forms: PoppedForm[]): Promise<void> {
    const sources = new Map<string, Promise<Uint8Array | null>>();
    for (const f of forms) {
      try {
        const key = f.source_image ?? "";
        if (!sources.has(key)) sources.set(key, this.source(f.source_image));
        const bytes = await sources.get(key);
        const out = await runForm(f.form, bytes ?? null, key);
        if (out.image) {
          if (!f.r2_upload) throw new Error(`form ${f.form} has no upload URL`);
          const put = await this.conn.fetch(f.r2_upload, {
            method: "PUT",
            headers: { "Content-Type": "image/webp" },
            body: out.image,
          });
          if (!put.ok) throw new Error(`R2 upload failed with ${put.status}`);
        }
        await this.submitJson("/v2/interrogate/submit", { id: f.id, result: out.result, state: "ok" });
        this.stats.delivered++;
      } catch (e) {
        this.warn(`delivering form ${f.id} failed`, e);
      }
    }
  }

  protected async fault(forms: PoppedForm[]): Promise<void> {
    for (const f of forms) {
      try {
        await this.submitJson("/v2/interrogate/submit", { id: f.id, result: {}, state: "faulted" });
        this.stats.faulted++;
      } catch (e) {
        this.warn(`reporting form ${f.id} faulted failed`, e);
      }
    }
  }
}
