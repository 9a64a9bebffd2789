/** The shape of one record of the generated `model-data.ts` (scripts/model-reference.mjs). */

/** The `requirements` of an image model in the reference. */
export interface ImageRequirements {
  min_steps?: number;
  max_steps?: number;
  cfg_scale?: number;
  min_cfg_scale?: number;
  max_cfg_scale?: number;
  clip_skip?: number;
  samplers?: string[];
  schedulers?: string[];
}

/** One image model of `stable_diffusion.json`, facts only. */
export interface ImageModelFact {
  name: string;
  /** As the reference spells it (`stable diffusion 1`, `stable_diffusion_xl`, `flux_1`, …). */
  baseline: string;
  nsfw: boolean;
  inpainting: boolean;
  type: string;
  style: string;
  version?: string;
  requirements?: ImageRequirements;
  trigger?: string[];
  size_on_disk_bytes?: number;
}

/** One text model of `db.json`, facts only. */
export interface TextModelFact {
  name: string;
  baseline: string;
  /** The parameter count (not billions). */
  parameters: number;
  nsfw: boolean;
  style: string;
}
