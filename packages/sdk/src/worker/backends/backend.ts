// What a worker backend is — a local server that generates (AUTOMATIC1111/Forge, ComfyUI, KoboldCpp, an
// OpenAI-compatible completions server) turned into the worker's `generate` — and the HTTP they share.
// fetch only, like the rest of horde-sdk/worker.
import type { Clock } from "../../core/clock.js";
import { HordeBackendError } from "../../core/errors.js";
import type { FetchLike } from "../../http/transport.js";

/**
 * The bridge agent of image backends: reGen's capabilities up to version 4 (img2img, inpainting, karras,
 * hires fix, tiling, clip skip, r2, the samplers, LoRAs and TIs — LoRAs stay refused by `allow_lora`), without
 * the later extra source images (remix), Stable Cascade 2-pass, QR-code workflows, layer diffusion and Flux,
 * which the backends cannot do (docs/server/workers.md#bridge-capabilities). A worker serving a Flux model
 * needs `bridgeAgent` ≥ 9.
 */
export const BACKEND_IMAGE_BRIDGE_AGENT =
  "AI Horde Worker reGen:4.0.0:https://www.npmjs.com/package/horde-sdk";

/** The options every backend takes. */
export interface BackendOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:7860`. */
  url: string;
  /** A fetch implementation (default: the global fetch). */
  fetch?: FetchLike;
}

/** The options of backends that poll their server while a job runs. */
export interface PollingBackendOptions extends BackendOptions {
  /** Waits between polls (default: the wall clock). */
  clock?: Clock;
  /** How often to ask the server how the job is going (default 1000 ms). */
  progressIntervalMs?: number;
}

/**
 * Which of the backend's models serves a horde model: one name for every model, a map from horde model
 * name to the backend's name, or nothing (the backend's own default).
 */
export type BackendModel = string | Readonly<Record<string, string>>;

/** The backend's name for `hordeModel`, or undefined when the option does not say. */
export function backendModelFor(option: BackendModel | undefined, hordeModel: string): string | undefined {
  if (option === undefined) return undefined;
  return typeof option === "string" ? option : option[hordeModel];
}

/** HTTP to one backend server: JSON in and out, failures as HordeBackendError naming the server. */
export class BackendHttp {
  readonly #fetch: FetchLike;
  readonly #base: string;

  constructor(
    readonly name: string,
    baseUrl: string,
    fetch: FetchLike | undefined,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    this.#fetch = fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#base = baseUrl.replace(/\/+$/, "");
  }

  url(path: string, query?: Record<string, string>): string {
    const search = query ? `?${new URLSearchParams(query).toString()}` : "";
    return `${this.#base}${path}${search}`;
  }

  /** Send a JSON body (or none) and read the answer; an error status rejects with the server's message. */
  async json(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal?: AbortSignal,
    query?: Record<string, string>,
  ): Promise<unknown> {
    return this.#readJson(path, await this.open(method, path, body, signal, query));
  }

  /** POST a multipart form (an upload); the answer's JSON. */
  async form(path: string, form: FormData, signal?: AbortSignal): Promise<unknown> {
    const init: RequestInit = { method: "POST", body: form, headers: { ...this.headers }, signal };
    return this.#readJson(path, await this.#checked("POST", path, this.url(path), init));
  }

  /** GET bytes (an image). */
  async bytes(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Uint8Array> {
    const init: RequestInit = { method: "GET", headers: { ...this.headers }, signal };
    const response = await this.#checked("GET", path, this.url(path, query), init);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Send a JSON body (or none); the answer unread (a stream), once its status is a success. */
  open(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal?: AbortSignal,
    query?: Record<string, string>,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    const init: RequestInit = { method, headers, signal };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    return this.#checked(method, path, this.url(path, query), init);
  }

  /** The body as JSON; an empty body is null, a body that is not JSON rejects. */
  async #readJson(path: string, response: Response): Promise<unknown> {
    const text = await response.text();
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw unexpected(this.name, `${path} is not JSON (${text.trim().slice(0, 80)})`);
    }
  }

  async #checked(method: string, path: string, url: string, init: RequestInit): Promise<Response> {
    const response = await this.#exchange(method, url, init, init.signal ?? undefined);
    if (!response.ok) await this.#refuse(method, path, response);
    return response;
  }

  async #exchange(method: string, url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    try {
      return await this.#fetch(url, { ...init, method });
    } catch (error) {
      // The job's own abort (ttl, stop) is not the backend's fault: hand its reason on as is.
      if (signal?.aborted) throw signal.reason;
      throw new HordeBackendError(
        `${this.name} at ${this.#base} does not answer (${method} ${new URL(url).pathname}: ${causeOf(error)})`,
        this.name,
        null,
        { cause: error },
      );
    }
  }

  async #refuse(method: string, path: string, response: Response): Promise<never> {
    const text = await response.text().catch(() => "");
    let said = text.trim().slice(0, 300);
    try {
      said = messageOf(JSON.parse(text)) ?? said;
    } catch {
      // not JSON: the text itself
    }
    throw new HordeBackendError(
      `${this.name}: ${method} ${path} answered HTTP ${response.status}${said ? `: ${said}` : ""}`,
      this.name,
      response.status,
    );
  }
}

/** The message of an error body, as each server shapes it. */
export function messageOf(body: unknown): string | undefined {
  if (typeof body === "string") return body;
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  // OpenAI-style and ComfyUI: {error: {message, details}}; A1111: {error, detail, errors}; FastAPI: {detail}.
  if (typeof b.error === "object" && b.error !== null) {
    const e = b.error as Record<string, unknown>;
    const message = typeof e.message === "string" ? e.message : undefined;
    const details = typeof e.details === "string" && e.details !== "" ? e.details : undefined;
    if (message) return details ? `${message}: ${details}` : message;
  }
  if (typeof b.detail === "string" && b.detail !== "") return b.detail;
  if (Array.isArray(b.detail)) {
    const first = b.detail[0] as { loc?: unknown[]; msg?: unknown } | undefined;
    if (first && typeof first.msg === "string") {
      return Array.isArray(first.loc) ? `${first.loc.join(".")}: ${first.msg}` : first.msg;
    }
  }
  if (typeof b.detail === "object" && b.detail !== null) {
    const msg = (b.detail as Record<string, unknown>).msg;
    if (typeof msg === "string") return msg;
  }
  if (typeof b.errors === "string" && b.errors !== "") return b.errors;
  if (typeof b.error === "string" && b.error !== "") return b.error;
  if (typeof b.message === "string" && b.message !== "") return b.message;
  return undefined;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** A thing the backend answered that is not what its API promises. */
export function unexpected(backend: string, what: string): HordeBackendError {
  return new HordeBackendError(`${backend}: unexpected answer: ${what}`, backend);
}

/**
 * Poll `read` every `intervalMs` until `signal` aborts (the job's request is done); errors are dropped,
 * since progress is only a nicety. `onValue` gets every answer.
 */
export async function pollProgress<T>(
  clock: Clock,
  intervalMs: number,
  signal: AbortSignal,
  read: (signal: AbortSignal) => Promise<T>,
  onValue: (value: T) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await clock.sleep(intervalMs, signal);
      onValue(await read(signal));
    } catch {
      // aborted, or a failed progress read: the job itself decides
    }
  }
}
