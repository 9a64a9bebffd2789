/**
 * The worker's settings file (`horde worker --config worker.yaml|worker.json`): the same settings as the
 * flags, under the names of the horde's pop fields (`max_pixels`, `allow_img2img`, … — as the reference
 * worker's bridgeData.yaml spells them), plus a `backend` section. Every key and value is checked; a problem
 * is one line naming the file and the key. YAML is parsed with `yaml`, loaded only when a YAML file is read.
 */
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { UsageError } from "../errors.js";

export const WORKER_KINDS = ["image", "text", "alchemy"] as const;
export type Kind = (typeof WORKER_KINDS)[number];
export const BACKEND_TYPES = ["openai", "koboldcpp", "a1111", "comfyui"] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

/** The kind of jobs each backend serves. */
export const BACKEND_KIND: Record<BackendType, Kind> = {
  openai: "text",
  koboldcpp: "text",
  a1111: "image",
  comfyui: "image",
};

export interface BackendSettings {
  type?: BackendType;
  url?: string;
  /** One backend model for every horde model, or horde model → backend model. */
  model?: string | Record<string, string>;
  /** A workflow file (resolved against where it was named), or the workflow itself. */
  workflow?: string | Record<string, unknown>;
}

/** Everything `horde worker` runs with, from the flags and the file (flags win). */
export interface WorkerSettings {
  dev?: boolean;
  exec?: string;
  type?: Kind;
  name?: string;
  models?: string[];
  forms?: string[];
  threads?: number;
  amount?: number;
  maxPixels?: number;
  maxLength?: number;
  maxContextLength?: number;
  maxTiles?: number;
  nsfw?: boolean;
  blacklist?: string[];
  priorityUsernames?: string[];
  requireUpfrontKudos?: boolean;
  extraSlowWorker?: boolean;
  allowImg2img?: boolean;
  allowPainting?: boolean;
  allowPostProcessing?: boolean;
  allowControlnet?: boolean;
  allowSdxlControlnet?: boolean;
  allowLora?: boolean;
  allowUnsafeIpaddr?: boolean;
  limitMaxSteps?: boolean;
  /** Read the AI Horde's model reference (image; default true). */
  modelReference?: boolean;
  bridgeAgent?: string;
  /** Say why no jobs come after this long idle (and again every this long). */
  idleReportSeconds?: number;
  /** The horde's API base URL. */
  url?: string;
  backend?: BackendSettings;
}

type Read = (value: unknown) => unknown;
/** A check failed: the message says what the value must be. */
class Bad {
  constructor(readonly message: string) {}
}

const int =
  (min: number, max: number): Read =>
  (v) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? v
      : new Bad(`must be a whole number from ${min} to ${max}`);
const bool: Read = (v) => (typeof v === "boolean" ? v : new Bad("must be true or false"));
const text: Read = (v) =>
  typeof v === "string" && v.trim() !== "" ? v : new Bad("must be a non-empty string");
const list: Read = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && x.trim() !== "")
    ? v
    : new Bad("must be a list of non-empty strings");
const oneOf =
  (values: readonly string[]): Read =>
  (v) =>
    typeof v === "string" && values.includes(v) ? v : new Bad(`must be one of ${values.join(", ")}`);
const httpUrl: Read = (v) => {
  try {
    const url = new URL(String(v));
    if (typeof v === "string" && (url.protocol === "http:" || url.protocol === "https:")) return v;
  } catch {
    // below
  }
  return new Bad("must be an http(s) URL");
};
const bridgeAgent: Read = (v) =>
  typeof v === "string" && /^[^:]+:[^:]+:\S.*$/.test(v) ? v : new Bad("must look like name:version:url");
const usernames: Read = (v) => {
  const names = list(v);
  if (names instanceof Bad) return names;
  return (names as string[]).every((n) => /^.+#\d+$/.test(n))
    ? names
    : new Bad("must be a list of usernames with their id, like alias#1234");
};

/** The keys of the file: the setting each sets and how its value is checked. */
const KEYS: Record<string, [keyof WorkerSettings, Read]> = {
  name: ["name", text],
  type: ["type", oneOf(WORKER_KINDS)],
  models: ["models", list],
  forms: ["forms", list],
  threads: ["threads", int(1, 50)],
  amount: ["amount", int(1, 20)],
  max_pixels: ["maxPixels", int(4096, 3072 * 3072)],
  max_length: ["maxLength", int(16, 4096)],
  max_context_length: ["maxContextLength", int(80, 1_048_576)],
  max_tiles: ["maxTiles", int(1, 256)],
  nsfw: ["nsfw", bool],
  blacklist: ["blacklist", list],
  priority_usernames: ["priorityUsernames", usernames],
  require_upfront_kudos: ["requireUpfrontKudos", bool],
  extra_slow_worker: ["extraSlowWorker", bool],
  allow_img2img: ["allowImg2img", bool],
  allow_painting: ["allowPainting", bool],
  allow_post_processing: ["allowPostProcessing", bool],
  allow_controlnet: ["allowControlnet", bool],
  allow_sdxl_controlnet: ["allowSdxlControlnet", bool],
  allow_lora: ["allowLora", bool],
  allow_unsafe_ipaddr: ["allowUnsafeIpaddr", bool],
  limit_max_steps: ["limitMaxSteps", bool],
  model_reference: ["modelReference", bool],
  bridge_agent: ["bridgeAgent", bridgeAgent],
  idle_report_seconds: ["idleReportSeconds", int(1, 86_400)],
  url: ["url", httpUrl],
  dev: ["dev", bool],
  exec: ["exec", text],
};

/** The file's key for a setting. */
export function fileKeyOf(setting: keyof WorkerSettings): string {
  return Object.entries(KEYS).find(([, [name]]) => name === setting)?.[0] ?? setting;
}

const modelMap: Read = (v) => {
  if (typeof v === "string" && v.trim() !== "") return v;
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const entries = Object.entries(v);
    if (entries.length > 0 && entries.every(([, x]) => typeof x === "string" && x.trim() !== "")) return v;
  }
  return new Bad("must be the backend's model name, or a map from horde model to backend model");
};
const workflow: Read = (v) =>
  (typeof v === "string" && v.trim() !== "") || (typeof v === "object" && v !== null && !Array.isArray(v))
    ? v
    : new Bad("must be the path of a workflow file (JSON), or the workflow itself");

const BACKEND_KEYS: Record<string, [keyof BackendSettings, Read]> = {
  type: ["type", oneOf(BACKEND_TYPES)],
  url: ["url", httpUrl],
  model: ["model", modelMap],
  workflow: ["workflow", workflow],
};

/** Read and check a worker settings file (YAML or JSON, by its extension). */
export async function readWorkerConfig(path: string): Promise<WorkerSettings> {
  const ext = extname(path).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) {
    throw new UsageError(`--config ${path}: the file must end in .yaml, .yml or .json`);
  }
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = ext === ".json" ? JSON.parse(source) : (await import("yaml")).parse(source);
  } catch (err) {
    const what = ext === ".json" ? "JSON" : "YAML";
    throw new UsageError(`${path}: not valid ${what}: ${(err as Error).message.split("\n")[0]}`);
  }
  return checkWorkerConfig(parsed ?? {}, path);
}

/** Check parsed settings; relative workflow paths are resolved against the file's folder. */
export function checkWorkerConfig(parsed: unknown, path: string): WorkerSettings {
  const fail = (message: string): never => {
    throw new UsageError(`${path}: ${message}`);
  };
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(parsed)) return fail("must be a mapping of settings (name: …, models: […], …)");
  const settings: WorkerSettings = {};
  const read = <T extends object>(
    source: Record<string, unknown>,
    keys: Record<string, [keyof T, Read]>,
    target: T,
    prefix: string,
  ) => {
    for (const [key, value] of Object.entries(source)) {
      const spec = keys[key];
      if (!spec) {
        const snake = key
          .replace(/-/g, "_")
          .replace(/([a-z])([A-Z])/g, "$1_$2")
          .toLowerCase();
        const hint = snake !== key && snake in keys ? ` (did you mean '${prefix}${snake}'?)` : "";
        fail(`unknown key '${prefix}${key}'${hint}; the keys are ${Object.keys(keys).join(", ")}`);
        continue;
      }
      const checked = spec[1](value);
      if (checked instanceof Bad) fail(`${prefix}${key}: ${checked.message}`);
      (target as Record<string, unknown>)[spec[0] as string] = checked;
    }
  };
  const { backend, ...rest } = parsed;
  read(rest, KEYS, settings, "");
  if (backend !== undefined) {
    if (!isMap(backend)) return fail("backend: must be a mapping (type: …, url: …)");
    const b: BackendSettings = {};
    read(backend, BACKEND_KEYS, b, "backend.");
    if (b.type === undefined) fail(`backend.type: is required (one of ${BACKEND_TYPES.join(", ")})`);
    if (b.url === undefined) fail("backend.url: is required");
    if (typeof b.workflow === "string") b.workflow = resolve(dirname(path), b.workflow);
    settings.backend = b;
  }
  return settings;
}
