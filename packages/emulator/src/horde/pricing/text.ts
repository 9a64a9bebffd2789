/**
 * Text kudos (docs/server/text.md#reward, docs/server/text.md#upfront-kudos): the worker's reward per
 * delivered text, the requester's charge, the upfront rule, the hold and the dry run's estimate.
 */
import { textModelInfo } from "../reference/models.js";
import { round2 } from "./round.js";

/** Bridges whose text backend is validated (docs/server/workers.md#bridge-capabilities); others earn 30% of the reward. */
export const VALIDATED_TEXT_BRIDGES: ReadonlySet<string> = new Set([
  "AI Horde Worker",
  "AI Horde Worker~aphrodite~oai",
  "AI Horde Worker~aphrodite~kai",
  "KoboldCppEmbedWorker",
  "TabbyAPI",
]);

/** The server reads the bridge's name only from a well-formed `name:version:url` agent. */
export function isValidatedBackend(bridgeAgent: string): boolean {
  const parts = bridgeAgent.split(":");
  return parts.length >= 3 && VALIDATED_TEXT_BRIDGES.has(parts[0] ?? "");
}

/** Tokens of a text, as the server estimates them: 4 characters each, at least 20, at most `maxLength`. */
export function tokensOf(text: string, maxLength: number): number {
  return Math.min(Math.max(Math.ceil(text.length / 4), 20), maxLength);
}

/** The context multiplier `1.2 + 2.2^log2(ctx / 1024)`, kept within 0.1–30. */
export function contextMultiplier(ctx: number): number {
  return Math.min(Math.max(1.2 + 2.2 ** Math.log2(ctx / 1024), 0.1), 30);
}

/** The reward's bonus for large models: `(max(P, 13) / 13)^0.2`. */
const parameterBonus = (p: number) => (Math.max(p, 13) / 13) ** 0.2;

export interface TextRewardInput {
  model: string;
  text: string;
  prompt: string;
  maxLength: number;
  validatedBackend: boolean;
  trustedWorker: boolean;
}

/**
 * The worker's reward for one delivered text (docs/server/text.md#reward). The context is the prompt's
 * token estimate, capped like any text at `max_length`. An unknown model pays the bare context multiplier
 * to an untrusted owner and `tokens · cm · 0.027` to a trusted one, neither cut nor rounded.
 */
export function textReward(input: TextRewardInput): number {
  const tokens = tokensOf(input.text, input.maxLength);
  const cm = contextMultiplier(tokensOf(input.prompt, input.maxLength));
  const info = textModelInfo(input.model);
  // The server's own expressions, in its order, so that the unrounded amounts agree to the last digit.
  if (!info) return input.trustedWorker ? tokens * cm * (2.7 / 100) : cm;
  const reward = (tokens * parameterBonus(info.parameters) * info.parameters) / 125;
  return round2((input.validatedBackend ? reward : reward * 0.3) * cm);
}

/** What the requester pays for one delivered text: the reward (nothing when censored) and the burn of 1. */
export const textCharge = (reward: number, censored = false): number => (censored ? 0 : reward) + 1;

/** `max_tokens` of the text upfront rule before the clamp: 512 + 5·threads − round(0.9·queued). */
export function textTokenAllowance(activeThreads: number, queuedText: number): number {
  return 512 + 5 * activeThreads - Math.round(0.9 * queuedText);
}

/** `max_tokens` of the upfront rule for requests that allow slow workers: the allowance clamped to 256–512. */
export function textMaxTokens(activeThreads: number, queuedText: number): number {
  return Math.min(512, Math.max(256, textTokenAllowance(activeThreads, queuedText)));
}

export function textRequiresUpfront(slowWorkers: boolean, maxLength: number, maxTokens: number): boolean {
  return !slowWorkers || maxLength > maxTokens;
}

/** The upfront hold: 20·n without models, else round(max_length·P/21, 2)·n with the largest P (1 for an unknown model). */
export function textHold(models: readonly string[], maxLength: number, n: number): number {
  if (models.length === 0) return 20 * n;
  const largest = Math.max(...models.map((m) => textModelInfo(m)?.parameters ?? 1));
  return round2((maxLength * largest) / 21) * n;
}

/**
 * The dry run's estimate (docs/server/text.md#reward): `K` from `max_length` and the context multiplier of
 * `max_context_length` on the first model (13B when none is named), then `(K + 1)·n + 1`, rounded.
 *
 * DEVIATION(docs/server/deviations.md#text-dry-run-of-an-unknown-model): where the server fails with a 500
 * (its code reads a field that does not exist), an unknown first model is priced the way that code means
 * to, as a 2.7B model.
 */
export function textDryRun(
  models: readonly string[],
  maxLength: number,
  maxContextLength: number,
  n: number,
) {
  const cm = contextMultiplier(maxContextLength);
  const first = models[0];
  const info = first === undefined ? undefined : textModelInfo(first);
  let perJob: number;
  if (first === undefined) perJob = round2((maxLength * 13 * cm) / 100);
  else if (!info) perJob = maxLength * (2.7 / 100) * cm;
  else perJob = round2((maxLength * parameterBonus(info.parameters) * info.parameters * cm) / 100);
  return Math.round(textCharge(perJob) * n + 1);
}
