/**
 * What a pop declares about its worker (docs/server/workers.md#pop, docs/server/text.md#text,
 * docs/server/alchemy.md#alchemy), with the parser's runtime defaults — which
 * differ from the swagger's in several places (`max_tiles` 80 where the swagger says 16, …). Each wire
 * field is read when it has the type of its default; otherwise the default stands.
 */
import { DECLARATION_DEFAULTS, type WorkerDeclaration, type WorkerType } from "../store/workers.js";

type DeclaredField = Exclude<keyof WorkerDeclaration, "type" | "name">;

/** Wire name → declaration field, for every worker type. */
const COMMON_FIELDS: Record<string, DeclaredField> = {
  priority_usernames: "priorityUsernames",
  bridge_agent: "bridgeAgent",
  threads: "threads",
  amount: "amount",
};

/**
 * Wire name → declaration field, for one worker type only: what that type's check-in stores. Text workers
 * ignore `blacklist`, `require_upfront_kudos` and `extra_slow_worker` (docs/server/text.md#pop); alchemists
 * declare no models (docs/server/alchemy.md#pop).
 */
const TYPE_FIELDS: Record<WorkerType, Record<string, DeclaredField>> = {
  image: {
    nsfw: "nsfw",
    models: "models",
    require_upfront_kudos: "requireUpfrontKudos",
    extra_slow_worker: "extraSlow",
    blacklist: "blacklist",
    max_pixels: "maxPixels",
    allow_img2img: "allowImg2img",
    allow_painting: "allowPainting",
    allow_unsafe_ipaddr: "allowUnsafeIpaddr",
    allow_post_processing: "allowPostProcessing",
    allow_controlnet: "allowControlnet",
    allow_sdxl_controlnet: "allowSdxlControlnet",
    allow_lora: "allowLora",
    limit_max_steps: "limitMaxSteps",
  },
  text: {
    nsfw: "nsfw",
    models: "models",
    max_length: "maxLength",
    max_context_length: "maxContextLength",
    softprompts: "softprompts",
  },
  interrogation: { forms: "forms", max_tiles: "maxTiles" },
};

/** The declaration of a schema-valid pop body (`name` present) for a worker of `type`. */
export function declarationFrom(type: WorkerType, body: Record<string, unknown>): WorkerDeclaration {
  const decl: Record<string, unknown> = { ...DECLARATION_DEFAULTS, type, name: body.name as string };
  for (const [wire, field] of Object.entries({ ...COMMON_FIELDS, ...TYPE_FIELDS[type] })) {
    const value = body[wire];
    const dflt = DECLARATION_DEFAULTS[field];
    if (Array.isArray(dflt) ? Array.isArray(value) : typeof value === typeof dflt) decl[field] = value;
  }
  return decl as unknown as WorkerDeclaration;
}
