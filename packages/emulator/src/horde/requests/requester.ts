/**
 * Who pays for a generate request (docs/server/directory.md#shared-keys): the style's shared key when the
 * request uses a style that has one, else the `apikey` — a user's key, or a shared key that spends its
 * owner's kudos.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { type SharedKey, sharedKeyProblem } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import { ANONYMOUS_API_KEY, type User } from "../store/users.js";

export interface Requester {
  user: User;
  /** The shared key that pays, if any. */
  sharedKey: SharedKey | null;
  /** An empty shared key with `allow_downgrade`: the request runs as anonymous, with anonymous priority. */
  downgraded: boolean;
}

export function resolveRequester(
  store: HordeStore,
  apikey: string,
  styleKey: SharedKey | null,
  allowDowngrade: boolean,
): Requester {
  if (styleKey) {
    const owner = store.users.findById(styleKey.ownerId);
    if (owner) return { user: owner, sharedKey: styleKey, downgraded: false };
  }
  const key = apikey ? store.sharedKeys.find(apikey) : undefined;
  let user: User | undefined;
  let downgraded = false;
  if (key) {
    const problem = sharedKeyProblem(key, store.now());
    if (problem?.rc === "SharedKeyEmpty" && allowDowngrade) {
      downgraded = true;
      user = store.users.findByKey(ANONYMOUS_API_KEY);
    } else if (problem) {
      throw refuse.forbidden(problem.message, problem.rc);
    } else {
      user = store.users.findById(key.ownerId);
    }
    if (store.styles.all().some((s) => s.sharedKeyId === key.id)) {
      throw refuse.forbidden(
        "This shared key cannot be used as it has been assigned to specific styles only",
        "SharedKeyAssignedStyles",
      );
    }
  }
  user ??= store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("generate");
  return { user, sharedKey: key ?? null, downgraded };
}

/** The request's job would exceed one of the key's per-job limits: the server's message for it, or null. */
export function sharedKeyLimit(
  key: SharedKey,
  job: { pixels?: number; steps?: number; tokens?: number },
): string | null {
  if (job.pixels !== undefined && key.maxImagePixels > -1 && job.pixels > key.maxImagePixels) {
    return `This shared key is limited to ${key.maxImagePixels} pixels per job. You requested ${job.pixels} pixels.`;
  }
  if (job.steps !== undefined && key.maxImageSteps > -1 && job.steps > key.maxImageSteps) {
    return `This shared key is limited to ${key.maxImageSteps} steps per job. You requested ${job.steps} steps.`;
  }
  if (job.tokens !== undefined && key.maxTextTokens > -1 && job.tokens > key.maxTextTokens) {
    return `This shared key is limited to ${key.maxTextTokens} tokens per job. You requested ${job.tokens} tokens.`;
  }
  return null;
}
