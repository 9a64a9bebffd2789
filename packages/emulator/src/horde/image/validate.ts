/**
 * The image-specific checks of `/generate/async` (docs/server/image-requests.md#submit-order step 6), in the
 * server's order. Checks that
 * need data the emulator does not have (the model reference, IP reputation, raid mode) are left out.
 */
import { err, HordeError } from "../errors.js";
import { baselineOf } from "../reference/models.js";
import { isUpscaler } from "../reference/post-processors.js";
import type { ImageParams } from "../store/requests.js";
import type { User } from "../store/users.js";
import type { ImageRequestInput } from "./input.js";

export const SDXL_BETA_MODEL = "SDXL_beta::stability.ai#6901";
/** QUIRK(docs/server/image-requests.md#submit-order step 6): the one Client-Agent the server refuses. */
export const BANNED_CLIENT_AGENT = "My-Project:v0.0.1:My-Contact";

const POST_PROCESSOR_AS_MODEL =
  /^(GFPGAN|CodeFormers|strip_background|RealESRGAN_x4plus|RealESRGAN_x2plus|RealESRGAN_x4plus_anime_6B|NMKD_Siax|4x_AnimeSharp)$/;
const CONTROLNET_MODEL = /^control_/i;

const sd15OrSdxl = (m: string) => {
  const b = baselineOf(m);
  return b === "stable_diffusion_1" || b === "stable_diffusion_xl";
};

/**
 * Throws the first error the server would raise for this request, and returns the job count, which the
 * SDXL_beta comparison model forces to 2.
 */
export function validateImageRequest(
  input: ImageRequestInput,
  params: ImageParams,
  user: User,
  clientAgent: string,
): number {
  const models = input.models;
  const bad = (rc: string, message: string) => new HordeError(400, rc, message);

  if (
    params.hires_fix &&
    models.some((m) => ["flux_1", "qwen_image", "z_image_turbo"].includes(baselineOf(m)))
  ) {
    throw bad("HiResMismatch", "HiRes fix does not work with this model.");
  }
  const loras = params.loras ?? [];
  if (loras.length > 5) throw bad("TooManyLoras", "You cannot request more than 5 loras per generation.");
  if (loras.some((l) => l.is_version && !/^\d+$/.test(l.name))) {
    throw bad("BadLoraVersion", "LoRa version requests must be an integer.");
  }
  if ((params.tis?.length ?? 0) > 20)
    throw bad("TooManyTIs", "You cannot request more than 20 Textual Inversions.");
  if (params.transparent && !models.every(sd15OrSdxl)) {
    throw bad("InvalidTransparencyModel", "Transparent generations only work with SD1.5 and SDXL models.");
  }
  if (params.workflow === "qr_code" && !models.every(sd15OrSdxl)) {
    // QUIRK(docs/server/errors.md#return-codes): this rc carries a trailing dot.
    throw bad("ControlNetMismatch.", "The qr_code workflow only works with SD1.5 and SDXL models.");
  }
  if (input.prompt.split(/\s+/).filter(Boolean).length > 7500) {
    throw bad("InvalidPromptSize", "Too many words in the prompt. Please reduce the size of your prompt.");
  }
  if (models.some((m) => POST_PROCESSOR_AS_MODEL.test(m))) {
    throw bad("UnexpectedModelName", "A post-processor is not a model. Put it in params.post_processing.");
  }
  if ((params.post_processing ?? []).filter(isUpscaler).length > 1) {
    throw bad("TooManyUpscalers", "Only one upscaler can be requested per generation.");
  }
  if (!/^-?\d+(\.\d{1,2})?$/.test(String(params.cfg_scale))) {
    throw bad("BadCFGDecimals", "cfg_scale may have at most 2 decimals.");
  }
  if (models.some((m) => m.startsWith("horde_special"))) {
    // QUIRK(docs/server/image-requests.md#submit-order step 6): the intended rc SpecialModelNeedsSpecialUser
    // is lost; the reply says Forbidden.
    throw err.forbidden("Only special users can request special models.");
  }
  if (params.special !== undefined) {
    // QUIRK(docs/server/errors.md#return-codes): the intended rc SpecialFieldNeedsSpecialUser is lost; the
    // reply says BadRequest.
    throw err.badRequest("Only special users can send the special field.");
  }
  if (input.sourceMask && !input.sourceImage) {
    throw bad("SourceMaskUnnecessary", "A source mask was sent without a source image.");
  }
  if (params.control_type) {
    if (!input.sourceImage) throw bad("ControlNetSourceMissing", "ControlNet needs a source image.");
    if (input.sourceProcessing === "inpainting" || input.sourceProcessing === "outpainting") {
      throw bad("ControlNetInpaintingMismatch", "ControlNet does not work with inpainting.");
    }
    if (
      models.some((m) => baselineOf(m) !== "stable_diffusion_1" && baselineOf(m) !== "stable_diffusion_2")
    ) {
      throw bad("ControlNetMismatch", "ControlNet does not work with this model.");
    }
  }
  if (params.transparent && input.extraSourceImages.length > 0) {
    throw bad("InvalidTransparencyImg2Img", "Transparent generations do not work with extra source images.");
  }
  if (params.transparent && params.control_type) {
    throw bad("InvalidTransparencyCN", "Transparent generations do not work with ControlNet.");
  }
  if (input.sourceProcessing === "remix" && !models.every((m) => baselineOf(m) === "stable_cascade")) {
    throw bad("InvalidRemix", "Remix only works with Stable Cascade models.");
  }
  if (input.extraSourceImages.length > 0 && input.sourceProcessing !== "remix") {
    throw bad("InvalidExtraSourceImages.", "Extra source images only work with remix.");
  }
  if ((params.extra_texts?.length ?? 0) > 0 && params.workflow !== "qr_code") {
    throw bad("InvalidExtraTexts.", "Extra texts only work with the qr_code workflow.");
  }
  if (params.workflow === "qr_code" && !(params.extra_texts ?? []).some((t) => t.reference === "qr_code")) {
    throw bad("MissingExtraTexts.", "The qr_code workflow needs an extra text with the reference 'qr_code'.");
  }
  if (models.some((m) => m === "Stable Diffusion 2 Depth" || m === "pix2pix") && !input.sourceImage) {
    throw bad("SourceImageRequiredForModel", "This model needs a source image.");
  }
  if (models.some((m) => CONTROLNET_MODEL.test(m)) && !input.sourceImage) {
    throw bad("UnexpectedModelName", "ControlNet models are not requested by name. Use params.control_type.");
  }
  let n = input.n;
  if (models.includes(SDXL_BETA_MODEL)) {
    if (user.anonymous) throw err.forbidden("Anonymous users cannot use the SDXL beta.", "BetaAnonForbidden");
    if (n === 1) throw bad("BetaComparisonFault", "The SDXL beta needs at least 2 images to compare.");
    n = 2;
  }
  if (clientAgent === BANNED_CLIENT_AGENT) {
    throw err.forbidden("This Client-Agent is banned. Please set your own.", "BannedClientAgent");
  }
  return n;
}
