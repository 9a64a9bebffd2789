/**
 * What a worker's pop answers (docs/server/workers.md#pop, docs/server/text.md#text,
 * docs/server/alchemy.md#alchemy): the job with its payload, marshalled the way the
 * server marshals it (its payload models' fields, in their order; anything else is dropped), or the
 * reasons nothing matched.
 */
import { schemas } from "horde-sdk";
import type { AlchemyForm } from "../store/interrogations.js";
import type { ImageRequest, TextRequest } from "../store/requests.js";

/** The payload fields the server marshals (ModelPayloadStable), in its order. */
const IMAGE_PAYLOAD_FIELDS = Object.keys(schemas.ModelPayloadStable.shape).filter(
  (f) => f !== "seed_variation",
);
/**
 * The payload model's defaults: flask-restx fills them in for the fields the pop does not set, and an
 * idle pop's payload is nothing but them (the nested payload skips the other, null, fields).
 */
const IMAGE_PAYLOAD_DEFAULTS: Readonly<Record<string, unknown>> = schemas.swaggerDefaults.ModelPayloadStable;
/**
 * The payload fields the server marshals (ModelPayloadKobold), in its order: a model's own fields first,
 * then its parents' (ModelPayloadRootKobold, then ModelPayloadStyleKobold).
 */
const TEXT_PAYLOAD_FIELDS = [
  "prompt",
  "n",
  "max_context_length",
  "max_length",
  "frmtadsnsp",
  "frmtrmblln",
  "frmtrmspch",
  "frmttriminc",
  "rep_pen",
  "rep_pen_range",
  "rep_pen_slope",
  "singleline",
  "temperature",
  "tfs",
  "top_a",
  "top_k",
  "top_p",
  "typical",
  "sampler_order",
  "use_default_badwordsids",
  "stop_sequence",
  "min_p",
  "smoothing_factor",
  "dynatemp_range",
  "dynatemp_exponent",
];
/** The text payload model's defaults, filled in the same way (docs/server/text.md#pop). */
const TEXT_PAYLOAD_DEFAULTS: Readonly<Record<string, unknown>> = schemas.swaggerDefaults.ModelPayloadKobold;

/** The fields of `source` the payload model has, in the model's order. */
function marshal(fields: readonly string[], source: Record<string, unknown>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) if (source[field] !== undefined) payload[field] = source[field];
  return payload;
}

/**
 * Every field of an image pop (`GenerationPayloadStable`): the server marshals them all, null where the
 * pop has no value, `source_processing` at its default (docs/server/workers.md#pop).
 */
function imagePopShape(fields: Record<string, unknown>) {
  return {
    payload: { ...IMAGE_PAYLOAD_DEFAULTS } as Record<string, unknown>,
    id: null as string | null,
    ids: [] as string[],
    messages: [] as unknown[],
    ttl: null as number | null,
    skipped: {} as Record<string, number>,
    model: null as string | null,
    source_image: null as string | null,
    source_processing: "img2img",
    source_mask: null as string | null,
    extra_source_images: null as unknown[] | null,
    r2_upload: null as string | null,
    r2_uploads: null as string[] | null,
    ...fields,
  };
}

/** An image pop that found nothing: the full shape, with the skip counts (docs/server/workers.md#pop step 10). */
export function idleImagePop(skipped: Record<string, number>) {
  return imagePopShape({ skipped });
}

/** One popped image batch, as the pop hands it out. */
export interface ImageBatch {
  req: ImageRequest;
  ids: string[];
  model: string;
  seed: number;
  ttl: number;
  /** Presigned PUT URLs, one per job. */
  uploads: string[];
  /**
   * What the worker gets of the source (a presigned URL or base64), only when its bridge can do img2img:
   * the request's `source_processing` goes with it, else the field keeps its default.
   */
  source?: { image: string | undefined; mask: string | undefined };
  /** The remix images, when the bridge supports them. */
  extraSourceImages?: unknown[];
}

export function imagePop(b: ImageBatch) {
  const { req } = b;
  return imagePopShape({
    payload: imagePayload(req, b.seed, b.ids.length),
    id: b.ids[0] as string,
    ids: b.ids,
    model: b.model,
    ttl: b.ttl,
    ...(b.source
      ? {
          source_image: b.source.image ?? null,
          source_processing: req.sourceProcessing,
          source_mask: b.source.mask ?? null,
        }
      : {}),
    ...(b.extraSourceImages ? { extra_source_images: b.extraSourceImages } : {}),
    r2_upload: b.uploads[0] as string,
    r2_uploads: b.uploads,
  });
}

/** The request's params without n, steps and seed_variation, plus what the worker needs (docs/server/workers.md#pop). */
function imagePayload(req: ImageRequest, seed: number, count: number): Record<string, unknown> {
  const source: Record<string, unknown> = {
    ...IMAGE_PAYLOAD_DEFAULTS,
    ...req.params,
    // QUIRK(docs/server/workers.md#pop, contract `ModelPayloadRootStable.seed`): the seed is an integer, but
    // the payload model
    // declares a String field, so it is marshalled as a string ("12345").
    seed: String(seed),
    prompt: req.prompt,
    ddim_steps: req.params.steps,
    n_iter: count,
  };
  // A LoRA gets the parser's defaults for its strengths and `is_version` (docs/server/workers.md#pop-response).
  if (Array.isArray(req.params.loras)) {
    source.loras = (req.params.loras as Record<string, unknown>[]).map((l) => ({
      model: 1,
      clip: 1,
      is_version: false,
      ...l,
    }));
  }
  // Only a SFW request that asked for censoring gets the censor flag.
  if (!req.nsfw && req.censorNsfw) source.use_nsfw_censor = true;
  return marshal(IMAGE_PAYLOAD_FIELDS, source);
}

/**
 * A text pop (docs/server/text.md#pop): always the full marshalled shape. The payload carries the model's
 * defaults even when idle; `softprompt` and `extra_source_images` are never filled in for text.
 */
function textPopShape(fields: {
  payload: Record<string, unknown>;
  id: string | null;
  ids: string[];
  ttl: number | null;
  skipped: Record<string, number>;
  model: string | null;
}) {
  const { payload, id, ids, ttl, skipped, model } = fields;
  return {
    payload: marshal(TEXT_PAYLOAD_FIELDS, { ...TEXT_PAYLOAD_DEFAULTS, ...payload }),
    id,
    ids,
    messages: [] as unknown[],
    ttl,
    extra_source_images: null,
    skipped,
    softprompt: null,
    model,
  };
}

export function textPop(req: TextRequest, ids: string[], model: string, ttl: number) {
  const payload = { ...req.params, prompt: req.prompt, n: 1 };
  return textPopShape({ payload, id: ids[0] ?? null, ids, ttl, skipped: {}, model });
}

export function idleTextPop(skipped: Record<string, number>) {
  return textPopShape({ payload: {}, id: null, ids: [], ttl: null, skipped, model: null });
}

/** One popped form, with where the worker reads the source and (post-processors) uploads its result. */
export interface PoppedForm {
  form: AlchemyForm;
  sourceImage: string | undefined;
  upload?: string;
}

/** Found forms (docs/server/alchemy.md#pop): `payload` only when the request gave one, `r2_upload` for post-processors. */
export function alchemyPop(forms: PoppedForm[]) {
  return {
    forms: forms.map(({ form, sourceImage, upload }) => ({
      id: form.id,
      form: form.name,
      ...(form.payload !== undefined && form.payload !== null ? { payload: form.payload } : {}),
      source_image: sourceImage,
      ...(upload !== undefined ? { r2_upload: upload } : {}),
    })),
    skipped: {},
  };
}

/** The reasons an alchemy pop reports: the other counts are dropped when the answer is marshalled. */
const ALCHEMY_SKIP_REASONS = ["worker_id", "untrusted", "bridge_version"];

/** An alchemy pop that found nothing (docs/server/alchemy.md#pop): `forms` is null. */
export function idleAlchemyPop(skipped: Record<string, number>) {
  return {
    forms: null,
    skipped: Object.fromEntries(
      Object.entries(skipped).filter(([why]) => ALCHEMY_SKIP_REASONS.includes(why)),
    ),
  };
}
