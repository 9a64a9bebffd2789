/**
 * Model baselines (§9.2). The real server reads them from the image model reference; the emulator knows
 * a handful of well-known names and otherwise applies the server's fallback rule for unknown names.
 */
export type Baseline =
  | "stable_diffusion_1"
  | "stable_diffusion_2"
  | "stable_diffusion_xl"
  | "stable_cascade"
  | "flux_1"
  | "z_image_turbo"
  | "qwen_image";

/** The runtime default model of an image request (§0.1). */
export const DEFAULT_IMAGE_MODEL = "stable_diffusion";

const KNOWN: Record<string, Baseline> = {
  stable_diffusion: "stable_diffusion_1",
  Deliberate: "stable_diffusion_1",
  Dreamshaper: "stable_diffusion_1",
  "stable_diffusion_2.1": "stable_diffusion_2",
  "Stable Diffusion 2 Depth": "stable_diffusion_2",
  "SDXL 1.0": "stable_diffusion_xl",
  "AlbedoBase XL (SDXL)": "stable_diffusion_xl",
  "Juggernaut XL": "stable_diffusion_xl",
  "SDXL_beta::stability.ai#6901": "stable_diffusion_xl",
  "Stable Cascade 1.0": "stable_cascade",
  "Flux.1-Schnell fp8 (Compact)": "flux_1",
  "Flux.1-Dev": "flux_1",
  "Z-Image-Turbo": "z_image_turbo",
  "Qwen-Image": "qwen_image",
};

export function baselineOf(model: string): Baseline {
  const known = KNOWN[model];
  if (known) return known;
  // An unknown name counts as SD 1.5 unless it carries one of these tags (§9.2).
  if (model.includes("[SDXL]")) return "stable_diffusion_xl";
  if (model.includes("[Flux]")) return "flux_1";
  if (model.includes("[Qwen]")) return "qwen_image";
  if (model.includes("[ZModel]") || model.includes("[ZImage]")) return "z_image_turbo";
  return "stable_diffusion_1";
}

/** The baseline multiplier `B` of §9.2. */
export function baselineMultiplier(
  model: string,
  params: { workflow?: string; hires_fix?: boolean },
): number {
  switch (baselineOf(model)) {
    case "stable_diffusion_xl":
      // The doc's "2 (×4 for qr_code)" and "4 (×7 with hires_fix)" are read as the values 4 and 7.
      return params.workflow === "qr_code" ? 4 : 2;
    case "stable_cascade":
      return params.hires_fix ? 7 : 4;
    case "flux_1":
    case "z_image_turbo":
      return 8;
    case "qwen_image":
      return 12;
    default:
      return 1;
  }
}

/** Flux, Qwen and Z-Image jobs get a 3× longer ttl (§2.3). */
export function isHeavyBaseline(model: string): boolean {
  const b = baselineOf(model);
  return b === "flux_1" || b === "qwen_image" || b === "z_image_turbo";
}
