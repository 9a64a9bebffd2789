/** `SharedKeyDetails` (docs/server/directory.md#shared-keys): null values (no name, no expiry) left out. */
import type { SharedKey } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import { rfc822, skipNone } from "./marshal.js";

export function sharedKeyDetails(store: HordeStore, key: SharedKey): Record<string, unknown> {
  return skipNone({
    username: store.users.findById(key.ownerId)?.username ?? null,
    id: key.id,
    name: key.name,
    kudos: key.kudos,
    expiry: key.expiresAt === null ? null : rfc822(key.expiresAt),
    utilized: key.utilized,
    max_image_pixels: key.maxImagePixels,
    max_image_steps: key.maxImageSteps,
    max_text_tokens: key.maxTextTokens,
  });
}
