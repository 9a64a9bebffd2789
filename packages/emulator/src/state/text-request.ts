/**
 * A text request (§6.1): the common waiting-prompt fields plus the Kobold params. Runtime defaults are
 * the parser's: `models: []` (any model), `validated_backends` false, `max_length` 80,
 * `max_context_length` 2048, `n` 1.
 */
import type { GenRequestBase } from "./requests.js";

export interface TextParams {
  max_length: number;
  max_context_length: number;
  stop_sequence?: string[];
  sampler_order?: number[];
  [key: string]: unknown;
}

export interface TextRequest extends GenRequestBase {
  kind: "text";
  params: TextParams;
  softprompt?: string;
  validatedBackends: boolean;
}

export interface TextRequestInput {
  prompt: string | undefined;
  params: TextParams;
  n: number;
  models: string[];
  softprompt?: string;
  trustedWorkers: boolean;
  validatedBackends: boolean;
  slowWorkers: boolean;
  extraSlowWorkers: boolean;
  workers: string[];
  workerBlacklist: boolean;
  dryRun: boolean;
  proxiedAccount?: string;
  extraSourceImages: unknown[];
  disableBatching: boolean;
  allowDowngrade: boolean;
  webhook?: string;
  style?: string;
}

const bool = (v: unknown, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export const DEFAULT_MAX_LENGTH = 80;
export const DEFAULT_MAX_CONTEXT_LENGTH = 2048;

export function withTextDefaults(body: Record<string, unknown>): TextRequestInput {
  const raw = { ...((body.params as Record<string, unknown> | undefined) ?? {}) };
  const n = typeof raw.n === "number" ? raw.n : 1;
  delete raw.n;
  return {
    prompt: str(body.prompt),
    params: {
      ...raw,
      max_length: typeof raw.max_length === "number" ? raw.max_length : DEFAULT_MAX_LENGTH,
      max_context_length:
        typeof raw.max_context_length === "number" ? raw.max_context_length : DEFAULT_MAX_CONTEXT_LENGTH,
    },
    n,
    // §6.1: text `models` default to [] (any model).
    models: Array.isArray(body.models) ? (body.models as string[]) : [],
    softprompt: str(body.softprompt),
    trustedWorkers: bool(body.trusted_workers, false),
    validatedBackends: bool(body.validated_backends, false),
    slowWorkers: bool(body.slow_workers, true),
    extraSlowWorkers: bool(body.extra_slow_workers, false),
    workers: Array.isArray(body.workers) ? (body.workers as string[]).slice(0, 5) : [],
    workerBlacklist: bool(body.worker_blacklist, false),
    dryRun: bool(body.dry_run, false),
    proxiedAccount: str(body.proxied_account),
    extraSourceImages: Array.isArray(body.extra_source_images) ? body.extra_source_images : [],
    disableBatching: bool(body.disable_batching, false),
    allowDowngrade: bool(body.allow_downgrade, false),
    webhook: str(body.webhook),
    style: str(body.style),
  };
}
