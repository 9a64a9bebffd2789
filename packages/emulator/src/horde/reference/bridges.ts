/**
 * Bridge capabilities and samplers by agent and version (docs/server/workers.md#bridge-capabilities), the
 * server's tables as data. The agent string is `name:version:rest`; a version that is not semver (major
 * alone is enough) or a missing part makes the bridge `unknown`, which has no capabilities — so it never
 * gets r2 jobs.
 */

/** What each known bridge can do, from the version that added it. */
const CAPABILITIES: Record<string, [since: number, caps: string[]][]> = {
  "AI Horde Worker reGen": [
    [
      1,
      [
        "img2img",
        "inpainting",
        "karras",
        "post-processing",
        "GFPGAN",
        "RealESRGAN_x4plus",
        "r2",
        "CodeFormers",
        "clip_skip",
        "r2_source",
        "controlnet",
        "strip_background",
        "return_control_map",
        "RealESRGAN_x4plus_anime_6B",
        "NMKD_Siax",
        "4x_AnimeSharp",
        "image_is_control",
        "RealESRGAN_x2plus",
        "hires_fix",
        "tiling",
      ],
    ],
    [2, ["textual_inversion", "lora"]],
    [3, ["lora_versions"]],
    [5, ["extra_source_images"]],
    [6, ["stable_cascade_2pass"]],
    [7, ["qr_code", "extra_texts", "workflow"]],
    [8, ["layer_diffuse"]],
    [9, ["flux"]],
    [
      13,
      [
        "4xNomos8kSC",
        "4xLSDIRplus",
        "4xNomosWebPhoto_RealPLKSR",
        "4xNomos2_realplksr_dysample",
        "4xNomos2_hq_dat2",
        "2xModernSpanimationV1",
        "GFPGANv1.3",
        "RestoreFormer",
      ],
    ],
  ],
  "AI Horde Worker": [
    [3, ["img2img"]],
    [4, ["inpainting"]],
    [6, ["karras"]],
    [7, ["post-processing", "GFPGAN", "RealESRGAN_x4plus"]],
    [8, ["r2"]],
    [9, ["CodeFormers"]],
    [13, ["hires_fix", "clip_skip"]],
    [14, ["r2_source"]],
    [15, ["controlnet"]],
    [18, ["strip_background", "return_control_map", "RealESRGAN_x4plus_anime_6B"]],
    [19, ["NMKD_Siax", "4x_AnimeSharp"]],
    [21, ["RealESRGAN_x2plus"]],
    [22, ["lora"]],
    [23, ["image_is_control"]],
    [24, ["textual_inversion"]],
  ],
  "SD-WebUI Stable Horde Worker Bridge": [
    [1, ["inpainting", "karras", "r2", "CodeFormers"]],
    [2, ["tiling"]],
    [3, ["r2_source"]],
    [4, ["clip_skip"]],
  ],
  HordeAutoWebBridge: [
    [1, ["painting", "img2img", "karras"]],
    [2, ["tiling"]],
  ],
};

const ALL_SAMPLERS = [
  "k_lms",
  "k_heun",
  "k_euler",
  "k_euler_a",
  "k_dpm_2",
  "k_dpm_2_a",
  "k_dpm_fast",
  "k_dpm_adaptive",
  "k_dpmpp_2s_a",
  "k_dpmpp_2m",
];

/** The samplers each bridge runs, with karras and (also) without, from the version that added them. */
const SAMPLERS: Record<string, [since: number, karras: string[], noKarras: string[]][]> = {
  "AI Horde Worker reGen": [
    [2, [...ALL_SAMPLERS, "k_dpmpp_sde", "dpmsolver", "DDIM"], []],
    [3, ["lcm"], []],
  ],
  "AI Horde Worker": [
    [11, [...ALL_SAMPLERS, "dpmsolver"], []],
    [12, ["k_dpmpp_sde"], []],
    [17, [], ["DDIM"]],
  ],
  "SD-WebUI Stable Horde Worker Bridge": [[1, [...ALL_SAMPLERS, "k_dpmpp_sde"], ["DDIM", "plms"]]],
  HordeAutoWebBridge: [
    [
      1,
      ["k_lms", "k_dpm_2", "k_dpm_2_a", "k_dpmpp_2s_a", "k_dpmpp_2m", "dpmsolver"],
      ["k_heun", "k_euler", "k_euler_a", "k_dpm_fast", "k_dpm_adaptive"],
    ],
  ],
};

/** The official bridges; the newest version of each gets the full reward (docs/server/workers.md#submit). */
const OFFICIAL = new Set(["AI Horde Worker reGen", "AI Horde Worker"]);

export interface Bridge {
  name: string;
  version: SemVer;
  capabilities: ReadonlySet<string>;
  /** The samplers it runs without karras, and with karras. */
  samplers: { karras: ReadonlySet<string>; plain: ReadonlySet<string> };
  /** Share of an image reward credited to the worker's owner (docs/server/workers.md#submit). */
  rewardMultiplier: number;
}

type SemVer = [major: number, minor: number, patch: number, prerelease: string];

/** semver with optional minor and patch ("9", "9.1", "9.0.1-beta"); null when it does not parse. */
function parseSemver(text: string): SemVer | null {
  const m =
    /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(
      text,
    );
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ""];
}

/** Whether release `major.0.0` is at or before `v` (a prerelease sorts before its release). */
function atOrAfter(v: SemVer, major: number): boolean {
  const [a, b, c, pre] = v;
  if (a !== major) return a > major;
  return b > 0 || c > 0 || pre === "";
}

export function parseBridgeAgent(agent: string): Bridge {
  const parts = agent.split(":");
  const version = parts.length >= 3 ? parseSemver(parts[1] as string) : null;
  const name = version ? (parts[0] as string) : "unknown";
  const v: SemVer = version ?? [0, 0, 0, ""];
  const capabilities = new Set<string>();
  for (const [since, caps] of CAPABILITIES[name] ?? [])
    if (atOrAfter(v, since)) for (const c of caps) capabilities.add(c);
  // A bridge without a sampler table is treated as the legacy worker at version 23.
  const samplerName = name in SAMPLERS ? name : "AI Horde Worker";
  const samplerVersion: SemVer = name in SAMPLERS ? v : [23, 0, 0, ""];
  const karras = new Set<string>();
  const plain = new Set<string>();
  for (const [since, withKarras, without] of SAMPLERS[samplerName] ?? []) {
    if (!atOrAfter(samplerVersion, since)) continue;
    for (const s of withKarras) karras.add(s);
    for (const s of without) plain.add(s);
  }
  for (const s of karras) plain.add(s);
  return {
    name,
    version: v,
    capabilities,
    samplers: { karras, plain },
    rewardMultiplier: rewardMultiplier(name, v),
  };
}

/** Obsolete official bridges are paid 90 %, others 75 %. */
function rewardMultiplier(name: string, v: SemVer): number {
  if (!OFFICIAL.has(name)) return 0.75;
  const latest = Math.max(...(CAPABILITIES[name] ?? []).map(([since]) => since));
  return atOrAfter(v, latest) ? 1 : 0.9;
}

/** Whether the bridge runs this sampler with this karras setting. */
export function runsSampler(bridge: Bridge, sampler: string, karras: boolean): boolean {
  return (karras ? bridge.samplers.karras : bridge.samplers.plain).has(sampler);
}
