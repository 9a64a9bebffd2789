/** What the scenarios share: a worker's identity, a small WebP, the usual request bodies. */
import sharp from "sharp";
import type { Answer, Conversation, TargetUser } from "../framework.js";

export const REGEN = "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";
export const SCRIBE = "KoboldCppEmbedWorker:2:https://github.com/LostRuins/koboldcpp";
export const ALCHEMIST = "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";
export const IMAGE_MODEL = "stable_diffusion";
export const TEXT_MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";

let webp: string | undefined;
/** A 64×64 WebP, base64 — what a worker submits. */
export async function smallWebp(): Promise<string> {
  webp ??= (
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .webp()
      .toBuffer()
  ).toString("base64");
  return webp;
}

export function imageRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prompt: "a red cube on a table",
    params: { width: 512, height: 512, steps: 10, n: 1 },
    models: [IMAGE_MODEL],
    ...extra,
  };
}

export function imagePop(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    models: [IMAGE_MODEL],
    bridge_agent: REGEN,
    max_pixels: 1_048_576,
    nsfw: true,
    amount: 1,
    ...extra,
  };
}

export function textRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prompt: "Once upon a time",
    params: { max_length: 32, max_context_length: 1024 },
    models: [TEXT_MODEL],
    ...extra,
  };
}

export function textPop(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    models: [TEXT_MODEL],
    bridge_agent: SCRIBE,
    max_length: 512,
    max_context_length: 2048,
    amount: 1,
    ...extra,
  };
}

/** A requester and a trusted worker owner, fresh on both sides. */
export async function cast(c: Conversation): Promise<{ alice: TargetUser; owner: TargetUser }> {
  const [alice, owner] = await Promise.all([
    c.user("alice", { kudos: 10_000 }),
    c.user("owner", { trusted: true }),
  ]);
  return { alice, owner };
}

/** Cancels an image request when the scenario ends (so no later scenario's worker pops it). */
export function cancelImageAtEnd(c: Conversation, id: string): void {
  c.onCleanup(() => c.send("DELETE /v2/generate/status/{id}", { params: { id } }));
}
export function cancelTextAtEnd(c: Conversation, id: string): void {
  c.onCleanup(() => c.send("DELETE /v2/generate/text/status/{id}", { params: { id } }));
}
export function cancelAlchemyAtEnd(c: Conversation, id: string): void {
  c.onCleanup(() => c.send("DELETE /v2/interrogate/status/{id}", { params: { id } }));
}

export const isDone = (a: Answer) => a.body?.done === true;
export const hasJob = (a: Answer) => typeof a.body?.id === "string";

/**
 * How long to poll for a change on the oracle: it caches find_user, user details and single workers for
 * 30 s and applies some kudos changes through a ledger a moment later (the emulator shows them at once).
 */
export const CACHE_WAIT = { timeoutMs: 45_000, everyMs: 1000 };

/**
 * The model the directory's scenarios (users, workers, styles, modes) request and serve: no other scenario
 * uses it, so their pops never meet another scenario's leftover job (the oracle puts a cancelled job that
 * times out back in the queue).
 */
export const DIRECTORY_MODEL = "Dreamshaper";

/** The text model of the directory's scenarios, for the same reason. */
export const DIRECTORY_TEXT_MODEL = "koboldcpp/Fimbulvetr-11B-v2";

/** A pop for the directory's scenarios. */
export const directoryPop = (name: string, extra: Record<string, unknown> = {}) =>
  imagePop(name, { models: [DIRECTORY_MODEL], ...extra });

/** An image request for the directory's scenarios. */
export const directoryRequest = (extra: Record<string, unknown> = {}) =>
  imageRequest({ models: [DIRECTORY_MODEL], ...extra });
