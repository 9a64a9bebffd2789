/**
 * The image-specific checks of `/generate/async` (docs/server/image-requests.md#submit-order step 6), in the
 * server's order and with its messages: the params against the models, special models and fields, the
 * source-image rules, ControlNet, transparency, remix, extra texts, the SDXL beta and the banned
 * Client-Agent. Checks that need data the emulator does not have (IP reputation in raid mode) are left
 * out.
 */
import type { Caller } from "../caller.js";
import { err, HordeError } from "../errors.js";
import { baselineOf, isControlNetModel } from "../reference/models.js";
import { isPostProcessor, isUpscaler } from "../reference/post-processors.js";
import type { User } from "../store/users.js";
import type { ImageRequestInput } from "./input.js";

export const SDXL_BETA_MODEL = "SDXL_beta::stability.ai#6901";
/** QUIRK(docs/server/image-requests.md#submit-order step 6): the one Client-Agent the server refuses. */
export const BANNED_CLIENT_AGENT = "My-Project:v0.0.1:My-Contact";

const bad = (rc: string, message: string) => new HordeError(400, rc, message);
/** The server's `UnsupportedModel` without a message of its own. */
const UNSUPPORTED_MODEL = "This model is not supported in this mode the moment";

/** Baselines ControlNet does not work with, and the server's word for each. */
const CONTROLNET_MISMATCH: [baseline: string, name: string][] = [
  ["stable_diffusion_xl", "SDXL"],
  ["stable_cascade", "Stable Cascade"],
  ["flux_1", "Flux"],
  ["qwen_image", "Qwen"],
  ["z_image_turbo", "Z-Image"],
];
/** Baselines hires fix does not work with. */
const HIRES_MISMATCH: [baseline: string, name: string][] = [
  ["flux_1", "Flux"],
  ["qwen_image", "Qwen"],
  ["z_image_turbo", "Z-Image"],
];

/**
 * Throws the first error the server would raise for this request, and returns the models and the job
 * count, which the SDXL_beta comparison model takes over (its model alone, 2 images).
 */
export function validateImageRequest(
  input: ImageRequestInput,
  user: User,
  caller: Caller,
): { models: string[]; n: number } {
  const models = input.models;
  const params = input.params;
  const anyBaseline = (prefix: string) => models.some((m) => baselineOf(m).startsWith(prefix));
  checkParams(input, user);

  if (truthy(params.special) && user.special !== true) {
    // QUIRK(docs/server/errors.md#return-codes): the intended rc SpecialFieldNeedsSpecialUser is lost; the
    // reply says BadRequest.
    throw err.badRequest("Only special users can send a special field.");
  }
  if (!input.sourceImage && input.sourceMask) {
    throw bad(
      "SourceMaskUnnecessary",
      "Please do not pass a source_mask unless you are sending a source_image as well",
    );
  }
  const controlType = params.control_type;
  if (typeof controlType === "string" && ["normal", "mlsd", "hough"].includes(controlType)) {
    if (anyBaseline("stable diffusion 2")) {
      throw bad(
        "ControlNetUnsupported",
        "No current model available for this particular ControlNet for SD2.x",
      );
    }
  }
  if (controlType !== undefined) {
    if (models.includes("pix2pix")) {
      throw bad("ControlNetUnsupported", "You cannot use ControlNet with these models.");
    }
    if (!input.sourceImage) throw bad("ControlNetSourceMissing", "Controlnet Requires a source image.");
    if (input.sourceProcessing === "inpainting") {
      throw bad("ControlNetInpaintingMismatch", "ControlNet cannot be used with inpainting at this time");
    }
    for (const [baseline, name] of CONTROLNET_MISMATCH) {
      if (anyBaseline(baseline))
        throw bad("ControlNetMismatch", `ControlNet does not work with ${name} currently.`);
    }
  }
  if (params.transparent === true) {
    if (input.extraSourceImages.length > 0) {
      throw bad(
        "InvalidTransparencyImg2Img",
        "Generating Transparent images is not supported during img2img workflows.",
      );
    }
    if (controlType !== undefined) {
      throw bad(
        "InvalidTransparencyCN",
        "Generating Transparent images is not supported during controlnet workflows currently.",
      );
    }
  }
  if (input.sourceProcessing === "remix" && models.some((m) => !baselineOf(m).startsWith("stable_cascade"))) {
    throw bad("InvalidRemix", "Image Remix is only available for Stable Cascade models.");
  }
  // QUIRK(docs/server/errors.md#return-codes): these rcs end with a dot.
  if (input.extraSourceImages.length > 0 && input.sourceProcessing !== "remix") {
    throw bad("InvalidExtraSourceImages.", "This request type does not accept extra source images.");
  }
  const extraTexts = Array.isArray(params.extra_texts)
    ? (params.extra_texts as { reference?: string }[])
    : [];
  if (extraTexts.length > 0 && params.workflow !== "qr_code") {
    throw bad("InvalidExtraTexts.", "This request type does not accept extra texts.");
  }
  if (params.workflow === "qr_code" && !extraTexts.some((t) => t.reference === "qr_code")) {
    throw bad(
      "MissingExtraTexts.",
      "This request requires you pass the required extra texts for this workflow.",
    );
  }
  if (truthy(params.init_as_image) && truthy(params.return_control_map)) {
    throw bad(
      "ControlNetInvalidPayload",
      "Invalid ControlNet parameters - cannot send inital map and return the same map",
    );
  }
  if (!input.sourceImage && models.some((m) => m === "Stable Diffusion 2 Depth" || m === "pix2pix")) {
    throw bad("SourceImageRequiredForModel", UNSUPPORTED_MODEL);
  }
  if (!input.sourceImage && models.some(isControlNetModel)) {
    throw bad("UnexpectedModelName", UNSUPPORTED_MODEL);
  }
  let result = { models: [...models], n: input.n };
  if (models.includes(SDXL_BETA_MODEL)) {
    if (user.anonymous) throw err.forbidden("Anonymous users cannot use the SDXL_beta.", "BetaAnonForbidden");
    if (input.n === 1) {
      throw bad(
        "BetaComparisonFault",
        "You need to request at least 2 images for SDXL to allow for comparison",
      );
    }
    result = { models: [SDXL_BETA_MODEL], n: 2 };
  }
  if (caller.clientAgent === BANNED_CLIENT_AGENT) {
    throw err.forbidden(
      "This Client-Agent appears badly designed and is causing too many warnings. " +
        "First ensure it provides a proper name and contact details. " +
        "Then contact us on Discord to discuss the issue it's creating.",
      "BannedClientAgent",
    );
  }
  return result;
}

/**
 * The params against the models (the server's `ParamValidator`): hires fix, LoRAs, TIs, transparency, the
 * qr_code workflow, the prompt's length, post-processors named as models, upscalers, cfg decimals; then
 * the special models.
 */
function checkParams(input: ImageRequestInput, user: User): void {
  const models = input.models;
  const params = input.params;
  if (params.hires_fix === true) {
    for (const [baseline, name] of HIRES_MISMATCH) {
      if (models.some((m) => baselineOf(m).startsWith(baseline))) {
        throw bad("HiResMismatch", `HiRes Fix does not work with ${name} currently.`);
      }
    }
  }
  if (Array.isArray(params.loras)) {
    const loras = params.loras as { name: string; is_version?: boolean }[];
    if (loras.length > 5) throw bad("TooManyLoras", "You cannot request more than 5 loras per generation.");
    if (loras.some((l) => l.is_version && !/^\d+$/.test(l.name))) {
      throw bad("BadLoraVersion", "explicit LoRa version requests have to be a version ID (i.e integer).");
    }
  }
  if (Array.isArray(params.tis) && params.tis.length > 20) {
    throw bad("TooManyTIs", "You cannot request more than 20 Textual Inversions per generation.");
  }
  // QUIRK(docs/server/image-requests.md#submit-order step 6): these two rules name the baselines differently;
  // SD 2 and the other spellings never pass.
  if (params.transparent === true) {
    if (models.some((m) => !["stable_diffusion_xl", "stable diffusion 1"].includes(baselineOf(m)))) {
      throw bad(
        "InvalidTransparencyModel",
        "Generating Transparent images is only possible for Stable Diffusion 1.5 and XL models.",
      );
    }
  }
  if (params.workflow === "qr_code") {
    if (!models.every((m) => ["stable diffusion 1", "stable_diffusion_xl"].includes(baselineOf(m)))) {
      throw bad("ControlNetMismatch.", "QR Code controlnet only works with SD 1.5 and SDXL models currently");
    }
  }
  if (input.prompt.split(/\s+/).filter(Boolean).length > 7500) {
    throw bad("InvalidPromptSize", "Too large prompt. Please reduce the amount of tokens contained.");
  }
  if (models.some(isPostProcessor)) throw bad("UnexpectedModelName", UNSUPPORTED_MODEL);
  const postProcessing = Array.isArray(params.post_processing) ? (params.post_processing as string[]) : [];
  if (postProcessing.filter(isUpscaler).length > 1) {
    throw bad("TooManyUpscalers", "Cannot use more than 1 upscaler at a time.");
  }
  const cfg = params.cfg_scale;
  if (typeof cfg === "number" && Math.round(cfg * 100) / 100 !== cfg) {
    throw bad("BadCFGDecimals", "cfg_scale must be rounded to 2 decimal places");
  }
  checkSpecialModels(models, user, params);
}

/** `horde_special::alias#id` models: only for that special user, with a special payload. */
function checkSpecialModels(models: readonly string[], user: User, params: Record<string, unknown>): void {
  for (const model of models) {
    if (!model.includes("horde_special")) continue;
    if (user.special !== true) {
      // QUIRK(docs/server/errors.md#return-codes): Forbidden takes its rc as the third argument, so the
      // intended SpecialModelNeedsSpecialUser is lost.
      throw err.forbidden("Only special users can request a special model.");
    }
    const parts = model.split("::");
    if (parts.length === 1) {
      throw bad(
        "SpecialMissingUsername",
        "Special models must always include the username, in the form of 'horde_special::user#id'",
      );
    }
    const alias = parts[1] as string;
    if (user.username !== alias) throw err.forbidden(`This model can only be requested by ${alias}`);
    if (!truthy(params.special))
      throw bad("SpecialMissingPayload", "Special models have to include a special payload");
  }
}

/** Python's truthiness of a JSON value: null, false, 0, "", [] and {} are false. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return Boolean(v);
}
