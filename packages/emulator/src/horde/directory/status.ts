/** The horde's status and statistics (docs/server/directory.md#directory): the queries of `/v2/status/*` and `/v2/stats/*`, checked. */
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { isKnownImageModel } from "../reference/models.js";
import type { GenKind } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import {
  activeModels,
  deliveriesByModel,
  isKnownModel,
  knownModel,
  modes,
  performance,
} from "../views/horde-status.js";

const MODEL_STATES = ["known", "custom", "all"] as const;
type ModelState = (typeof MODEL_STATES)[number];

function modelState(value: string): ModelState {
  if (!(MODEL_STATES as readonly string[]).includes(value)) {
    throw err.badRequest("'model_state' needs to be one of ['known', 'custom', 'all']");
  }
  return value as ModelState;
}

export interface ModelsQuery {
  type?: string;
  model_state?: string;
  min_count?: string;
  max_count?: string;
}

/** `/v2/status/models`: the models with workers or queued jobs, filtered. */
export function statusModels(store: HordeStore, query: ModelsQuery) {
  sweep(store);
  // QUIRK(docs/server/directory.md#directory): `type` defaults to image.
  const kind: GenKind = query.type === "text" ? "text" : "image";
  const wanted = modelState(query.model_state ?? "all");
  const min = Number(query.min_count ?? Number.NEGATIVE_INFINITY);
  const max = Number(query.max_count ?? Number.POSITIVE_INFINITY);
  return activeModels(store, kind).filter((r) => {
    const known = isKnownModel(kind, r.name);
    if (wanted === "known" && !known) return false;
    if (wanted === "custom" && known) return false;
    return !(r.count < min) && !(r.count > max);
  });
}

/** `/v2/status/models/{name}`: only known names answer (as a one-element list); anything else is [] (docs/server/directory.md#directory). */
export function statusModel(store: HordeStore, name: string) {
  sweep(store);
  const row = knownModel(store, name);
  return row ? [row] : [];
}

/** `/v2/stats/img/models` and `/text/models`. */
export function modelStats(store: HordeStore, kind: GenKind, state: string | undefined) {
  // Text model stats have no model_state filter: every model counts.
  if (kind === "text") return deliveriesByModel(store, "text", () => true);
  // QUIRK(docs/server/directory.md#directory): image model stats default to `known` models and refuse other
  // states with a 400.
  const wanted = modelState(state ?? "known");
  return deliveriesByModel(
    store,
    "image",
    (m) => wanted === "all" || (wanted === "known") === isKnownImageModel(m),
  );
}

/** `/v2/status/performance`: the queue and the workers as of now. */
export function statusPerformance(store: HordeStore) {
  sweep(store);
  return performance(store);
}

/**
 * `/v2/status/modes` (docs/server/directory.md#modes): anybody sees maintenance and invite-only; a key must be
 * a moderator's, who also sees raid mode.
 */
export function statusModes(store: HordeStore, apikey: string | undefined) {
  if (!apikey) return modes(store, false);
  const caller = store.users.findByKey(apikey);
  if (!caller) throw err.invalidApiKey("admin worker details");
  if (!caller.moderator) throw err.forbidden("You're not a mod. BTFO!", "NotModerator");
  return modes(store, true);
}
