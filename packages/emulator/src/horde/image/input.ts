/**
 * An image request as the client sent it (docs/server/image-requests.md#submit): the parser's runtime
 * defaults (docs/server/quirks.md#runtime-defaults) and the
 * server-side params defaults (docs/server/image-requests.md#params).
 */
import { DEFAULT_IMAGE_MODEL } from "../reference/models.js";
import { bool, type CommonRequestInput, commonInput, str } from "../requests/input.js";
import type { ImageParams } from "../store/requests.js";

export interface ImageRequestInput extends CommonRequestInput {
  nsfw: boolean;
  censorNsfw: boolean;
  r2: boolean;
  shared: boolean;
  replacementFilter: boolean;
  sourceImage?: string;
  sourceProcessing: string;
  sourceMask?: string;
  extraSourceImages: { image: string; strength?: number }[];
}

export function imageInput(body: Record<string, unknown>): ImageRequestInput {
  return {
    // QUIRK(docs/server/quirks.md#runtime-defaults): the parser's defaults, not the swagger's: nsfw and
    // censor_nsfw true, models set.
    ...commonInput(body, [DEFAULT_IMAGE_MODEL]),
    nsfw: bool(body.nsfw, true),
    censorNsfw: bool(body.censor_nsfw, true),
    r2: bool(body.r2, true),
    // QUIRK(docs/server/image-requests.md#submit): `shared` is forced to false except for the SDXL_beta
    // comparison model.
    shared: false,
    replacementFilter: bool(body.replacement_filter, true),
    sourceImage: str(body.source_image),
    sourceProcessing: str(body.source_processing) ?? "img2img",
    sourceMask: str(body.source_mask),
    extraSourceImages: Array.isArray(body.extra_source_images)
      ? (body.extra_source_images as { image: string; strength?: number }[])
      : [],
  };
}

/** Fills the server-side params defaults of docs/server/image-requests.md#params (512², 30 steps or 20 with ControlNet, k_euler_a, cfg 5, karras). */
export function fillParams(params: Record<string, unknown>): ImageParams {
  const controlType = typeof params.control_type === "string" ? params.control_type : undefined;
  let steps = typeof params.steps === "number" ? params.steps : controlType ? 20 : 30;
  // With a control type, steps are silently capped at 40.
  if (controlType) steps = Math.min(steps, 40);
  return {
    ...params,
    width: typeof params.width === "number" ? params.width : 512,
    height: typeof params.height === "number" ? params.height : 512,
    steps,
    sampler_name: typeof params.sampler_name === "string" ? params.sampler_name : "k_euler_a",
    // QUIRK(docs/server/quirks.md#runtime-defaults): cfg_scale 5.0 and karras true, where the swagger says
    // 7.5 and false.
    cfg_scale: typeof params.cfg_scale === "number" ? params.cfg_scale : 5.0,
    karras: typeof params.karras === "boolean" ? params.karras : true,
  };
}
