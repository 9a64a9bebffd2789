/**
 * The alchemy form names `horde alchemy --help` lists and the CLI checks before loading anything: a copy of
 * the SDK's `KNOWN_ALCHEMY_ANALYSIS_FORMS`, `KNOWN_UPSCALERS`, `KNOWN_FACEFIXERS` and
 * `KNOWN_MISC_POST_PROCESSORS`, kept here so help and usage errors need not import `horde-sdk` (~0.4 s).
 * test/startup.test.ts fails when they drift apart.
 */

export const ANALYSIS_FORMS: readonly string[] = [
  "caption",
  "interrogation",
  "nsfw",
  "vectorize",
  "palette",
  "describe",
  "aesthetic",
];

export const UPSCALERS: readonly string[] = [
  "RealESRGAN_x4plus",
  "RealESRGAN_x2plus",
  "RealESRGAN_x4plus_anime_6B",
  "NMKD_Siax",
  "4x_AnimeSharp",
  "4xNomos8kSC",
  "4xLSDIRplus",
  "4xNomosWebPhoto_RealPLKSR",
  "4xNomos2_realplksr_dysample",
  "4xNomos2_hq_dat2",
  "2xModernSpanimationV1",
];

export const FACEFIXERS: readonly string[] = ["GFPGAN", "CodeFormers", "GFPGANv1.3", "RestoreFormer"];

export const MISC_POST_PROCESSORS: readonly string[] = ["strip_background"];
