/** Post-processor classes the pricing (§9), the batch size (§5.2) and validation (§1.1.2) care about. */

/** Heavy post-processors: they make a batch 1.8× as costly (§5.2). */
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
