/**
 * The parser's runtime defaults (docs/server/quirks.md#runtime-defaults) for the fields image and text
 * requests share. They differ from
 * the swagger's defaults in places, so they are applied here, not taken from the schema.
 */
import type { GenRequestBase } from "../store/requests.js";

export const bool = (v: unknown, dflt: boolean): boolean => (typeof v === "boolean" ? v : dflt);
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The input fields that go straight into the stored request, and those the pipeline reads. */
export interface CommonRequestInput
  extends Pick<
    GenRequestBase,
    | "prompt"
    | "models"
    | "trustedWorkers"
    | "slowWorkers"
    | "extraSlowWorkers"
    | "workers"
    | "workerBlacklist"
    | "disableBatching"
    | "webhook"
  > {
  /** The request's `params` without `n`, as sent. */
  params: Record<string, unknown>;
  n: number;
  dryRun: boolean;
  proxiedAccount?: string;
  allowDowngrade: boolean;
  style?: string;
  extraSourceImages: unknown[];
}

/** A schema-valid body with the shared defaults; `defaultModels` is the kind's (images name one, text any). */
export function commonInput(
  body: Record<string, unknown>,
  defaultModels: readonly string[],
): CommonRequestInput {
  const params = { ...((body.params as Record<string, unknown> | undefined) ?? {}) };
  const n = typeof params.n === "number" ? params.n : 1;
  delete params.n;
  return {
    // The parser requires a prompt (the HTTP layer refuses a body without one).
    prompt: str(body.prompt) ?? "",
    params,
    n,
    models: Array.isArray(body.models) ? (body.models as string[]) : [...defaultModels],
    trustedWorkers: bool(body.trusted_workers, false),
    slowWorkers: bool(body.slow_workers, true),
    extraSlowWorkers: bool(body.extra_slow_workers, false),
    // Only the first 5 workers are kept (docs/server/image-requests.md#submit).
    workers: Array.isArray(body.workers) ? (body.workers as string[]).slice(0, 5) : [],
    workerBlacklist: bool(body.worker_blacklist, false),
    dryRun: bool(body.dry_run, false),
    proxiedAccount: str(body.proxied_account),
    disableBatching: bool(body.disable_batching, false),
    allowDowngrade: bool(body.allow_downgrade, false),
    webhook: str(body.webhook),
    style: str(body.style),
    extraSourceImages: Array.isArray(body.extra_source_images) ? body.extra_source_images : [],
  };
}
