// Known alchemy form and post-processor names, grouped (the contract lists them in one flat enum).
import { KNOWN_INTERROGATION_FORMS, KNOWN_POST_PROCESSORS } from "../generated/known-values.js";

/** Face restorers among the post-processors. */
export const KNOWN_FACEFIXERS = ["GFPGAN", "CodeFormers", "GFPGANv1.3", "RestoreFormer"] as const;

/** Post-processors that are neither upscalers nor face fixers. */
export const KNOWN_MISC_POST_PROCESSORS = ["strip_background"] as const;

const notUpscalers = new Set<string>([...KNOWN_FACEFIXERS, ...KNOWN_MISC_POST_PROCESSORS]);

/** Upscalers among the post-processors (every known post-processor that is not a face fixer or misc). */
export const KNOWN_UPSCALERS: readonly string[] = KNOWN_POST_PROCESSORS.filter((p) => !notUpscalers.has(p));

/** Alchemy forms that analyse an image rather than post-process it. */
export const KNOWN_ALCHEMY_ANALYSIS_FORMS: readonly string[] = KNOWN_INTERROGATION_FORMS.filter(
  (f) => !(KNOWN_POST_PROCESSORS as readonly string[]).includes(f),
);

/** True for an alchemy form that upscales (`RealESRGAN_x4plus`, …): its result is an image to download. */
export function isUpscaler(name: string): boolean {
  return KNOWN_UPSCALERS.includes(name);
}

/** True for an alchemy form that fixes faces (`GFPGAN`, `CodeFormers`): its result is an image to download. */
export function isFacefixer(name: string): boolean {
  return (KNOWN_FACEFIXERS as readonly string[]).includes(name);
}

/** A post-processor form: its result is an image (an R2 URL), keyed by the form name. */
export function isPostProcessorForm(name: string): boolean {
  return (KNOWN_POST_PROCESSORS as readonly string[]).includes(name);
}
