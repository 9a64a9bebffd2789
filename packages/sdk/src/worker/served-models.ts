// What the AI Horde's model reference says about the models an image worker serves: read once before the
// first pop, so the pop declares painting only for inpainting models (the server sends inpainting and
// outpainting jobs only to those, docs/server/workers.md#pop) and each job carries its model's facts.
import type { ImageModelRecord } from "../reference/records.js";

/** Where an image worker reads its models' facts: a `ModelReference` (anything with `imageModels()`), or the records. */
export type ImageModelSource =
  | {
      /** Every image model of the reference (a `ModelReference` loads and caches them). */
      imageModels(): Promise<readonly ImageModelRecord[]>;
    }
  | readonly ImageModelRecord[];

export interface ServedModels {
  /** The reference's record of each served model it knows, by the served name. */
  readonly facts: ReadonlyMap<string, ImageModelRecord>;
  /** Served models the reference does not know (the horde keeps only names of its reference). */
  readonly unknown: readonly string[];
  /** Whether one of the served models is an inpainting model. */
  readonly painting: boolean;
}

/** Look the served models up in the reference (rejects when the reference cannot be loaded). */
export async function readServedModels(
  source: ImageModelSource,
  models: readonly string[],
): Promise<ServedModels> {
  const records = "imageModels" in source ? await source.imageModels() : source;
  const byName = new Map(records.map((r) => [r.name, r]));
  const facts = new Map<string, ImageModelRecord>();
  const unknown: string[] = [];
  for (const model of models) {
    const record = byName.get(model);
    if (record) facts.set(model, record);
    else unknown.push(model);
  }
  return { facts, unknown, painting: [...facts.values()].some((r) => r.inpainting === true) };
}
