import { createEmulator, type EmulatorOptions, silentLogger, VirtualClock } from "horde-emulator";

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

/** An emulator on a manual virtual clock, with a requester and a worker owner. */
export function setup(options: EmulatorOptions = {}) {
  const clock = options.clock instanceof VirtualClock ? options.clock : new VirtualClock();
  const emu = createEmulator({ logger: silentLogger, ...options, clock });
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

  return { clock, emu, requester, owner, call, generate, pop, submit, check, status, cancel, put };
}

/** A tiny valid WebP (1×1), for submits whose bytes do not matter. */
export const TINY_WEBP = Buffer.from("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA", "base64");
