// A worker's options: checked before anything is sent, and turned into what its parts need.
import type { ValidationIssue } from "../core/errors.js";
import { VERSION } from "../core/version.js";
import type { PopCommon } from "./kinds/kind.js";
import type {
  AlchemyWorkerOptions,
  HordeWorkerOptions,
  ImageBackendSupport,
  ImageWorkerOptions,
  TextWorkerOptions,
  WorkerBackend,
} from "./types.js";

/** Options whose `generate` is there (given, or the backend's). */
export type Resolved<T extends HordeWorkerOptions> = T & { generate: NonNullable<T["generate"]> };
export type ResolvedOptions =
  | Resolved<ImageWorkerOptions>
  | Resolved<TextWorkerOptions>
  | Resolved<AlchemyWorkerOptions>;

/** The image options that advertise each backend feature: what a backend cannot do is refused in the pop. */
const SUPPORT_OPTIONS: Record<keyof ImageBackendSupport, (keyof ImageWorkerOptions)[]> = {
  img2img: ["allowImg2img"],
  painting: ["allowPainting"],
  postProcessing: ["allowPostProcessing"],
  lora: ["allowLora"],
  controlnet: ["allowControlnet", "allowSdxlControlnet"],
};

/** `generate` from the backend, its refusals as pop flags, its bridge agent unless one is given. */
export function resolveOptions(options: HordeWorkerOptions): ResolvedOptions {
  const backend = (options as { backend?: WorkerBackend }).backend;
  if (!backend) return options as ResolvedOptions;
  if (backend.kind === "text") {
    const text: Resolved<TextWorkerOptions> = {
      ...(options as TextWorkerOptions),
      generate: (job, context) => backend.generate(job, context),
    };
    return text;
  }
  const refused: Partial<ImageWorkerOptions> = {};
  for (const [feature, keys] of Object.entries(SUPPORT_OPTIONS)) {
    if (backend.supports[feature as keyof ImageBackendSupport]) continue;
    for (const key of keys) (refused as Record<string, unknown>)[key] = false;
  }
  const image: Resolved<ImageWorkerOptions> = {
    ...(options as ImageWorkerOptions),
    ...refused,
    bridgeAgent: options.bridgeAgent ?? backend.bridgeAgent,
    generate: (job, context) => backend.generate(job, context),
  };
  return image;
}

/** What a backend cannot do, asked for anyway. */
function backendIssues(options: Record<string, unknown>): ValidationIssue[] {
  const backend = options.backend as WorkerBackend | undefined;
  if (backend === undefined) return [];
  if (typeof backend !== "object" || backend === null || typeof backend.generate !== "function") {
    return [{ path: "backend", message: "must be a backend (a1111Backend(…), openaiBackend(…), …)" }];
  }
  if (backend.kind !== options.kind) {
    return [
      {
        path: "backend",
        message: `is a ${backend.kind} backend (${backend.name}), not for ${String(options.kind)} workers`,
      },
    ];
  }
  if (backend.kind !== "image") return [];
  const issues: ValidationIssue[] = [];
  for (const [feature, keys] of Object.entries(SUPPORT_OPTIONS)) {
    if (backend.supports[feature as keyof ImageBackendSupport]) continue;
    for (const key of keys) {
      if (options[key] === true)
        issues.push({ path: key, message: `the ${backend.name} backend cannot do this` });
    }
  }
  return issues;
}

/**
 * The default bridge agent of image workers. The horde decides from the agent what a worker can do
 * (docs/server/workers.md#bridge-capabilities) and gives an unknown agent no `r2` request — that is, none of
 * the default ones — so
 * image workers declare the capability set of reGen 9 (img2img, inpainting, post-processing, hires-fix,
 * r2, LoRA/TI support when allowed, …). Set `bridgeAgent` to what your `generate` really supports.
 */
export const DEFAULT_IMAGE_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://www.npmjs.com/package/horde-sdk";
/** The default bridge agent of text and alchemy workers. */
export const DEFAULT_BRIDGE_AGENT = `horde-sdk-ts worker:${VERSION}:https://www.npmjs.com/package/horde-sdk`;

/** The pop fields every kind sends, from the options. */
export function popCommonOf(options: HordeWorkerOptions, name: string, threads: number): PopCommon {
  return {
    name,
    threads,
    bridge_agent:
      options.bridgeAgent ?? (options.kind === "image" ? DEFAULT_IMAGE_BRIDGE_AGENT : DEFAULT_BRIDGE_AGENT),
    require_upfront_kudos: options.requireUpfrontKudos ?? false,
    extra_slow_worker: options.extraSlowWorker ?? false,
    ...(options.priorityUsernames ? { priority_usernames: options.priorityUsernames } : {}),
    // With a client of its own, a worker given a key sends it with each of its requests.
    ...(options.client && options.apiKey ? { apikey: options.apiKey } : {}),
  };
}

/** A random name, fine for a local emulator; a real horde wants a stable one. */
export function randomWorkerName(): string {
  return `horde-sdk-worker-${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}`;
}

export function validateOptions(options: HordeWorkerOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const o = options as unknown as Record<string, unknown>;
  if (o.kind !== "image" && o.kind !== "text" && o.kind !== "alchemy") {
    issues.push({ path: "kind", message: 'must be "image", "text" or "alchemy"' });
  }
  if (o.backend === undefined && typeof o.generate !== "function") {
    issues.push({ path: "generate", message: "must be a function (or give a backend)" });
  }
  if (o.backend !== undefined && o.generate !== undefined) {
    issues.push({ path: "generate", message: "give generate or a backend, not both" });
  }
  issues.push(...backendIssues(o));
  const reference = o.reference as { imageModels?: unknown } | undefined;
  if (
    reference !== undefined &&
    (o.kind !== "image" ||
      typeof reference !== "object" ||
      reference === null ||
      !(Array.isArray(reference) || typeof reference.imageModels === "function"))
  ) {
    issues.push({
      path: "reference",
      message: "must be a ModelReference or its image model records (image workers only)",
    });
  }
  if (o.name !== undefined && (typeof o.name !== "string" || o.name.trim() === "")) {
    issues.push({ path: "name", message: "must be a non-empty string" });
  }
  const maxThreads = o.kind === "alchemy" ? 100 : 50;
  const int = (key: string, min: number, max: number) => {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      issues.push({ path: key, message: `must be an integer from ${min} to ${max}` });
    }
  };
  int("threads", 1, maxThreads);
  int("amount", 1, 20);
  int("maxPixels", 64 * 64, Number.MAX_SAFE_INTEGER);
  int("maxTiles", 1, 256);
  const report = o.idleReportMs;
  if (report !== undefined && !(typeof report === "number" && report > 0)) {
    issues.push({ path: "idleReportMs", message: "must be a number of milliseconds > 0 (Infinity: never)" });
  }
  for (const key of ["popIntervalMs", "maxPopIntervalMs", "ttlMarginMs"]) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
      issues.push({ path: key, message: "must be a number of milliseconds ≥ 0" });
    }
  }
  const faults = o.maxConsecutiveFaults;
  if (faults !== undefined && !(typeof faults === "number" && faults >= 1)) {
    issues.push({ path: "maxConsecutiveFaults", message: "must be ≥ 1 (Infinity: never stop)" });
  }
  if (o.client === undefined && o.apiKey === undefined) {
    // Anonymous cannot run workers (403 AnonForbiddenWorker): say so before the first pop.
    issues.push({
      path: "apiKey",
      message: "is required (anonymous users cannot run workers), or pass a client",
    });
  }
  return issues;
}
