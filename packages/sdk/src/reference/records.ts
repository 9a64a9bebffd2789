/**
 * The records of the AI Horde's model references — `stable_diffusion.json` (Haidra-Org/AI-Horde-image-model-reference)
 * and `db.json` (Haidra-Org/AI-Horde-text-model-reference) — checked at run time. Lenient on purpose: the
 * references grow new keys, so unknown keys are kept and only the fields apps rely on are checked; a record
 * that fails its check is left out and reported, so one broken entry never hides the rest.
 */
import { z } from "zod";
import { HordeValidationError, type ValidationIssue } from "../core/errors.js";

const requirements = z.looseObject({
  min_steps: z.number().optional(),
  max_steps: z.number().optional(),
  cfg_scale: z.number().optional(),
  min_cfg_scale: z.number().optional(),
  max_cfg_scale: z.number().optional(),
  clip_skip: z.number().optional(),
  samplers: z.array(z.string()).optional(),
  schedulers: z.array(z.string()).optional(),
});

/** One image model of `stable_diffusion.json`. */
export const ImageModelRecordSchema = z.looseObject({
  name: z.string().min(1),
  /** As the reference spells it: `stable diffusion 1`, `stable diffusion 2`, `stable_diffusion_xl`, `flux_1`, … */
  baseline: z.string(),
  nsfw: z.boolean().default(false),
  inpainting: z.boolean().default(false),
  type: z.string().optional(),
  style: z.string().optional(),
  description: z.string().optional(),
  version: z.string().optional(),
  homepage: z.string().optional(),
  trigger: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  showcases: z.array(z.string()).optional(),
  requirements: requirements.optional(),
  features_not_supported: z.array(z.string()).optional(),
  size_on_disk_bytes: z.number().optional(),
  download_all: z.boolean().optional(),
  available: z.boolean().optional(),
  config: z.looseObject({}).optional(),
});
/** One image model of the model reference: its baseline, NSFW flag, style, requirements, trigger words, … as the reference spells them. */
export type ImageModelRecord = z.infer<typeof ImageModelRecordSchema>;
/** The `requirements` of an image model: the steps, cfg, samplers, schedulers and clip skip it needs. */
export type ImageModelRequirements = z.infer<typeof requirements>;

/** One text model of `db.json`. */
export const TextModelRecordSchema = z.looseObject({
  name: z.string().min(1),
  baseline: z.string().optional(),
  /** The parameter count (e.g. 13000000000). */
  parameters: z.number().nonnegative().optional(),
  nsfw: z.boolean().default(false),
  style: z.string().optional(),
  description: z.string().optional(),
  version: z.string().optional(),
});
/** One text model of the model reference: its baseline, parameter count, NSFW flag, style. */
export type TextModelRecord = z.infer<typeof TextModelRecordSchema>;

/** A record the reference holds that failed its check: its key and why. */
export interface SkippedRecord {
  key: string;
  issues: ValidationIssue[];
}

/**
 * The records of one reference file (a JSON object keyed by model name), each checked on its own.
 * Throws a HordeValidationError when the document is not such an object.
 */
export function parseReference<T extends { name: string }>(
  what: string,
  document: unknown,
  schema: z.ZodType<T>,
): { records: T[]; skipped: SkippedRecord[] } {
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new HordeValidationError(what, [{ path: "", message: "expected an object keyed by model name" }]);
  const records: T[] = [];
  const skipped: SkippedRecord[] = [];
  for (const [key, value] of Object.entries(document)) {
    // Some records omit `name`; the key is the name then.
    const input =
      typeof value === "object" && value !== null && !("name" in value) ? { ...value, name: key } : value;
    const result = schema.safeParse(input);
    if (result.success) records.push(result.data);
    else
      skipped.push({
        key,
        issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
  }
  return { records, skipped };
}
