// Text through KoboldCpp's KoboldAI API (`POST /api/v1/generate`), which the horde's text payload was made
// for: the sampler fields keep their names. As KoboldCpp's own horde worker does, each job carries a
// `genkey` starting with `HORDEREQ_`, by which `/api/extra/generate/check` gives its partial text (the
// progress) and `/api/extra/abort` stops it. A busy server (503) is asked again until the job runs out of time.
import { systemClock } from "../../core/clock.js";
import { HordeBackendError } from "../../core/errors.js";
import type * as schemas from "../../models/generated/schemas.js";
import type {
  BackendInfo,
  GenerateContext,
  TextBackend,
  TextGenerateOutput,
  TextWorkerJob,
} from "../types.js";
import { BackendHttp, type PollingBackendOptions, pollProgress, unexpected } from "./backend.js";

/** Options of `koboldcppBackend(options)`: the server's URL, the common backend options and how often to poll for progress. */
export type KoboldcppBackendOptions = PollingBackendOptions;

/** The payload fields KoboldCpp's generate reads (koboldcpp.py `generate`), sent under the same names. */
export const KOBOLDCPP_FIELDS = [
  "max_context_length",
  "max_length",
  "temperature",
  "top_p",
  "top_k",
  "top_a",
  "typical",
  "tfs",
  "min_p",
  "rep_pen",
  "rep_pen_range",
  "rep_pen_slope",
  "sampler_order",
  "stop_sequence",
  "use_default_badwordsids",
  "dynatemp_range",
  "dynatemp_exponent",
  "smoothing_factor",
] as const satisfies readonly (keyof schemas.ModelPayloadKobold)[];

/** The KoboldCpp backend of a text worker. */
export function koboldcppBackend(options: KoboldcppBackendOptions): TextBackend {
  const http = new BackendHttp("koboldcpp", options.url, options.fetch);
  const clock = options.clock ?? systemClock;
  const intervalMs = options.progressIntervalMs ?? 1000;

  async function generate(job: TextWorkerJob, context: GenerateContext): Promise<TextGenerateOutput> {
    const { signal } = context;
    const genkey = `HORDEREQ_${job.id}`;
    const body = { ...koboldcppPayload(job.payload, job.maxLength), genkey };
    const progress = new AbortController();
    void pollProgress(
      clock,
      intervalMs,
      progress.signal,
      (s) => http.json("POST", "/api/extra/generate/check", { genkey }, s),
      (json) => {
        const partial = textOf(json);
        // The horde counts a token as four characters (docs/server/text.md#reward).
        if (partial) {
          const tokens = Math.ceil(partial.length / 4);
          context.progress({
            fraction: Math.min(1, tokens / job.maxLength),
            step: tokens,
            steps: job.maxLength,
            stage: "generating",
          });
        }
      },
    );
    try {
      for (;;) {
        try {
          const answer = await http.json("POST", "/api/v1/generate", body, signal);
          const text = textOf(answer);
          if (text === undefined) throw unexpected("koboldcpp", "no results[0].text in the answer");
          return { text };
        } catch (error) {
          // 503: the server is busy with someone else's generation; ask again.
          if (!(error instanceof HordeBackendError && error.status === 503)) throw error;
          await clock.sleep(intervalMs, signal);
        }
      }
    } catch (error) {
      if (signal.aborted) {
        void http.json("POST", "/api/extra/abort", { genkey }, AbortSignal.timeout(5000)).catch(() => {});
      }
      throw error;
    } finally {
      progress.abort();
    }
  }

  async function probe(signal?: AbortSignal): Promise<BackendInfo> {
    const model = (await http.json("GET", "/api/v1/model", undefined, signal)) as { result?: unknown } | null;
    if (typeof model?.result !== "string") throw unexpected("koboldcpp", "/api/v1/model has no result");
    const value = async (path: string) => {
      const json = (await http.json("GET", path, undefined, signal).catch(() => null)) as {
        value?: unknown;
      } | null;
      return typeof json?.value === "number" && json.value > 0 ? json.value : undefined;
    };
    const maxContextLength = await value("/api/extra/true_max_context_length");
    const maxLength = await value("/api/v1/config/max_length");
    return {
      models: [model.result],
      ...(maxContextLength !== undefined ? { maxContextLength } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
    };
  }

  return { kind: "text", name: "koboldcpp", url: options.url, generate, probe };
}

/** The body of `/api/v1/generate` for a job's payload (without `genkey`). */
export function koboldcppPayload(p: schemas.ModelPayloadKobold, maxLength: number): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt: p.prompt ?? "" };
  for (const field of KOBOLDCPP_FIELDS) {
    const value = p[field];
    if (value !== undefined && value !== null) body[field] = value;
  }
  body.max_length = maxLength;
  return body;
}

function textOf(json: unknown): string | undefined {
  const results = (json as { results?: unknown } | null)?.results;
  const text = Array.isArray(results) ? (results[0] as { text?: unknown } | undefined)?.text : undefined;
  return typeof text === "string" ? text : undefined;
}
