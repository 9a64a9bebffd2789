/**
 * Following one job to its end: progress output, `--timeout`, and Ctrl-C — the first press cancels the job on
 * the server (the SDK sends the DELETE before its promise rejects), a second one quits at once.
 */
import type { ImageGenerateAsyncResponse } from "horde-sdk";
import type { Connection } from "./connection.js";
import type { CommandContext } from "./context.js";
import { CliError, ExitCode, toCliError } from "./errors.js";
import { loadSdk } from "./lazy.js";
import type { ProgressCheck } from "./output/format.js";
import type { JobProgress, JobUnit, ProgressMode, ProgressOutput } from "./output/progress.js";

/** What the job's run function gets: the abort signal and where to report. */
export interface FollowHooks {
  signal: AbortSignal;
  /** The server accepted the job. */
  submitted(id: string): void;
  /** A progress snapshot arrived. */
  progress(id: string, check: ProgressCheck): void;
}

export interface FollowOptions<R> {
  ctx: CommandContext;
  conn: Connection;
  progress: ProgressOutput;
  /** Results expected (images, texts, forms): the bar's total. */
  total: number;
  /** Describes the job on its bar / submitted line: `512x512, 30 steps, on local emulator`. */
  label: string;
  /** What the job produces (default images). */
  unit?: JobUnit;
  /** The kind of job, for the wording of errors (default image). */
  kind?: "image" | "text" | "alchemy";
  /** `--timeout`, in seconds: bounds the whole run, submit included. */
  timeoutSeconds?: number | undefined;
  run(hooks: FollowHooks): Promise<R>;
}

export type FollowOutcome<R> =
  | { ok: true; result: R; job: JobProgress; jobId: string | undefined }
  | { ok: false; code: number };

/** A live display on a terminal, plain lines in logs, pipes and dumb terminals, nothing with `--json` in a pipe. */
export function progressMode(ctx: CommandContext, json: boolean): ProgressMode {
  if (ctx.io.stderr.isTTY && ctx.io.env.TERM !== "dumb") return "tty";
  return json ? "none" : "plain";
}

/** Prints the server's warnings about a request it accepted (`horde: warning: … (code)`) above the progress. */
export function logWarnings(
  progress: ProgressOutput,
  warnings: ImageGenerateAsyncResponse["warnings"],
): void {
  for (const w of warnings ?? []) {
    if (w.message) progress.log(`horde: warning: ${w.message}${w.code ? ` (${w.code})` : ""}`);
  }
}

/** Prints `horde: <message>` and returns the exit code. */
export function fail(ctx: CommandContext, err: CliError): number {
  ctx.io.stderr.write(`horde: ${err.message}\n`);
  return err.exitCode;
}

export async function followJob<R>(options: FollowOptions<R>): Promise<FollowOutcome<R>> {
  const { HordeAbortError, HordeTimeoutError } = await loadSdk();
  const { ctx, conn, progress } = options;
  const io = ctx.io;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let jobId: string | undefined;
  let interrupts = 0;
  let hardStop: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolveStop) => {
    hardStop = resolveStop;
  });
  const unregister = io.onSigint(() => {
    interrupts += 1;
    if (interrupts === 1) {
      if (io.stderr.isTTY) {
        const which = jobId ? `job ${jobId}` : "the job";
        progress.log(`horde: cancelling ${which} on the server… (press Ctrl-C again to quit now)`);
      }
      controller.abort();
      return;
    }
    progress.stop();
    const left = conn.jobStore ? "; 'horde resume' collects it" : "";
    io.stderr.write(
      `horde: interrupted${jobId ? `; job ${jobId} may still be running on the server${left}` : ""}\n`,
    );
    hardStop(ExitCode.Interrupted);
    io.exit(ExitCode.Interrupted);
  });
  const job = progress.startJob(options.total, options.label, options.unit);
  const errorContext = () =>
    conn.errorContext({ jobId, timeoutSeconds: options.timeoutSeconds, kind: options.kind ?? "image" });
  try {
    if (options.timeoutSeconds !== undefined) {
      const ms = Math.max(1, Math.round(options.timeoutSeconds * 1000));
      // Abort with a HordeTimeoutError as the reason: the SDK rethrows it as is, after cancelling the job.
      timer = setTimeout(() => {
        controller.abort(new HordeTimeoutError(`timed out after ${options.timeoutSeconds}s`));
      }, ms);
    }
    const hooks: FollowHooks = {
      signal: controller.signal,
      submitted(id) {
        jobId = id;
        job.submitted(id);
      },
      progress(id, check) {
        jobId = id;
        job.update({ id, check });
      },
    };
    try {
      const outcome = await Promise.race([options.run(hooks), stopped]);
      if (typeof outcome === "number") return { ok: false, code: outcome };
      return { ok: true, result: outcome as R, job, jobId };
    } catch (err) {
      const timedOut = !interrupts && controller.signal.reason instanceof HordeTimeoutError;
      const cancelled = interrupts > 0 || (err instanceof HordeAbortError && !timedOut);
      job.failed(cancelled ? "cancelled" : timedOut ? "timed out" : "failed");
      progress.stop();
      if (timedOut)
        return { ok: false, code: fail(ctx, toCliError(controller.signal.reason, errorContext())) };
      if (cancelled) {
        const which = jobId ? `job ${jobId} was cancelled on the server` : "nothing was queued";
        return { ok: false, code: fail(ctx, new CliError(`cancelled: ${which}`, ExitCode.Interrupted)) };
      }
      return { ok: false, code: fail(ctx, toCliError(err, errorContext())) };
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    unregister();
  }
}
