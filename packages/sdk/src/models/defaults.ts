// The server's runtime defaults, where they differ from the defaults the contract documents (ai-horde-api §0.1,
// §1.1, §5.1, §6, §12).
//
// Decision: the SDK sends exactly the fields you set. It never injects a default, so a request's `toJSON()`
// is what you wrote and what goes over the wire, and the emulator sees the same document. The price is that
// an omitted field gets the server's RUNTIME default (its request parser's), which is not always the one the
// contract documents: this table says which, so you can decide what to send explicitly. The SDK's own
// lifecycles send what they rely on explicitly; worker code should send every capability flag.

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
