/**
 * A text request as the client sent it (docs/server/text.md#text), with the parser's runtime defaults:
 * `models: []` (any
 * model), `validated_backends` false, `max_length` 80, `max_context_length` 2048, `n` 1.
 */
import { bool, type CommonRequestInput, commonInput, str } from "../requests/input.js";
import type { TextParams } from "../store/requests.js";

export interface TextRequestInput extends CommonRequestInput {
  params: TextParams;
  softprompt?: string;
  validatedBackends: boolean;
}

export const DEFAULT_MAX_LENGTH = 80;
export const DEFAULT_MAX_CONTEXT_LENGTH = 2048;

export function textInput(body: Record<string, unknown>): TextRequestInput {
  // docs/server/text.md#text: text `models` default to [] (any model).
  const common = commonInput(body, []);
  return {
    ...common,
    params: textParams(common.params),
    softprompt: str(body.softprompt),
    validatedBackends: bool(body.validated_backends, false),
  };
}

/** `params` (without `n`) with the lengths' defaults. */
export function textParams(raw: Record<string, unknown>): TextParams {
  return {
    ...raw,
    max_length: typeof raw.max_length === "number" ? raw.max_length : DEFAULT_MAX_LENGTH,
    max_context_length:
      typeof raw.max_context_length === "number" ? raw.max_context_length : DEFAULT_MAX_CONTEXT_LENGTH,
  };
}
