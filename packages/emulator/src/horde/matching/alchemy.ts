/**
 * Which alchemist may take which form (docs/server/alchemy.md#alchemy). A form it does not serve, or of a
 * source larger than its
 * `max_tiles`, is passed over without a reason; a reason is counted only for what the request refuses.
 */
import type { AlchemyForm, Interrogation } from "../store/interrogations.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";

export type FormSkipReason = "untrusted";

/** A worker that names no forms does `caption` (docs/server/alchemy.md#alchemy). */
export function servedForms(worker: Worker): readonly string[] {
  return worker.forms.length > 0 ? worker.forms : ["caption"];
}

/** Whether the form waits for a worker and this one could do it. */
export function canDoForm(worker: Worker, i: Interrogation, form: AlchemyForm): boolean {
  return i.tiles <= worker.maxTiles && form.state === "waiting" && servedForms(worker).includes(form.name);
}

/** Why the request refuses this alchemist, or null. */
export function formEligibility(store: HordeStore, worker: Worker, i: Interrogation): FormSkipReason | null {
  if (i.trustedWorkers && !store.users.findById(worker.ownerId)?.trusted) return "untrusted";
  return null;
}
