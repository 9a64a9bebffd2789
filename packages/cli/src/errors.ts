import type { AIHordeRequestError } from "horde-sdk";
import { loadedSdk, type SdkModule } from "./lazy.js";
import { codeInWarning, describeNetworkFailure, isBlockedPort } from "./network-errors.js";

/** Exit codes of the `horde` command. Scripts may rely on them. */
export const ExitCode = {
  /** Everything worked. */
  Ok: 0,
  /** The job failed: faulted on a worker, impossible, cancelled or expired on the server, or its results could not be saved. */
  JobFailed: 1,
  /** Usage error or bad input (a flag, the payload, the API key); nothing useful can come from retrying as is. */
  Usage: 2,
  /** The server answered with an error, could not be reached, or did not answer in time; retrying later may work. */
  Server: 3,
  /** Interrupted (Ctrl-C); the job was cancelled on the server. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one `horde: <message>` line on stderr, then exits with `exitCode`. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A bad flag or argument, found before anything is sent. */
export class UsageError extends CliError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** Which CLI flag sets a payload field, to name it in error messages. */
const FLAG_OF_FIELD: Record<string, string> = {
  prompt: "<prompt>",
  "params.width": "--width",
  "params.height": "--height",
  "params.steps": "--steps",
  "params.n": "-n",
  "params.seed": "--seed",
  "params.sampler_name": "--sampler",
  "params.cfg_scale": "--cfg-scale",
  "params.clip_skip": "--clip-skip",
  "params.denoising_strength": "--denoise",
  "params.facefixer_strength": "--facefixer-strength",
  "params.post_processing": "--post-process",
  "params.max_length": "--max-length",
  "params.max_context_length": "--max-context",
  "params.temperature": "--temperature",
  "params.top_p": "--top-p",
  "params.top_k": "--top-k",
  "params.rep_pen": "--rep-pen",
  "params.stop_sequence": "--stop",
  source_image: "--image",
  source_mask: "--mask",
  source_processing: "--source-processing",
  workers: "--worker",
  forms: "<form...>",
  models: "--model",
};

function flagFor(field: string): string | undefined {
  if (FLAG_OF_FIELD[field]) return FLAG_OF_FIELD[field];
  if (/^models(\.|\[|$)/.test(field)) return "--model";
  if (/^params\.loras(\.|\[|$)/.test(field)) return "--lora";
  if (/^params\.post_processing(\.|\[|$)/.test(field)) return "--post-process";
  if (/^extra_source_images(\.|\[|$)/.test(field)) return "--extra-image";
  if (/^forms(\.|\[|$)/.test(field)) return "<form...>";
  return undefined;
}

/** Details the mapping needs about the run that failed. */
export interface ErrorContext {
  /** The base URL the client talks to (shown in network errors). */
  baseUrl: string;
  /** The setting that chose the URL (`HORDE_URL`, `--url`, …), to say what to fix; undefined for the default. */
  urlSetting?: string | undefined;
  /** Whether the run used the in-process emulator. */
  local: boolean;
  /** The job id, when the job was submitted. */
  jobId?: string | undefined;
  /** The overall timeout, in seconds, when one was set. */
  timeoutSeconds?: number | undefined;
  /** The SDK's last warning (e.g. a failed attempt it retried), to explain a timeout. */
  lastWarning?: string | undefined;
  /** What kind of job failed (wording of hints); default image. */
  kind?: "image" | "text" | "alchemy" | undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The HTTP 4xx answers that mean "your request is wrong", where retrying the same command cannot help. */
function isBadInput(err: AIHordeRequestError): boolean {
  if (err.status === 400) return err.rc !== "MaintenanceMode";
  if (err.status === 401) return true;
  if (err.status === 403) return err.rc === "KudosUpfront";
  if (err.status === 404) return err.rc !== null && err.rc !== "RequestNotFound";
  return false;
}

function describeRequestError(err: AIHordeRequestError): string {
  const rc = err.rc ?? undefined;
  const server = oneLine(err.message || `HTTP ${err.status}`);
  switch (rc) {
    case "KudosUpfront":
      return (
        `the horde wants kudos upfront for this request (${server}). ` +
        "Lower the cost: a smaller --width/--height (at most 1024x1024, e.g. 512x512), " +
        "fewer --steps (at most 40, e.g. 30) or a smaller -n, or add --allow-downgrade to let the horde shrink it; " +
        "or use an API key with enough kudos (HORDE_API_KEY)"
      );
    case "TooManyPrompts":
      return (
        `too many requests in flight for this account (${server}). ` +
        "The horde caps how many images one account may have queued at once (the anonymous key shares one cap with everyone); " +
        "wait for your other jobs to finish, lower -n, or use your own API key (HORDE_API_KEY)"
      );
    case "InvalidAPIKey":
      return `the API key was rejected (${server}); check HORDE_API_KEY or --api-key`;
    case "MaintenanceMode":
      return `the horde is in maintenance mode (${server}); try again later, or use --local`;
  }
  if (err.status === 429) {
    const wait = err.retryAfterSeconds !== null ? `; retry in ${err.retryAfterSeconds}s` : "";
    return `rate limited by the server (${server})${wait}`;
  }
  const fields = err.errors ? Object.entries(err.errors) : [];
  if (fields.length > 0) {
    const shown = fields
      .slice(0, 3)
      .map(([field, why]) => {
        const flag = flagFor(field);
        return `${field}${flag ? ` (${flag})` : ""}: ${oneLine(why)}`;
      })
      .join("; ");
    return `the server rejected the request: ${shown}`;
  }
  const code = rc ? `${err.status} ${rc}` : `HTTP ${err.status}`;
  const detail = server !== `HTTP ${err.status}` ? `: ${server}` : "";
  const hint =
    err.status === 404 && err.rc === null ? " (is the URL an AI Horde API? It usually ends in /api)" : "";
  return `server error (${code})${detail}${hint}`;
}

/** A URL as it may be shown: no credentials, no query (signed download links carry tokens). */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
  } catch {
    return url;
  }
}

/** Turns anything thrown during a command into the one line and the exit code to report. */
export function toCliError(err: unknown, ctx: ErrorContext): CliError {
  if (err instanceof CliError) return err;
  // No SDK error can exist before a command has loaded the SDK.
  const sdk = loadedSdk();
  if (sdk) return fromSdkError(err, ctx, sdk) ?? unexpected(err);
  return unexpected(err);
}

function unexpected(err: unknown): CliError {
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`unexpected error: ${oneLine(message)}`, ExitCode.JobFailed);
}

/** The line and exit code for an SDK error, or undefined when `err` is none. */
function fromSdkError(err: unknown, ctx: ErrorContext, sdk: SdkModule): CliError | undefined {
  const {
    AIHordeRequestError,
    HordeAbortError,
    HordeConnectionError,
    HordeJobError,
    HordeJobStoreError,
    HordeLostSubmitError,
    HordeTimeoutError,
    HordeValidationError,
  } = sdk;
  const job = ctx.jobId ? `job ${ctx.jobId}` : "the job";
  if (err instanceof HordeValidationError) {
    const issue = err.issues[0];
    const field = err.field;
    const flag = flagFor(field);
    const why = issue ? oneLine(issue.message) : oneLine(err.message);
    const where = field ? `${field}${flag ? ` (${flag})` : ""}` : "request";
    return new CliError(`invalid ${where}: ${why}`, ExitCode.Usage);
  }
  if (err instanceof HordeLostSubmitError) {
    const where = err.key
      ? "'horde jobs' shows it, 'horde resume' looks for it again"
      : "see 'horde user' for your account's requests";
    const running = `the ${err.kind} submit may have reached the server and be running (${err.reason}); ${where}`;
    // What went wrong first (no connection, a 5xx), as that error would read; then where the job went.
    const first = fromSdkError(err.cause, ctx, sdk);
    if (first) return new CliError(`${first.message}; ${running}`, ExitCode.Server);
    return new CliError(`the answer to the ${err.kind} submit was lost; ${running}`, ExitCode.Server);
  }
  if (err instanceof HordeJobStoreError) {
    return new CliError(oneLine(err.message), ExitCode.Usage);
  }
  if (err instanceof AIHordeRequestError) {
    return new CliError(describeRequestError(err), isBadInput(err) ? ExitCode.Usage : ExitCode.Server);
  }
  const target = { url: ctx.baseUrl, urlSetting: ctx.urlSetting, local: ctx.local };
  if (err instanceof HordeConnectionError) {
    // The failing request may be a download from another host (R2): name that host, not the API.
    const url = err.url.startsWith(ctx.baseUrl) ? ctx.baseUrl : err.url;
    return new CliError(
      `cannot reach ${shownUrl(url)}: ${describeNetworkFailure(err, { ...target, url: err.url })}`,
      ExitCode.Server,
    );
  }
  if (err instanceof HordeTimeoutError) {
    const after = ctx.timeoutSeconds !== undefined ? ` after ${ctx.timeoutSeconds}s` : "";
    if (ctx.jobId) {
      return new CliError(
        `timed out${after} waiting for ${job}; it was cancelled on the server`,
        ExitCode.Server,
      );
    }
    // The SDK was retrying a failed connection when time ran out: say why it failed.
    const code = codeInWarning(ctx.lastWarning);
    if (code || isBlockedPort(ctx.baseUrl)) {
      const cause = code ? { code, message: "" } : new Error("bad port");
      const why = describeNetworkFailure(new Error("fetch failed", { cause }), target);
      return new CliError(`cannot reach ${shownUrl(ctx.baseUrl)} (gave up${after}): ${why}`, ExitCode.Server);
    }
    const orLocal = ctx.local ? "" : "; check your network, or try --local for the built-in emulator";
    const what = ctx.kind
      ? `before ${shownUrl(ctx.baseUrl)} accepted the job`
      : `waiting for ${shownUrl(ctx.baseUrl)} to answer`;
    return new CliError(`timed out${after} ${what}${orLocal}`, ExitCode.Server);
  }
  if (err instanceof HordeAbortError) {
    return new CliError(
      ctx.jobId ? `cancelled: job ${ctx.jobId} was cancelled on the server` : "cancelled",
      ExitCode.Interrupted,
    );
  }
  if (err instanceof HordeJobError) {
    const id = err.jobId || ctx.jobId;
    const which = id ? `job ${id}` : "the job";
    switch (err.reason) {
      case "faulted":
        return new CliError(
          `${which} faulted: its workers failed to make it and the horde gave up on it; try again, or another --model`,
          ExitCode.JobFailed,
        );
      case "impossible": {
        const lower =
          ctx.kind === "text"
            ? "a smaller --max-length or --max-context, or another --model"
            : "a smaller size, fewer steps or another --model";
        return new CliError(
          `no worker can serve ${which} right now: try ${lower} (or --wait-for-worker to keep waiting)`,
          ExitCode.JobFailed,
        );
      }
      case "cancelled":
        return new CliError(`${which} was cancelled on the server`, ExitCode.JobFailed);
      case "expired":
        return new CliError(`${which} expired on the server before it finished`, ExitCode.JobFailed);
    }
    return new CliError(`${which} failed: ${oneLine(err.message)}`, ExitCode.JobFailed);
  }
  return undefined;
}
