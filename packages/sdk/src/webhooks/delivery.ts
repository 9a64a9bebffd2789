import * as z from "zod";
import { HordeValidationError } from "../core/errors.js";
import { validateWith } from "../core/validation.js";

/**
 * What the horde POSTs to a request's `webhook` for each delivered job (docs/server/image-requests.md#webhooks):
 * the server's record of the job, plus `request` (the request id), `id` (the job or form id) and `kudos` (the
 * worker's reward). Unknown fields are kept.
 */
const genMetadata = z
  .array(z.looseObject({ type: z.string(), value: z.string(), ref: z.string().optional() }))
  .optional();
const workerId = z.union([z.string(), z.number()]).transform(String);

const imageWebhookSchema = z.looseObject({
  id: z.string(),
  request: z.string(),
  /** A download URL (r2 requests) or the WebP in base64. */
  img: z.string(),
  seed: z.union([z.string(), z.number()]).transform(String),
  worker_id: workerId,
  worker_name: z.string(),
  model: z.string(),
  censored: z.boolean().optional(),
  gen_metadata: genMetadata,
  kudos: z.number().optional(),
});

/** Text webhooks carry `text` and the censorship `state` instead of `img` and `censored`. */
const textWebhookSchema = z.looseObject({
  id: z.string(),
  request: z.string(),
  text: z.string(),
  seed: z.union([z.string(), z.number()]).transform(String).optional(),
  worker_id: workerId,
  worker_name: z.string(),
  model: z.string(),
  state: z.string().optional(),
  gen_metadata: genMetadata,
  kudos: z.number().optional(),
});

/** Alchemy webhooks: one per delivered form (docs/server/alchemy.md#worker-submit). */
const alchemyWebhookSchema = z.looseObject({
  id: z.string(),
  request: z.string(),
  form: z.string(),
  state: z.string(),
  /** The form's result, e.g. `{caption: "…"}`; post-processors give a download URL. */
  result: z.record(z.string(), z.unknown()).nullable(),
  worker_id: workerId,
  worker_name: z.string().nullable(),
  kudos: z.number().optional(),
});

/** An image webhook delivery: one per finished image, with its URL or base64, seed and metadata. */
export type ImageWebhook = z.output<typeof imageWebhookSchema> & { kind: "image" };
/** A text webhook delivery: one per finished generation, with its text. */
export type TextWebhook = z.output<typeof textWebhookSchema> & { kind: "text" };
/** An alchemy webhook delivery: one per finished form, with its result. */
export type AlchemyWebhook = z.output<typeof alchemyWebhookSchema> & { kind: "alchemy" };
/** Any webhook delivery, told apart by `kind`. */
export type HordeWebhook = ImageWebhook | TextWebhook | AlchemyWebhook;

/**
 * Read a webhook body (the raw string or parsed JSON) into a typed delivery: `form` makes it alchemy, `text`
 * makes it text, anything else is read as an image. Throws HordeValidationError naming the field.
 */
export function parseWebhook(body: string | unknown): HordeWebhook {
  let json: unknown = body;
  if (typeof body === "string") {
    try {
      json = JSON.parse(body);
    } catch {
      throw new HordeValidationError("HordeWebhook", [{ path: "", message: "the body is not JSON" }]);
    }
  }
  const has = (key: string) => typeof json === "object" && json !== null && key in json;
  if (has("form")) return { ...validateWith("AlchemyWebhook", alchemyWebhookSchema, json), kind: "alchemy" };
  if (has("text") && !has("img")) {
    return { ...validateWith("TextWebhook", textWebhookSchema, json), kind: "text" };
  }
  return { ...validateWith("ImageWebhook", imageWebhookSchema, json), kind: "image" };
}
