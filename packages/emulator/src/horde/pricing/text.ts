/**
 * Text kudos (docs/server/text.md#text): the worker's reward per delivered text, the requester's charge, the
 * upfront rule
 * and the hold.
 *
 * Approximations: the "max multiplier" of the hold is read as the largest parameter count (in
 * billions) among the requested models, and the dry run estimates every job at `max_length` tokens on
 * the largest requested model (the server's text dry run is not documented).
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

export function isValidatedBackend(bridgeAgent: string): boolean {
  return VALIDATED_TEXT_BRIDGES.has(bridgeAgent.split(":")[0] ?? "");
}

/** Tokens of a text, as the server estimates them: 4 characters each, at least 20, at most `maxLength`. */
export function tokensOf(text: string, maxLength: number): number {
  return Math.min(Math.max(Math.ceil(text.length / 4), 20), maxLength);
}

/** The context multiplier of docs/server/text.md#text, from the prompt's token estimate. */
export function contextMultiplier(prompt: string): number {
  const ctx = Math.max(Math.ceil(prompt.length / 4), 20);
  return Math.min(Math.max(1.2 + 2.2 ** Math.log2(ctx / 1024), 0.1), 30);
}

export interface TextRewardInput {
  model: string;
  text: string;
  prompt: string;
  maxLength: number;
  validatedBackend: boolean;
  trustedWorker: boolean;
}

/** The worker's reward for one delivered text (docs/server/text.md#text). */
export function textReward(input: TextRewardInput): number {
  const tokens = tokensOf(input.text, input.maxLength);
  const cm = contextMultiplier(input.prompt);
  const info = textModelInfo(input.model);
  let reward: number;
  if (!info) {
    // An unknown model pays only the context multiplier to untrusted workers.
    reward = input.trustedWorker ? tokens * cm * 0.027 : cm;
  } else {
    const p = info.parameters;
    reward = tokens * (Math.max(p, 13) / 13) ** 0.2 * (p / 125) * cm;
  }
  if (!input.validatedBackend) reward *= 0.3;
  return round2(reward);
}

/** What the requester pays for one delivered text: the reward + 1 (docs/server/text.md#text), nothing when censored. */
export const textCharge = (reward: number): number => reward + 1;

/** `max_tokens` of the text upfront rule: 512 + 5·threads − round(0.9·queued), clamped to 256–512. */
export function textMaxTokens(activeThreads: number, queuedText: number): number {
  return Math.min(512, Math.max(256, 512 + 5 * activeThreads - Math.round(0.9 * queuedText)));
}

export function textRequiresUpfront(slowWorkers: boolean, maxLength: number, maxTokens: number): boolean {
  return !slowWorkers || maxLength > maxTokens;
}

function largestParameters(models: readonly string[]): number {
  return Math.max(1, ...models.map((m) => textModelInfo(m)?.parameters ?? 1));
}

/** The upfront hold: 20·n without models, else round(max_length·max_multiplier/21, 2)·n (docs/server/text.md#text). */
export function textHold(models: readonly string[], maxLength: number, n: number): number {
  if (models.length === 0) return 20 * n;
  return round2((maxLength * largestParameters(models)) / 21) * n;
}

/** The dry-run estimate: every job at `max_length` tokens on the largest requested model, plus the tax. */
export function textDryRun(models: readonly string[], prompt: string, maxLength: number, n: number): number {
  if (models.length === 0) return 20 * n + 1;
  const largest = models.reduce((a, b) =>
    (textModelInfo(b)?.parameters ?? 0) > (textModelInfo(a)?.parameters ?? 0) ? b : a,
  );
  const perJob = textReward({
    model: largest,
    text: "x".repeat(maxLength * 4),
    prompt,
    maxLength,
    validatedBackend: true,
    trustedWorker: true,
  });
  return Math.round(textCharge(perJob) * n + 1);
}
