/**
 * `ModelReference`: the AI Horde's model references (what each model is: baseline, NSFW, inpainting, style,
 * requirements, size; parameters for text) joined with what the horde serves right now
 * (`/v2/status/models`, `/v2/stats/img/models`). Apps use it to offer models that have workers; workers to
 * decide what to load.
 */
import { AIHordeAPIClient } from "../client/client.js";
import { type Clock, systemClock } from "../core/clock.js";
import { HordeError, HordeValidationError } from "../core/errors.js";
import type { FetchLike } from "../http/transport.js";
import {
  type ImageModelRecord,
  ImageModelRecordSchema,
  parseReference,
  type SkippedRecord,
  type TextModelRecord,
  TextModelRecordSchema,
} from "./records.js";

/** Where the AI Horde publishes its image model reference. */
export const IMAGE_MODEL_REFERENCE_URL =
  "https://raw.githubusercontent.com/Haidra-Org/AI-Horde-image-model-reference/main/stable_diffusion.json";
/** Where the AI Horde publishes its text model reference. */
export const TEXT_MODEL_REFERENCE_URL =
  "https://raw.githubusercontent.com/Haidra-Org/AI-Horde-text-model-reference/main/db.json";
/** How long a loaded reference is kept by default: one hour (the references change a few times a week). */
export const DEFAULT_MODEL_REFERENCE_TTL_MS = 60 * 60_000;

/** How to build a `ModelReference`: where the reference files come from, how long they are kept, and the client for live counts. */
export interface ModelReferenceOptions {
  /** The client for the live counts (`/v2/status/models`, stats); default: a client for aihorde.net. */
  client?: AIHordeAPIClient;
  /** The fetch for the reference files (default: the client's pipeline, with its retries; never with the key). */
  fetch?: FetchLike;
  /** Default {@link IMAGE_MODEL_REFERENCE_URL}. */
  imageUrl?: string;
  /** Default {@link TEXT_MODEL_REFERENCE_URL}. */
  textUrl?: string;
  /** How long a loaded file is reused, in ms (default {@link DEFAULT_MODEL_REFERENCE_TTL_MS}; 0 = load every time). */
  ttlMs?: number;
  /** Time source for the TTL (default: the client's clock). */
  clock?: Clock;
}

/** A reference model joined with its live row of `/v2/status/models`. */
export interface LiveModel<R> {
  name: string;
  /** The reference's record. */
  record: R;
  /** Worker threads serving it now (`count`). */
  workers: number;
  /** Queued work (megapixelsteps for images, tokens for text). */
  queued: number;
  /** Jobs waiting or in progress. */
  jobs: number;
  /** Estimated seconds to clear its queue. */
  eta: number;
  performance: number;
}

/** Which image models `findImageModels` and `liveImageModels` keep; an unset field does not filter. */
export interface ImageModelFilter {
  /** The baseline, in either spelling (`stable diffusion 1` or `stable_diffusion_1`, `stable_diffusion_xl`, …). */
  baseline?: string;
  /** Only NSFW (true) or only SFW (false) models. */
  nsfw?: boolean;
  inpainting?: boolean;
  style?: string;
  /** Least worker threads serving it now (default 1: models someone serves). */
  minWorkers?: number;
}

/** Which text models `liveTextModels` keeps; an unset field does not filter. */
export interface TextModelFilter {
  nsfw?: boolean;
  /** Least parameters (e.g. 7e9). */
  minParameters?: number;
  maxParameters?: number;
  /** Least worker threads serving it now (default 1). */
  minWorkers?: number;
}

/** The period of `/v2/stats/img/models` to rank by. */
export type UsagePeriod = "day" | "month" | "total";

/** A model and how many images it made in the period; `record` is undefined for a name outside the reference. */
export interface ModelUsage {
  name: string;
  uses: number;
  record: ImageModelRecord | undefined;
}

/** `stable diffusion 1` (the reference's spelling) and `stable_diffusion_1` (the API's) are the same baseline. */
export function baselineId(baseline: string): string {
  return baseline.trim().toLowerCase().replace(/\s+/g, "_");
}

interface Loaded<R> {
  records: R[];
  byName: Map<string, R>;
  skipped: SkippedRecord[];
}

interface CacheEntry<R> {
  at: number;
  value: Promise<Loaded<R>>;
}

/**
 * The AI Horde's model references, loaded on first use and cached per instance for `ttlMs` (concurrent
 * calls share one load; a failed load is not cached). Every record is checked at run time; records that
 * fail are left out and listed in {@link ModelReference.skipped}.
 *
 * @example
 * const reference = new ModelReference({ client });
 * const sdxl = await reference.liveImageModels({ baseline: "stable_diffusion_xl", nsfw: false });
 * console.log(sdxl.map((m) => `${m.name}: ${m.workers} workers`));
 */
export class ModelReference {
  readonly client: AIHordeAPIClient;
  readonly imageUrl: string;
  readonly textUrl: string;
  readonly ttlMs: number;
  readonly #files: AIHordeAPIClient;
  readonly #clock: Clock;
  #image: CacheEntry<ImageModelRecord> | undefined;
  #text: CacheEntry<TextModelRecord> | undefined;
  #skipped: { image: SkippedRecord[]; text: SkippedRecord[] } = { image: [], text: [] };

  constructor(options: ModelReferenceOptions = {}) {
    this.client = options.client ?? new AIHordeAPIClient(options.fetch ? { fetch: options.fetch } : {});
    this.#clock = options.clock ?? this.client.clock ?? systemClock;
    // The files live outside the API: fetched through a pipeline (retries), never with the API key.
    this.#files = options.fetch
      ? new AIHordeAPIClient({ fetch: options.fetch, clock: this.#clock })
      : this.client;
    this.imageUrl = options.imageUrl ?? IMAGE_MODEL_REFERENCE_URL;
    this.textUrl = options.textUrl ?? TEXT_MODEL_REFERENCE_URL;
    this.ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_MODEL_REFERENCE_TTL_MS);
  }

  /** The records the last loads left out (failed their check), per reference. */
  get skipped(): { readonly image: readonly SkippedRecord[]; readonly text: readonly SkippedRecord[] } {
    return this.#skipped;
  }

  /** Forget the loaded references; the next call loads them again. */
  invalidate(): void {
    this.#image = undefined;
    this.#text = undefined;
  }

  /** Every image model of the reference. */
  async imageModels(): Promise<ImageModelRecord[]> {
    return [...(await this.#loadImage()).records];
  }

  /** Every text model of the reference. */
  async textModels(): Promise<TextModelRecord[]> {
    return [...(await this.#loadText()).records];
  }

  /** One image model by its exact name, or undefined. */
  async imageModel(name: string): Promise<ImageModelRecord | undefined> {
    return (await this.#loadImage()).byName.get(name);
  }

  /**
   * One text model. Workers advertise names with a backend prefix (`koboldcpp/Model`,
   * `aphrodite/Org/Model`) while the reference says `Org/Model`: the exact name, the name without its
   * first part, then the last part are tried.
   */
  async textModel(name: string): Promise<TextModelRecord | undefined> {
    return findText((await this.#loadText()).byName, name);
  }

  /** The image models (reference records) that match the filter, whether or not anyone serves them. */
  async findImageModels(filter: Omit<ImageModelFilter, "minWorkers"> = {}): Promise<ImageModelRecord[]> {
    return (await this.imageModels()).filter((r) => imageMatches(r, filter));
  }

  /** The inpainting models of the reference. */
  async inpaintingModels(): Promise<ImageModelRecord[]> {
    return this.findImageModels({ inpainting: true });
  }

  /** Is this image model marked NSFW in the reference? Undefined for a name outside it. */
  async isNsfw(name: string): Promise<boolean | undefined> {
    return (await this.imageModel(name))?.nsfw;
  }

  /**
   * Reference image models with live workers (at least `minWorkers`, default 1) that match the filter,
   * most workers first. Names the horde serves that the reference lacks are left out.
   */
  async liveImageModels(
    filter: ImageModelFilter = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<LiveModel<ImageModelRecord>[]> {
    const [loaded, live] = await Promise.all([this.#loadImage(), this.#live("image", options.signal)]);
    return joinLive(live, (name) => loaded.byName.get(name), filter.minWorkers).filter((m) =>
      imageMatches(m.record, filter),
    );
  }

  /** Reference text models with live workers that match the filter, most workers first. */
  async liveTextModels(
    filter: TextModelFilter = {},
    options: { signal?: AbortSignal } = {},
  ): Promise<LiveModel<TextModelRecord>[]> {
    const [loaded, live] = await Promise.all([this.#loadText(), this.#live("text", options.signal)]);
    return joinLive(live, (name) => findText(loaded.byName, name), filter.minWorkers).filter((m) => {
      const p = m.record.parameters ?? 0;
      return (
        (filter.nsfw === undefined || m.record.nsfw === filter.nsfw) &&
        (filter.minParameters === undefined || p >= filter.minParameters) &&
        (filter.maxParameters === undefined || p <= filter.maxParameters)
      );
    });
  }

  /** The image models that made the most images in the period (`/v2/stats/img/models`), most first. */
  async mostUsedImageModels(
    options: { period?: UsagePeriod; limit?: number; signal?: AbortSignal } = {},
  ): Promise<ModelUsage[]> {
    const period = options.period ?? "month";
    const [loaded, stats] = await Promise.all([
      this.#loadImage(),
      this.client.getImageStatsModels({}, options.signal ? { signal: options.signal } : {}),
    ]);
    const counts = (stats[period] ?? {}) as Record<string, unknown>;
    return Object.entries(counts)
      .map(([name, uses]) => ({
        name,
        uses: typeof uses === "number" ? uses : 0,
        record: loaded.byName.get(name),
      }))
      .filter((u) => u.uses > 0)
      .sort((a, b) => b.uses - a.uses || a.name.localeCompare(b.name))
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
  }

  async #live(type: "image" | "text", signal: AbortSignal | undefined) {
    return [...(await this.client.getModels({ type }, signal ? { signal } : {}))];
  }

  #loadImage(): Promise<Loaded<ImageModelRecord>> {
    this.#image = this.#fresh(this.#image, () => this.#load("image", this.imageUrl, ImageModelRecordSchema));
    return this.#image.value;
  }

  #loadText(): Promise<Loaded<TextModelRecord>> {
    this.#text = this.#fresh(this.#text, () => this.#load("text", this.textUrl, TextModelRecordSchema));
    return this.#text.value;
  }

  #fresh<R>(entry: CacheEntry<R> | undefined, load: () => Promise<Loaded<R>>): CacheEntry<R> {
    const now = this.#clock.now();
    if (entry && now - entry.at < this.ttlMs) return entry;
    const value = load();
    const fresh = { at: now, value };
    // A failed load is not kept: the next call tries again.
    value.catch(() => {
      if (this.#image === (fresh as unknown)) this.#image = undefined;
      if (this.#text === (fresh as unknown)) this.#text = undefined;
    });
    return fresh;
  }

  async #load<R extends { name: string }>(
    kind: "image" | "text",
    url: string,
    schema: Parameters<typeof parseReference<R>>[2],
  ): Promise<Loaded<R>> {
    const raw = await this.#files.fetchUrl(url);
    if (raw.status !== 200)
      throw new HordeError(`the ${kind} model reference ${url} answered HTTP ${raw.status}`);
    let document: unknown;
    try {
      document = raw.json();
    } catch {
      throw new HordeValidationError(`${kind} model reference`, [
        { path: "", message: `${url} is not JSON` },
      ]);
    }
    const { records, skipped } = parseReference(`${kind} model reference`, document, schema);
    this.#skipped = { ...this.#skipped, [kind]: skipped };
    return { records, byName: new Map(records.map((r) => [r.name, r])), skipped };
  }
}

function imageMatches(r: ImageModelRecord, f: Omit<ImageModelFilter, "minWorkers">): boolean {
  return (
    (f.baseline === undefined || baselineId(r.baseline) === baselineId(f.baseline)) &&
    (f.nsfw === undefined || r.nsfw === f.nsfw) &&
    (f.inpainting === undefined || r.inpainting === f.inpainting) &&
    (f.style === undefined || r.style === f.style)
  );
}

function findText(byName: Map<string, TextModelRecord>, name: string): TextModelRecord | undefined {
  const parts = name.split("/");
  const exact = byName.get(name) ?? byName.get(parts.slice(1).join("/"));
  if (exact) return exact;
  const last = parts.at(-1);
  for (const r of byName.values()) if (r.name.split("/").at(-1) === last) return r;
  return undefined;
}

interface LiveRow {
  name?: string | null;
  count?: number | null;
  queued?: number | null;
  jobs?: number | null;
  eta?: number | null;
  performance?: number | null;
}

function joinLive<R>(rows: LiveRow[], find: (name: string) => R | undefined, minWorkers = 1): LiveModel<R>[] {
  const out: LiveModel<R>[] = [];
  for (const row of rows) {
    const name = row.name ?? "";
    const record = find(name);
    const workers = row.count ?? 0;
    if (!record || workers < minWorkers) continue;
    out.push({
      name,
      record,
      workers,
      queued: row.queued ?? 0,
      jobs: row.jobs ?? 0,
      eta: row.eta ?? 0,
      performance: row.performance ?? 0,
    });
  }
  return out.sort((a, b) => b.workers - a.workers || a.name.localeCompare(b.name));
}
