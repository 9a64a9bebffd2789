/** Alchemy forms and their kudos (§6.2). */
import { schemas } from "horde-sdk";

export const ALCHEMY_FORMS: readonly string[] = schemas.KNOWN_INTERROGATION_FORMS;
/** Forms that analyse the image; every other known form is a post-processor that returns an image. */
export const ANALYSIS_FORMS: ReadonlySet<string> = new Set([
  "caption",
  "interrogation",
  "nsfw",
  "vectorize",
  "palette",
  "describe",
  "aesthetic",
]);

export const isPostProcessorForm = (name: string): boolean => !ANALYSIS_FORMS.has(name);

/** A request's source may be at most 255 tiles of 512² (§6.2). */
export const MAX_SOURCE_TILES = 255;

export function tilesOf(width: number, height: number): number {
  return Math.max(1, Math.ceil((width * height) / (512 * 512)));
}

/** The form's value: 1, 3 for `interrogation`, 3 per tile for a post-processor. The worker earns it. */
export function formKudos(name: string, tiles: number): number {
  if (name === "interrogation") return 3;
  return isPostProcessorForm(name) ? 3 * tiles : 1;
}

/** QUIRK(§6.2): the requester pays value + 1, and one more when `slow_workers` is true (as the code is written). */
export function formCharge(value: number, slowWorkers: boolean): number {
  return value + 1 + (slowWorkers ? 1 : 0);
}
