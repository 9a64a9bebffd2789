// The request form: read it into an ImageGenerateAsyncRequest (the SDK validates on construction, so bad
// input never leaves the page) and show the SDK's HordeValidationError next to the fields it names.
import {
  ANONYMOUS_API_KEY,
  HordeValidationError,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncRequest,
} from "horde-sdk";
import { byId, fill, h } from "./dom.js";

/** Which input shows which field of the payload. */
const FIELD_INPUTS: Record<string, string> = {
  prompt: "prompt",
  "params.width": "width",
  "params.height": "height",
  "params.steps": "steps",
  "params.n": "n",
  "params.seed": "seed",
  models: "model",
  "models.0": "model",
  apikey: "apikey",
};

const INPUT_IDS = [...new Set(Object.values(FIELD_INPUTS))];

export interface FormRequest {
  request: ImageGenerateAsyncRequest;
  apikey: string;
  /** What the job card shows: the size, steps and count as asked. */
  summary: { prompt: string; width: number; height: number; steps: number; n: number; model: string | null };
}

const value = (id: string) => byId<HTMLInputElement>(id).value.trim();

/** A number input: empty → not sent (the server's default); anything else → a number, for the SDK to judge. */
function numberField(id: string): number | undefined {
  const text = value(id);
  return text === "" ? undefined : Number(text);
}

/** The form's request, validated by the SDK. Throws HordeValidationError when a field is invalid. */
export function readForm(): FormRequest {
  const params: NonNullable<ImageGenerateAsyncPayload["params"]> = {};
  const width = numberField("width");
  const height = numberField("height");
  const steps = numberField("steps");
  const n = numberField("n");
  const seed = value("seed");
  if (width !== undefined) params.width = width;
  if (height !== undefined) params.height = height;
  if (steps !== undefined) params.steps = steps;
  if (n !== undefined) params.n = n;
  if (seed !== "") params.seed = seed;
  const model = value("model");
  const payload: ImageGenerateAsyncPayload = {
    // Trimmed: a prompt of spaces is an empty prompt.
    prompt: value("prompt"),
    params,
    ...(model ? { models: [model] } : {}),
  };
  const request = new ImageGenerateAsyncRequest(payload);
  return {
    request,
    apikey: value("apikey") || ANONYMOUS_API_KEY,
    summary: {
      prompt: payload.prompt,
      width: width ?? 512,
      height: height ?? 512,
      steps: steps ?? 30,
      n: n ?? 1,
      model: model || null,
    },
  };
}

/** Show a validation error: the SDK's message, and every field it names marked invalid. */
export function showFormError(error: HordeValidationError | Error): void {
  const box = byId("form-error");
  fill(box, h("strong", {}, "Nothing was sent. "), error.message);
  box.hidden = false;
  const issues = error instanceof HordeValidationError ? error.issues : [];
  let first: HTMLElement | null = null;
  for (const issue of issues) {
    const id = FIELD_INPUTS[issue.path];
    if (!id) continue;
    const input = byId(id);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-errormessage", "form-error");
    first ??= input;
  }
  first?.focus();
}

export function clearFormError(): void {
  const box = byId("form-error");
  box.hidden = true;
  fill(box);
  for (const id of INPUT_IDS) {
    byId(id).removeAttribute("aria-invalid");
    byId(id).removeAttribute("aria-errormessage");
  }
}

/** Fill the model list from `/v2/status/models` (image models that some worker serves). */
export function setModels(names: readonly string[]): void {
  const select = byId<HTMLSelectElement>("model");
  const chosen = select.value;
  fill(
    select,
    h("option", { value: "" }, "Any model"),
    ...names.map((name) => h("option", { value: name, selected: name === chosen }, name)),
  );
}
