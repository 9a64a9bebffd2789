// Text through an OpenAI-compatible completions API (`POST /v1/completions`), as llama.cpp's server, vLLM and
// Ollama serve it. The answer is streamed (server-sent events), which gives progress — chunks so far against
// `max_tokens` — and lets an abort stop the generation: the servers drop a request whose client went away.
// Besides OpenAI's fields, the sampler settings the horde carries go out under the names llama.cpp's server
// reads (`top_k`, `min_p`, `typical_p`, `repeat_penalty`, `repeat_last_n`, `dynatemp_*`; its
// tools/server/README.md) and vLLM's `repetition_penalty`; a server ignores the names it does not know.
import { HordeBackendError } from "../../core/errors.js";
import type * as schemas from "../../models/generated/schemas.js";
import type {
  BackendInfo,
  GenerateContext,
  TextBackend,
  TextGenerateOutput,
  TextWorkerJob,
} from "../types.js";
import {
  BackendHttp,
  type BackendModel,
  type BackendOptions,
  backendModelFor,
  messageOf,
  unexpected,
} from "./backend.js";

export interface OpenaiBackendOptions extends BackendOptions {
  /**
   * The server's model name (`model` of the request) for each horde model: one for all, or a map. Default:
   * the one model the server lists (`/v1/models`), else the horde model's name.
   */
  model?: BackendModel;
  /** Sent as `Authorization: Bearer …` to the server (and nowhere else). */
  apiKey?: string;
  /** Stream the answer (default true): progress, and an abort stops the generation. */
  stream?: boolean;
}

/** The OpenAI-compatible completions backend of a text worker. */
export function openaiBackend(options: OpenaiBackendOptions): TextBackend {
  // Accept the server's root or its `/v1` base, as OpenAI clients are configured.
  const root = options.url.replace(/\/+$/, "").replace(/\/v1$/, "");
  const headers: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};
  const http = new BackendHttp("openai", root, options.fetch, headers);
  const stream = options.stream ?? true;
  let served: Promise<string[]> | undefined;

  async function modelFor(model: string): Promise<string> {
    const chosen = backendModelFor(options.model, model);
    if (chosen !== undefined) return chosen;
    served ??= listModels().catch(() => []);
    const list = await served;
    return list.length === 1 ? (list[0] as string) : model;
  }

  async function listModels(signal?: AbortSignal): Promise<string[]> {
    const json = (await http.json("GET", "/v1/models", undefined, signal)) as { data?: unknown } | null;
    if (!json || !Array.isArray(json.data)) throw unexpected("openai", "/v1/models has no data list");
    return json.data
      .map((m) => (m as { id?: unknown }).id)
      .filter((id): id is string => typeof id === "string");
  }

  async function generate(job: TextWorkerJob, context: GenerateContext): Promise<TextGenerateOutput> {
    const body = { ...openaiPayload(job.payload, job.maxLength), model: await modelFor(job.model), stream };
    if (!stream) {
      const answer = await http.json("POST", "/v1/completions", body, context.signal);
      return { text: choiceText(answer) };
    }
    const response = await http.open("POST", "/v1/completions", body, context.signal);
    return { text: await readStream(response, job.maxLength, context) };
  }

  async function probe(signal?: AbortSignal): Promise<BackendInfo> {
    served = undefined;
    const json = (await http.json("GET", "/v1/models", undefined, signal)) as { data?: unknown } | null;
    if (!json || !Array.isArray(json.data)) throw unexpected("openai", "/v1/models has no data list");
    const models = json.data as { id?: unknown; max_model_len?: unknown }[];
    // vLLM says its context per model; llama.cpp's server says it in /props.
    let maxContextLength = models.map((m) => m.max_model_len).find((n): n is number => typeof n === "number");
    if (maxContextLength === undefined) {
      const props = (await http.json("GET", "/props", undefined, signal).catch(() => null)) as {
        default_generation_settings?: { n_ctx?: unknown };
      } | null;
      const nCtx = props?.default_generation_settings?.n_ctx;
      if (typeof nCtx === "number" && nCtx > 0) maxContextLength = nCtx;
    }
    return {
      models: models.map((m) => m.id).filter((id): id is string => typeof id === "string"),
      ...(maxContextLength !== undefined ? { maxContextLength } : {}),
    };
  }

  return { kind: "text", name: "openai", url: options.url, generate, probe };
}

/** The body of `/v1/completions` for a job's payload (without `model` and `stream`). */
export function openaiPayload(p: schemas.ModelPayloadKobold, maxLength: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: p.prompt ?? "",
    max_tokens: maxLength,
    // The horde gives every job of a request its own id: one completion each.
    n: 1,
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) body[key] = value;
  };
  set("temperature", p.temperature);
  set("top_p", p.top_p);
  if (p.stop_sequence && p.stop_sequence.length > 0) body.stop = p.stop_sequence;
  set("top_k", p.top_k);
  set("min_p", p.min_p);
  set("typical_p", p.typical);
  set("repeat_penalty", p.rep_pen);
  set("repetition_penalty", p.rep_pen);
  set("repeat_last_n", p.rep_pen_range);
  set("dynatemp_range", p.dynatemp_range);
  set("dynatemp_exponent", p.dynatemp_exponent);
  return body;
}

function choiceText(answer: unknown): string {
  const choices = (answer as { choices?: unknown } | null)?.choices;
  const text = Array.isArray(choices) ? (choices[0] as { text?: unknown } | undefined)?.text : undefined;
  if (typeof text !== "string") throw unexpected("openai", "no choices[0].text in the completion");
  return text;
}

/**
 * Read a server-sent event stream of completion chunks (`data: {choices: [{text}]}`, ended by
 * `data: [DONE]`), reporting the chunks received against `maxTokens` (one chunk is about one token).
 */
async function readStream(response: Response, maxTokens: number, context: GenerateContext): Promise<string> {
  if (!response.body) throw unexpected("openai", "a streamed completion without a body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let chunks = 0;
  const onEvent = (event: string): boolean => {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart())
      .join("\n");
    if (data === "") return false;
    if (data === "[DONE]") return true;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw unexpected("openai", `a stream event that is not JSON (${data.slice(0, 80)})`);
    }
    const failed = messageOf(chunk);
    if ((chunk as { error?: unknown }).error !== undefined) {
      throw new HordeBackendError(`openai: the completion failed: ${failed ?? "no message"}`, "openai");
    }
    const piece = (chunk as { choices?: { text?: unknown }[] }).choices?.[0]?.text;
    if (typeof piece === "string" && piece !== "") {
      text += piece;
      chunks++;
      context.progress({
        fraction: Math.min(1, chunks / Math.max(1, maxTokens)),
        step: chunks,
        steps: maxTokens,
        stage: "generating",
      });
    }
    return false;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const events = buffer.split(/\r?\n\r?\n/);
      buffer = events.pop() ?? "";
      for (const event of events) if (onEvent(event)) return text;
    }
    buffer += decoder.decode();
    if (buffer.trim() !== "") onEvent(buffer);
    return text;
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    throw error;
  } finally {
    // Closing the stream early tells the server to stop generating.
    await reader.cancel().catch(() => {});
  }
}
