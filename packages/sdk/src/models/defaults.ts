// The server's runtime defaults, where they differ from the defaults the contract documents
// (docs/server/quirks.md#runtime-defaults,
// docs/server/image-requests.md#submit, docs/server/workers.md#pop, docs/server/README.md#text-and-alchemy,
// docs/server/quirks.md#swagger-vs-server).
//
// Decision: a request's `toJSON()` is exactly what you wrote. On the wire (`body()`), the client-side submits
// (image and text async) also state the server's RUNTIME defaults for the fields where they differ from the
// documented ones, so the document sent says what will happen (the same as omitting them today). Worker pops
// send what you set; worker code should send every capability flag (the SDK's HordeWorker does).

/** One field whose runtime default differs from its documented one. */
export interface RuntimeDefault<T = unknown> {
  /** What the server uses when the field is omitted. */
  readonly runtime: T;
  /** What the contract documents (`swaggerDefaults`); `undefined` when it documents none. */
  readonly documented: T | undefined;
  readonly note?: string;
}

/** Body definition -> field -> its runtime and documented defaults (only fields where they differ). */
export const SERVER_RUNTIME_DEFAULTS = {
  GenerationInputStable: {
    nsfw: { runtime: true, documented: false, note: "only NSFW-capable workers may take the job" },
    censor_nsfw: { runtime: true, documented: false },
    validated_backends: { runtime: false, documented: true, note: "no effect on images" },
    models: { runtime: ["stable_diffusion"], documented: undefined, note: "send [] for any model" },
  },
  ModelGenerationInputStable: {
    cfg_scale: { runtime: 5, documented: 7.5 },
    karras: { runtime: true, documented: false },
  },
  GenerationInputKobold: {
    validated_backends: { runtime: false, documented: true },
    models: { runtime: [], documented: undefined, note: "any model" },
  },
  PopInputStable: {
    nsfw: { runtime: true, documented: false, note: "a worker that omits it is given NSFW jobs" },
    extra_slow_worker: { runtime: false, documented: true },
    allow_controlnet: { runtime: false, documented: true },
    allow_sdxl_controlnet: { runtime: false, documented: true },
    allow_lora: { runtime: false, documented: true },
    limit_max_steps: { runtime: false, documented: true },
  },
  PopInputKobold: {
    nsfw: { runtime: true, documented: false },
    extra_slow_worker: { runtime: false, documented: true },
  },
  InterrogationPopInput: {
    max_tiles: { runtime: 80, documented: 16 },
  },
} as const satisfies Record<string, Record<string, RuntimeDefault>>;

/** A literal default widened to the field's type (`true` -> boolean, `readonly ["a"]` -> string[]). */
type Widen<V> = V extends boolean
  ? boolean
  : V extends number
    ? number
    : V extends string
      ? string
      : V extends readonly (infer E)[]
        ? Widen<E>[]
        : V;

type Defaults = typeof SERVER_RUNTIME_DEFAULTS;

/**
 * The runtime defaults of a body definition as plain values, e.g. to make them explicit:
 * `new ImageGenerateJobPopRequest({ ...runtimeDefaultsOf("PopInputStable"), name, models })`.
 */
export function runtimeDefaultsOf<D extends keyof Defaults>(
  definition: D,
): { [K in keyof Defaults[D]]: Widen<Defaults[D][K] extends { runtime: infer V } ? V : never> } {
  const fields = SERVER_RUNTIME_DEFAULTS[definition] as Record<string, RuntimeDefault>;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, structuredClone(v.runtime)])) as {
    [K in keyof Defaults[D]]: Widen<Defaults[D][K] extends { runtime: infer V } ? V : never>;
  };
}

/**
 * `body` with the runtime defaults of `definition` (and of its `params`, when `paramsDefinition` is given)
 * filled in where the caller left a field out. Used by the client-side submit requests: the wire then says
 * what the server will do — the same as omitting the field today, and still the same if the server's parser
 * defaults ever move towards the documented ones.
 */
export function withExplicitRuntimeDefaults(
  body: Record<string, unknown>,
  definition: keyof Defaults,
  paramsDefinition?: keyof Defaults,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...runtimeDefaultsOf(definition), ...body };
  if (paramsDefinition) {
    const params = (body.params ?? {}) as Record<string, unknown>;
    out.params = { ...runtimeDefaultsOf(paramsDefinition), ...params };
  }
  return out;
}
