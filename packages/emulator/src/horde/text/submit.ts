/**
 * A new text request (`POST /v2/generate/text/async`, docs/server/text.md#submit): the text's steps of the
 * shared pipeline
 * (`requests/pipeline.ts`) — the cached dry run, the text checks, the upfront rule for long outputs with its
 * downgrade, the estimate, and activation.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import {
  textDryRun,
  textHold,
  textMaxTokens,
  textRequiresUpfront,
  textTokenAllowance,
} from "../pricing/text.js";
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
/** Dry-run estimates are cached for 2 days (docs/server/image-requests.md#submit-order step 3). */
const DRY_RUN_CACHE_MS = 2 * 24 * 3600_000;

/** The dry-run cache key: what the estimate depends on (the params and the models). */
function dryRunKey(input: TextRequestInput): string {
  const key = JSON.stringify({ kind: "text", params: input.params, n: input.n, models: input.models });
  return createHash("sha256").update(key).digest("hex");
}

/** A kudos amount as Python prints a float: `28.57`, `40.0`. */
const pyFloat = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

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

  cachedDryRun: (store, input) => store.cachedDryRun(dryRunKey(input)),

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

  // Long outputs or no slow workers need the hold available (docs/server/text.md#upfront-kudos). Without
  // slow workers the refusal names the allowance before its clamp.
  upfront(store, input) {
    const threads = activeThreads(store, "text");
    const queued = queuedJobs(store, "text");
    const maxTokens = textMaxTokens(threads, queued);
    if (!textRequiresUpfront(input.slowWorkers, input.params.max_length, maxTokens)) return null;
    const tokens = input.slowWorkers ? maxTokens : textTokenAllowance(threads, queued);
    const needed = textHold(input.models, input.params.max_length, input.n);
    if (needed <= 0) return null;
    const amount = input.models.length === 0 ? String(needed) : pyFloat(needed);
    return {
      needed,
      refusal:
        `Due to heavy demand, for requests over ${tokens} tokens, the client needs to already have the ` +
        `required kudos. This request requires ${amount} kudos to fulfil.`,
      // The downgrade lets slow workers in and cuts the length to the allowance.
      downgraded: () => ({
        ...input,
        slowWorkers: true,
        params: { ...input.params, max_length: Math.min(input.params.max_length, tokens) },
      }),
    };
  },

  // The estimate, cached for everybody for 2 days.
  estimate(store, input) {
    const { params, models, n } = input;
    const kudos = textDryRun(models, params.max_length, params.max_context_length, n);
    store.cacheDryRun(dryRunKey(input), kudos, store.now() + DRY_RUN_CACHE_MS);
    return kudos;
  },

  async activate(store, input, user, caller, hold) {
    const req: TextRequest = {
      ...requestBase(store, input, { id: randomUUID(), user, caller, hold, jobs: input.n }),
      kind: "text",
      params: { ...input.params },
      // QUIRK(docs/server/text.md#submit): the request's `softprompt` is read but never stored.
      validatedBackends: input.validatedBackends,
      // QUIRK(docs/server/text.md#submit): the live 202 says kudos 0 — the per-job kudos is only computed for
      // dry runs.
      kudosPerImage: 0,
      // A styled request pays the style's reward on top (docs/server/directory.md#styles-and-collections).
      consumedKudos: TEXT_ACTIVATION_TAX + (input.style === undefined ? 0 : STYLE_REWARD),
    };
    return req;
  },
};
