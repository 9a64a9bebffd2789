/** Alchemy kudos (docs/server/alchemy.md#alchemy): what a form is worth to the worker and what the requester pays for it. */
import { isPostProcessorForm } from "../reference/forms.js";

/** The form's value: 1, 3 for `interrogation`, 3 per tile for a post-processor. The worker earns it. */
export function formKudos(name: string, tiles: number): number {
  if (name === "interrogation") return 3;
  return isPostProcessorForm(name) ? 3 * tiles : 1;
}

/** QUIRK(docs/server/alchemy.md#alchemy): the requester pays value + 1, and one more when `slow_workers` is true (as the code is written). */
export function formCharge(value: number, slowWorkers: boolean): number {
  return value + 1 + (slowWorkers ? 1 : 0);
}
