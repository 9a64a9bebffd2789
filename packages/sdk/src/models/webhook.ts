import * as z from "zod";
import { validateWith } from "../core/validation.js";

/**
 * What the horde POSTs to a request's `webhook` for each delivered image
 * (docs/server/image-requests.md#webhooks): the generation
 * as in the status response, plus the request id and the worker's reward. Unknown fields are kept.
 */
const imageWebhookSchema = z.looseObject({
  id: z.string(),
  request: z.string(),
  img: z.string(),
  seed: z.union([z.string(), z.number()]).transform(String),
  worker_id: z.union([z.string(), z.number()]).transform(String),
  worker_name: z.string(),
  model: z.string(),
  censored: z.boolean().optional(),
  gen_metadata: z
    .array(z.looseObject({ type: z.string(), value: z.string(), ref: z.string().optional() }))
    .optional(),
  kudos: z.number().optional(),
});

/** Text webhooks carry `text` instead of `img`. */
const textWebhookSchema = z.looseObject({
  id: z.string(),
  request: z.string(),
  text: z.string(),
  seed: z.union([z.string(), z.number()]).transform(String).optional(),
  worker_id: z.union([z.string(), z.number()]).transform(String),
  worker_name: z.string(),
  model: z.string(),
  gen_metadata: z
    .array(z.looseObject({ type: z.string(), value: z.string(), ref: z.string().optional() }))
    .optional(),
  kudos: z.number().optional(),
});

export type ImageWebhook = z.output<typeof imageWebhookSchema> & { kind: "image" };
export type TextWebhook = z.output<typeof textWebhookSchema> & { kind: "text" };

/**
 * Read a webhook body (the raw string or parsed JSON) into a typed delivery. Throws HordeValidationError
 * naming the field when the body is neither an image nor a text delivery.
 */
export function parseWebhook(body: string | unknown): ImageWebhook | TextWebhook {
  const json: unknown = typeof body === "string" ? JSON.parse(body) : body;
  if (json && typeof json === "object" && "text" in json && !("img" in json)) {
    return { ...validateWith("TextWebhook", textWebhookSchema, json), kind: "text" };
  }
  return { ...validateWith("ImageWebhook", imageWebhookSchema, json), kind: "image" };
}
