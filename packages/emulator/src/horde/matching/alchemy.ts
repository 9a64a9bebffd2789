/**
 * Which alchemist may take which form (docs/server/alchemy.md#pop). The pop's query leaves out what the
 * worker cannot do without a reason; a reason is counted only for what the request refuses.
 */
import type { AlchemyForm, Interrogation } from "../store/interrogations.js";
import type { HordeStore } from "../store/store.js";
import { type Worker, workerSpeed } from "../store/workers.js";

export type FormSkipReason = "untrusted";

/** A worker that names no forms does `caption` (docs/server/alchemy.md#pop): what its details show. */
export function servedForms(worker: Worker): readonly string[] {
  return worker.forms.length > 0 ? worker.forms : ["caption"];
}

/** Seconds per form; a worker that has delivered nothing counts as 1 (the server's baseline). */
const secondsPerForm = (worker: Worker) => workerSpeed(worker) ?? 1;

/**
 * Whether the pop's query finds the form for this worker: waiting, one of the forms this pop lists, a
 * source within its `max_tiles`, its owner's only while it is in maintenance, and — unless the request
 * allows slow workers — a worker faster than 10 s a form.
 */
export function formCandidate(worker: Worker, i: Interrogation, form: AlchemyForm): boolean {
  if (form.state !== "waiting" || !worker.forms.includes(form.name)) return false;
  if (i.tiles > worker.maxTiles) return false;
  if (worker.maintenance && i.userId !== worker.ownerId) return false;
  return i.slowWorkers || secondsPerForm(worker) < 10;
}

/** Why the request refuses this alchemist, or null. */
export function formEligibility(store: HordeStore, worker: Worker, i: Interrogation): FormSkipReason | null {
  if (i.trustedWorkers && !store.users.findById(worker.ownerId)?.trusted) return "untrusted";
  return null;
}
