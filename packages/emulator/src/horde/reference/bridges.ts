/**
 * Bridge capabilities by agent and version (docs/server/workers.md#bridge-capabilities). The agent string is
 * `name:version:url`; a version that
 * does not parse makes the bridge `unknown`, which has no capabilities — so it never gets r2 jobs.
 */
export type Capability =
  | "img2img"
  | "inpainting"
  | "karras"
  | "post-processing"
  | "r2"
  | "r2_source"
  | "controlnet"
  | "hires_fix"
  | "tiling"
  | "clip_skip"
  | "return_control_map"
  | "image_is_control"
  | "lora"
  | "textual_inversion"
  | "lora_versions"
  | "extra_source_images"
  | "stable_cascade_2pass"
  | "qr_code"
  | "layer_diffuse"
  | "flux"
  | "lcm";

export interface Bridge {
  name: string;
  major: number;
  capabilities: ReadonlySet<Capability>;
  /** Share of the reward credited to the worker's owner (docs/server/workers.md#submit). */
  rewardMultiplier: number;
}

const REGEN = "AI Horde Worker reGen";
const LEGACY = "AI Horde Worker";

/** The newest reGen major the emulator knows; it pays the full reward. */
const LATEST_REGEN_MAJOR = 9;

const REGEN_STEPS: [minMajor: number, caps: Capability[]][] = [
  [
    1,
    [
      "img2img",
      "inpainting",
      "karras",
      "post-processing",
      "r2",
      "r2_source",
      "controlnet",
      "hires_fix",
      "tiling",
      "clip_skip",
      "return_control_map",
      "image_is_control",
    ],
  ],
  [2, ["lora", "textual_inversion"]],
  [3, ["lora_versions", "lcm"]],
  [5, ["extra_source_images"]],
  [6, ["stable_cascade_2pass"]],
  [7, ["qr_code"]],
  [8, ["layer_diffuse"]],
  [9, ["flux"]],
];

function parseMajor(version: string | undefined): number | null {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(version ?? "");
  return m ? Number(m[1]) : null;
}

export function parseBridgeAgent(agent: string): Bridge {
  const [name = "", version] = agent.split(":");
  const major = parseMajor(version);
  const caps = new Set<Capability>();
  if (major === null || (name !== REGEN && name !== LEGACY)) {
    return {
      name: major === null ? "unknown" : name,
      major: major ?? 0,
      capabilities: caps,
      rewardMultiplier: 0.75,
    };
  }
  if (name === REGEN) {
    for (const [min, list] of REGEN_STEPS) if (major >= min) for (const c of list) caps.add(c);
    return { name, major, capabilities: caps, rewardMultiplier: major >= LATEST_REGEN_MAJOR ? 1 : 0.9 };
  }
  // The legacy worker: the classic features early, r2 only from version 8.
  for (const c of [
    "img2img",
    "inpainting",
    "karras",
    "post-processing",
    "hires_fix",
    "tiling",
    "clip_skip",
  ] as const) {
    caps.add(c);
  }
  if (major >= 8) caps.add("r2");
  return { name, major, capabilities: caps, rewardMultiplier: 0.9 };
}
