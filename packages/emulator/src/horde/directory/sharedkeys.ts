/**
 * Shared keys (docs/server/directory.md#shared-keys): `PUT /v2/sharedkeys` and
 * `GET`/`PATCH`/`DELETE /v2/sharedkeys/{id}`. An unknown key id is the server's 401 `InvalidAPIKey`
 * ("No user matching sent Shared Key."), not a 404.
 */
import { err } from "../errors.js";
import { expire } from "../lifecycle.js";
import { refuse } from "../refusals.js";
import type { SharedKey } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import { sharedKeyDetails } from "../views/sharedkeys.js";

const DAY_MS = 86_400_000;

/** The fields a key is made or changed with (null: not given). */
export interface SharedKeyFields {
  kudos: number | null;
  expiry: number | null;
  name: string | null;
  max_image_pixels: number | null;
  max_image_steps: number | null;
  max_text_tokens: number | null;
}

/** How many keys a user may hold. */
function maxKeys(user: User): number {
  if (user.trusted) return 10;
  if (user.education) return 1000;
  return 3;
}

/** `expiry` in days from now; -1 (and, on creation, 0) means never. */
function expiresAt(now: number, days: number): number | null {
  return days === -1 ? null : now + days * DAY_MS;
}

export function createSharedKey(store: HordeStore, apikey: string, f: SharedKeyFields) {
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("get sharedkey");
  if (user.anonymous) throw refuse.anonForbidden();
  const max = maxKeys(user);
  if (store.sharedKeys.ownedBy(user.id).length >= max) {
    throw refuse.forbidden(`You cannot have more than ${max} shared keys.`);
  }
  const now = store.now();
  const key = store.sharedKeys.create(
    {
      ownerId: user.id,
      name: f.name,
      kudos: f.kudos ?? 5000,
      expiresAt: f.expiry ? expiresAt(now, f.expiry) : null,
      maxImagePixels: f.max_image_pixels ?? -1,
      maxImageSteps: f.max_image_steps ?? -1,
      maxTextTokens: f.max_text_tokens ?? -1,
    },
    now,
  );
  return sharedKeyDetails(store, key);
}

function findKey(store: HordeStore, id: string): SharedKey {
  const key = store.sharedKeys.find(id);
  if (!key) throw refuse.unknownSharedKey();
  return key;
}

export function getSharedKey(store: HordeStore, id: string) {
  return sharedKeyDetails(store, findKey(store, id));
}

/** The key, when the caller owns it. */
function ownKey(store: HordeStore, id: string, apikey: string, action: string): SharedKey {
  const key = findKey(store, id);
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey(action);
  if (key.ownerId !== user.id) {
    const owner = store.users.findById(key.ownerId);
    throw refuse.forbidden(`Shared Key ${key.id} belongs to ${owner?.username} and not to ${user.username}.`);
  }
  return key;
}

export function modifySharedKey(store: HordeStore, id: string, apikey: string, f: SharedKeyFields) {
  const key = ownKey(store, id, apikey, "patch sharedkey");
  if (Object.values(f).every((v) => v === null)) {
    throw refuse.nothingToDo("No shared key modification selected!", "NoSharedKeyModSelected");
  }
  if (f.expiry !== null) key.expiresAt = expiresAt(store.now(), f.expiry);
  if (f.kudos !== null) key.kudos = f.kudos;
  if (f.name !== null) key.name = f.name;
  if (f.max_image_pixels !== null) key.maxImagePixels = f.max_image_pixels;
  if (f.max_image_steps !== null) key.maxImageSteps = f.max_image_steps;
  if (f.max_text_tokens !== null) key.maxTextTokens = f.max_text_tokens;
  return sharedKeyDetails(store, key);
}

/** The requests the key pays for go with it (the server's database deletes them along). */
export function deleteSharedKey(store: HordeStore, id: string, apikey: string) {
  const key = ownKey(store, id, apikey, "delete sharedkey");
  for (const req of store.requestsOf()) if (req.sharedKeyId === key.id) expire(store, req, store.now());
  store.sharedKeys.delete(key);
  return { message: "OK" };
}
