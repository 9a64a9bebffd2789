/** Alchemy forms (docs/server/alchemy.md#alchemy): which exist, which analyse the image and which return one, and the size limit. */
import { KNOWN_ALCHEMY_ANALYSIS_FORMS, schemas } from "horde-sdk";

export const ALCHEMY_FORMS: readonly string[] = schemas.KNOWN_INTERROGATION_FORMS;
/** Forms that analyse the image; every other known form is a post-processor that returns an image. */
export const ANALYSIS_FORMS: ReadonlySet<string> = new Set(KNOWN_ALCHEMY_ANALYSIS_FORMS);

export const isPostProcessorForm = (name: string): boolean => !ANALYSIS_FORMS.has(name);

/** A request's source may be at most 255 tiles of 512² (docs/server/alchemy.md#submit). */
export const MAX_SOURCE_TILES = 255;

/** 512² tiles of an image, counted per side: a 1024×600 image is 2 × 2 tiles (docs/server/alchemy.md#submit). */
export function tilesOf(width: number, height: number): number {
  return Math.ceil(width / 512) * Math.ceil(height / 512);
}
