/**
 * A new text request (`POST /v2/generate/text/async`, docs/server/text.md#text): the text's steps of the
 * shared pipeline
 * (`requests/pipeline.ts`) — the text checks, the upfront rule for long outputs with its downgrade, the
 * estimate, and activation.
 */
import { randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import { textDryRun, textHold, textMaxTokens, textRequiresUpfront } from "../pricing/text.js";
import { queuedJobs } from "../progress.js";
import { activeThreads } from "../requests/checks.js";
import {
  type RequestKindSteps,
  requestBase,
  type SubmitOutcome,
  submitRequest,
} from "../requests/pipeline.js";
import { STYLE_REWARD, textStylePrompt } from "../requests/style.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type TextRequestInput, textInput, textParams } from "./input.js";
import { validateTextRequest } from "./validate.js";

/** Text pays 1 at activation (docs/server/kudos.md#charge-and-reward). */
const TEXT_ACTIVATION_TAX = 1;

/** Answers a schema-valid body with a prompt: a dry-run estimate, or the new request's 202. */
export function submitText(
  store: HordeStore,
  body: Record<string, unknown>,
  caller: Caller,
): Promise<SubmitOutcome> {
  return submitRequest(store, TEXT_STEPS, textInput(body), caller);
}

const TEXT_STEPS: RequestKindSteps<TextRequestInput> = {
  kind: "text",
  common: (input) => input,

  // The style's params replace the request's, except n.
  applyStyle(input, style) {
    const raw: Record<string, unknown> = { ...structuredClone(style.params) };
    delete raw.n;
    return {
      ...input,
      prompt: textStylePrompt(style.prompt, input.prompt),
      models: [...style.models],
      params: textParams(raw),
    };
  },

  sharedKeyNeeds(_store, input) {
    const kudos = textHold(input.models, input.params.max_length, input.n);
    return {
      kudos,
      // The server's wording, its typo included.
      refusal: (left) =>
        `This shared key does not have enough remaining kudos (${left}) to fulfill this reques (${kudos}).`,
      tokens: input.params.max_length,
    };
  },

  validate(_store, input) {
    validateTextRequest(input);
    return input;
  },

  // Long outputs or no slow workers need the hold available (docs/server/text.md#text).
  upfront(store, input) {
    const maxTokens = textMaxTokens(activeThreads(store, "text"), queuedJobs(store, "text"));
    if (!textRequiresUpfront(input.slowWorkers, input.params.max_length, maxTokens)) return null;
    const needed = textHold(input.models, input.params.max_length, input.n);
    return {
      needed,
      refusal:
        `Due to heavy demand, for requests over ${maxTokens} tokens or without slow workers, the client ` +
        `needs to already have the required kudos. This request requires ${needed} kudos to fulfil.`,
      downgraded: () => ({ ...input, params: { ...input.params, max_length: maxTokens } }),
    };
  },

  estimate: (_store, input) => textDryRun(input.models, input.prompt, input.params.max_length, input.n),

  async activate(store, input, user, caller, hold) {
    const req: TextRequest = {
      ...requestBase(store, input, { id: randomUUID(), user, caller, hold, jobs: input.n }),
      kind: "text",
      params: { ...input.params },
      softprompt: input.softprompt,
      validatedBackends: input.validatedBackends,
      // QUIRK(docs/server/text.md#text): the live 202 says kudos 0 — the per-job kudos is only computed for
      // dry runs.
      kudosPerImage: 0,
      // A styled request pays the style's reward on top (docs/server/directory.md#styles-and-collections).
      consumedKudos: TEXT_ACTIVATION_TAX + (input.style === undefined ? 0 : STYLE_REWARD),
    };
    return req;
  },
};
