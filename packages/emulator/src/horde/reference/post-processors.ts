/** Post-processor classes the pricing (docs/server/kudos.md#kudos), the batch size (docs/server/workers.md#batch-size) and validation (docs/server/image-requests.md#submit-order) care about. */

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

/** Upscalers (at most one per request; each costs the requester ×1.05). */
export const isUpscaler = (pp: string): boolean => /ESRGAN|NMKD|AnimeSharp|Nomos|LSDIR|Spanimation/.test(pp);
