/**
 * The post-processors the server knows (docs/server/image-requests.md#submit-order, docs/server/kudos.md#kudos,
 * docs/server/workers.md#batch-size): each one's factor on what the requester pays, which of them upscale
 * (at most one per request), and which are heavy (a batch with one costs 1.8× as much).
 */

/** Every known post-processor and its factor on the requester's charge. */
export const POST_PROCESSOR_FACTORS: Readonly<Record<string, number>> = {
  GFPGAN: 1,
  RealESRGAN_x4plus: 1.05,
  RealESRGAN_x2plus: 1.05,
  RealESRGAN_x4plus_anime_6B: 1.05,
  NMKD_Siax: 1.05,
  "4x_AnimeSharp": 1.05,
  CodeFormers: 1,
  strip_background: 1,
  "4xNomos8kSC": 1.05,
  "4xLSDIRplus": 1.05,
  "4xNomosWebPhoto_RealPLKSR": 1.05,
  "4xNomos2_realplksr_dysample": 1.05,
  "4xNomos2_hq_dat2": 1.05,
  "2xModernSpanimationV1": 1.05,
  "GFPGANv1.3": 1,
  RestoreFormer: 1,
};

export const isPostProcessor = (name: string): boolean => Object.hasOwn(POST_PROCESSOR_FACTORS, name);

/** Upscalers: at most one per request (the SDK's list). */
export { isUpscaler } from "horde-sdk";

/** Heavy post-processors: they make a batch 1.8× as costly (docs/server/workers.md#batch-size). */
export const HEAVY_POST_PROCESSORS: ReadonlySet<string> = new Set([
  "RealESRGAN_x4plus",
  "RealESRGAN_x4plus_anime_6B",
  "NMKD_Siax",
  "4x_AnimeSharp",
  "CodeFormers",
  "4xNomos8kSC",
  "4xLSDIRplus",
  "4xNomos2_hq_dat2",
  "RestoreFormer",
]);
