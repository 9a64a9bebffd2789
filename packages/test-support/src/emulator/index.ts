/**
 * What the emulator's suites share: an emulator on a manual virtual clock with a requester and a worker
 * owner, and one call per endpoint (`setup()`); strict schema conformance; the example corpus of
 * horde_sdk for response shapes. Import from `horde-test-support/emulator`.
 */
import { createEmulator, type EmulatorOptions, silentLogger, VirtualClock } from "horde-emulator";
import { withStrictValidation } from "horde-sdk";

export { CORPUS, corpusExample, corpusPresent, extraKeys, keyPaths, missingKeys } from "./corpus.js";

export const ORIGIN = "http://horde.local";
export const REGEN = "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";

/** Response bodies are read loosely in tests: the assertions are the type checks. */
// biome-ignore lint/suspicious/noExplicitAny: dynamic JSON under test
export type Json = any;

export interface ApiResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  body?: unknown;
  /** Sent verbatim instead of JSON.stringify(body). */
  rawBody?: string;
  apikey?: string;
  headers?: Record<string, string>;
}

/**
 * An emulator on a manual virtual clock, with a requester and a worker owner. Rate limits and the
 * server's response caches are off unless asked for: most tests fire many requests at one virtual
 * instant, and read what they just changed.
 */
export function setup(options: EmulatorOptions = {}) {
  const clock = options.clock instanceof VirtualClock ? options.clock : new VirtualClock();
  const emu = createEmulator({
    logger: silentLogger,
    rateLimits: false,
    responseCache: false,
    ...options,
    clock,
  });
  const requester = emu.admin.createUser({ username: "alice", kudos: 100 });
  const owner = emu.admin.createUser({ username: "bob", trusted: true });

  async function call<T = Json>(method: string, path: string, o: CallOptions = {}): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.apikey !== undefined) headers.apikey = o.apikey;
    let body: string | undefined;
    if (o.rawBody !== undefined || o.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = o.rawBody ?? JSON.stringify(o.body);
    }
    const url = path.startsWith("http") ? path : `${ORIGIN}${path.startsWith("/_") ? "" : "/api"}${path}`;
    const res = await emu.fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** Submits an image request as alice (or with `apikey`). */
  const generate = (body: Record<string, unknown> = {}, apikey = requester.apikey) =>
    call("POST", "/v2/generate/async", { apikey, body: { prompt: "a lighthouse at dusk", ...body } });

  /** Pops as bob's worker with a known r2-capable bridge. */
  const pop = (body: Record<string, unknown> = {}, apikey = owner.apikey) =>
    call("POST", "/v2/generate/pop", {
      apikey,
      body: { name: "test-worker", models: ["stable_diffusion"], bridge_agent: REGEN, ...body },
    });

  const submit = (body: Record<string, unknown>, apikey = owner.apikey) =>
    call("POST", "/v2/generate/submit", { apikey, body: { generation: "R2", seed: 1, ...body } });

  const check = (id: string) => call("GET", `/v2/generate/check/${id}`);
  const status = (id: string) => call("GET", `/v2/generate/status/${id}`);
  const cancel = (id: string) => call("DELETE", `/v2/generate/status/${id}`);

  /** PUTs bytes to a presigned URL. */
  const put = (url: string, bytes: Uint8Array) =>
    emu.fetch(url, {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { "Content-Type": "image/webp" },
    });

  // Text (docs/server/text.md#text).
  const textGenerate = (body: Record<string, unknown> = {}, apikey = requester.apikey) =>
    call("POST", "/v2/generate/text/async", { apikey, body: { prompt: "Once upon a time", ...body } });
  const textPop = (body: Record<string, unknown> = {}, apikey = owner.apikey) =>
    call("POST", "/v2/generate/text/pop", {
      apikey,
      body: {
        name: "text-worker",
        models: ["koboldcpp/LLaMA2-13B-Psyfighter2"],
        bridge_agent: TEXT_BRIDGE,
        ...body,
      },
    });
  const textSubmit = (body: Record<string, unknown>, apikey = owner.apikey) =>
    call("POST", "/v2/generate/text/submit", { apikey, body: { generation: "The end.", ...body } });
  const textStatus = (id: string) => call("GET", `/v2/generate/text/status/${id}`);
  const textCancel = (id: string) => call("DELETE", `/v2/generate/text/status/${id}`);

  // Alchemy (docs/server/alchemy.md#alchemy).
  const interrogate = (body: Record<string, unknown> = {}, apikey = requester.apikey) =>
    call("POST", "/v2/interrogate/async", {
      apikey,
      body: { forms: [{ name: "caption" }], source_image: TINY_WEBP.toString("base64"), ...body },
    });
  const alchemyPop = (body: Record<string, unknown> = {}, apikey = owner.apikey) =>
    call("POST", "/v2/interrogate/pop", {
      apikey,
      body: {
        name: "alchemist",
        forms: ["caption", "nsfw", "RealESRGAN_x2plus"],
        bridge_agent: REGEN,
        ...body,
      },
    });
  const alchemySubmit = (body: Record<string, unknown>, apikey = owner.apikey) =>
    call("POST", "/v2/interrogate/submit", { apikey, body: { result: { caption: "a cat" }, ...body } });
  const alchemyStatus = (id: string) => call("GET", `/v2/interrogate/status/${id}`);
  const alchemyCancel = (id: string) => call("DELETE", `/v2/interrogate/status/${id}`);

  return {
    clock,
    emu,
    requester,
    owner,
    call,
    generate,
    pop,
    submit,
    check,
    status,
    cancel,
    put,
    textGenerate,
    textPop,
    textSubmit,
    textStatus,
    textCancel,
    interrogate,
    alchemyPop,
    alchemySubmit,
    alchemyStatus,
    alchemyCancel,
  };
}

export const TEXT_BRIDGE = "KoboldCppEmbedWorker:1.0.0:https://github.com/LostRuins/koboldcpp";

interface StrictSchema {
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}

/**
 * The problems of a response body under the SDK's schema in strict mode (unknown fields rejected), as
 * "path: message" lines; [] when it conforms. Use as `expect(conformance(schemas.X, body)).toEqual([])`.
 */
export function conformance(schema: unknown, body: unknown): string[] {
  const result = withStrictValidation(() => (schema as StrictSchema).safeParse(body));
  if (result.success) return [];
  return (result.error?.issues ?? []).map((i) => `${i.path.map(String).join(".")}: ${i.message}`);
}

/** A tiny valid WebP (1×1), for submits whose bytes do not matter. */
export const TINY_WEBP = Buffer.from("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA", "base64");
