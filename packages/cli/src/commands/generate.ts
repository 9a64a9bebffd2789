import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Emulator, EmulatorOptions } from "horde-emulator";
import {
  AIHordeAPIClient,
  type AIHordeClientOptions,
  type GenerateImageOptions,
  type GenerateImageResult,
  HordeAbortError,
  HordeTimeoutError,
  type ImageGenerateAsyncPayload,
  type Logger,
  setModelLogger,
} from "horde-sdk";
import { type Config, redact, resolveConfig } from "../config.js";
import { CliError, ExitCode, toCliError, UsageError } from "../errors.js";
import type { RuntimeIO } from "../io.js";
import { createProgress, type ProgressMode } from "../output/progress.js";
import { ensureOutDir, jsonResult, saveImages } from "../output/save.js";
import {
  collect,
  decimalIn,
  dimension,
  httpUrl,
  integerIn,
  nonEmptyText,
  seconds as secondsArg,
} from "../parse.js";

export const SAMPLERS = [
  "k_lms",
  "k_heun",
  "k_euler",
  "k_euler_a",
  "k_dpm_2",
  "k_dpm_2_a",
  "k_dpm_fast",
  "k_dpm_adaptive",
  "k_dpmpp_2s_a",
  "k_dpmpp_2m",
  "dpmsolver",
  "k_dpmpp_sde",
  "DDIM",
  "lcm",
] as const;

/** The part of `AIHordeAPIClient` the command uses (tests may pass a fake). */
export type ImageJobClient = Pick<AIHordeAPIClient, "generateImage">;

/** The in-process emulator, as far as the CLI uses it. */
export type LocalEmulator = Pick<Emulator, "fetch" | "close">;

/** Factories the command uses; tests may replace them (e.g. to keep a handle on the emulator). */
export interface GenerateDeps {
  createClient(options: AIHordeClientOptions): ImageJobClient;
  createEmulator(options: EmulatorOptions): Promise<LocalEmulator>;
}

export const defaultDeps: GenerateDeps = {
  createClient: (options) => new AIHordeAPIClient(options),
  async createEmulator(options) {
    // Loaded on demand: the emulator (hono, sharp) is only needed with --local.
    const { createEmulator } = await import("horde-emulator");
    return createEmulator(options);
  },
};

/** Parsed flags of `horde generate`. */
export interface GenerateFlags {
  local?: boolean;
  out: string;
  count: number;
  width: number;
  height: number;
  model?: string[];
  steps: number;
  seed?: string;
  sampler?: string;
  cfgScale?: number;
  negative?: string;
  allowDowngrade?: boolean;
  timeout?: number;
  waitForWorker?: boolean;
  json?: boolean;
  url?: string;
  apiKey?: string;
  clientAgent?: string;
}

export interface CommandContext {
  io: RuntimeIO;
  deps: GenerateDeps;
  version: string;
  /** Where the action stores its exit code. */
  exitCode: number;
}

export function registerGenerate(program: Command, ctx: CommandContext): Command {
  return program
    .command("generate")
    .description("generate images from a text prompt and save them as WebP files")
    .argument("<prompt...>", "what to draw (several words are joined with spaces)")
    .option("--local", "run on an in-process emulator with one dev worker (offline, no kudos)")
    .option("-o, --out <dir>", "folder for the images and their .json sidecars (created if missing)", ".")
    .option("-n, --count <N>", "number of images, 1-20", integerIn(1, 20), 1)
    .option("--width <px>", "width, a multiple of 64 from 64 to 3072", dimension, 512)
    .option("--height <px>", "height, a multiple of 64 from 64 to 3072", dimension, 512)
    .option("-m, --model <name>", "model to use; repeat (or use commas) to allow several", collect)
    .option("--steps <N>", "sampling steps, 1-500", integerIn(1, 500), 30)
    .option("--seed <seed>", "seed (any text; digits are used as a number)", nonEmptyText)
    .addOption(new Option("--sampler <name>", "sampler").choices(SAMPLERS))
    .option("--cfg-scale <x>", "classifier-free guidance scale, 0-100", decimalIn(0, 100))
    .option("--negative <text>", "negative prompt (what not to draw)", nonEmptyText)
    .option("--allow-downgrade", "let the horde shrink the size/steps instead of asking for kudos upfront")
    .option("--timeout <seconds>", "give up (and cancel the job) after this many seconds", secondsArg)
    .option("--wait-for-worker", "keep waiting when no worker can serve the request (default: fail at once)")
    .option("--json", "print one JSON document with the results on stdout, nothing else")
    .option("--url <url>", "API base URL (env HORDE_URL, default https://aihorde.net/api)", httpUrl)
    .option("--api-key <key>", "API key (env HORDE_API_KEY, default the anonymous key 0000000000)")
    .option("--client-agent <agent>", "Client-Agent header, name:version:contact (env HORDE_CLIENT_AGENT)")
    .addHelpText(
      "after",
      [
        "",
        "Images are saved as <out>/<id>-<n>.webp with a sidecar <out>/<id>-<n>.json (seed, model, worker,",
        "censorship, prompt); their paths are printed one per line. Progress goes to stderr.",
        "",
        "Examples:",
        '  horde generate "a lighthouse at dusk, oil painting" --local --out pictures',
        '  horde generate "a red fox" -n 2 --width 768 --height 512 --model "AlbedoBase XL (SDXL)"',
        '  HORDE_API_KEY=... horde generate "a castle" --json',
      ].join("\n"),
    )
    .action(async (words: string[], flags: GenerateFlags) => {
      ctx.exitCode = await runGenerate(words.join(" "), flags, ctx.io, ctx.deps, ctx.version);
    });
}

type ImageParams = NonNullable<ImageGenerateAsyncPayload["params"]>;

function buildPayload(prompt: string, flags: GenerateFlags): ImageGenerateAsyncPayload {
  const params: ImageParams = {
    width: flags.width,
    height: flags.height,
    steps: flags.steps,
    n: flags.count,
  };
  if (flags.seed !== undefined) params.seed = flags.seed;
  if (flags.sampler !== undefined) params.sampler_name = flags.sampler as ImageParams["sampler_name"];
  if (flags.cfgScale !== undefined) params.cfg_scale = flags.cfgScale;
  const payload: ImageGenerateAsyncPayload = {
    prompt: flags.negative !== undefined ? `${prompt} ### ${flags.negative}` : prompt,
    params,
    r2: true,
  };
  if (flags.model && flags.model.length > 0) payload.models = flags.model;
  if (flags.allowDowngrade) payload.allow_downgrade = true;
  return payload;
}

function describeJob(flags: GenerateFlags, config: Config): string {
  const model = flags.model && flags.model.length > 0 ? `, ${flags.model.join(" | ")}` : "";
  const where = config.local ? "local emulator" : new URL(config.baseUrl).host;
  return `${flags.width}x${flags.height}, ${flags.steps} steps${model}, on ${where}`;
}

function progressMode(io: RuntimeIO, json: boolean): ProgressMode {
  if (io.stderr.isTTY) return "tty";
  return json ? "none" : "plain";
}

/** A logger that keeps the SDK quiet (the CLI reports errors itself) but remembers the last warning. */
function quietLogger(): Logger & { lastWarning: string | undefined } {
  const logger = {
    lastWarning: undefined as string | undefined,
    debug() {},
    info() {},
    warn(message: string) {
      logger.lastWarning = message;
    },
    error(message: string) {
      logger.lastWarning = message;
    },
  };
  return logger;
}

/** Runs `horde generate`; returns the exit code. Never throws. */
export async function runGenerate(
  rawPrompt: string,
  flags: GenerateFlags,
  io: RuntimeIO,
  deps: GenerateDeps,
  version: string,
): Promise<number> {
  let apiKey = "";
  const fail = (err: CliError): number => {
    io.stderr.write(`horde: ${redact(err.message, apiKey)}\n`);
    return err.exitCode;
  };

  // 1. Everything that can be checked before anything is sent.
  let config: Config;
  let payload: ImageGenerateAsyncPayload;
  try {
    const prompt = rawPrompt.trim();
    if (prompt === "") throw new UsageError("the prompt is empty");
    if (flags.negative !== undefined && prompt.includes("###")) {
      throw new UsageError("the prompt already has a negative part after ###; drop --negative or merge it");
    }
    if (flags.local && flags.url !== undefined) {
      throw new UsageError("--local and --url cannot be used together");
    }
    config = resolveConfig(flags, io.env, version);
    apiKey = config.apiKey;
    if (!config.local) {
      try {
        httpUrl(config.baseUrl);
      } catch {
        throw new UsageError(`HORDE_URL is not an http(s) URL: ${config.baseUrl}`);
      }
    }
    payload = buildPayload(prompt, flags);
  } catch (err) {
    return fail(toCliError(err, { baseUrl: "", local: flags.local === true }));
  }

  const cwd = io.cwd;
  try {
    await ensureOutDir(resolve(cwd, flags.out));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail(new UsageError(`cannot create the --out folder ${flags.out}: ${why}`));
  }

  // 2. Submit, follow and download.
  const json = flags.json === true;
  const progress = createProgress(progressMode(io, json), io.stderr);
  const logger = quietLogger();
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
    io.stderr.write(
      `horde: interrupted${jobId ? `; job ${jobId} may still be running on the server` : ""}\n`,
    );
    hardStop(ExitCode.Interrupted);
    io.exit(ExitCode.Interrupted);
  });

  // Model-level warnings (e.g. a generation without an id) would otherwise go to the console mid-progress.
  const previousModelLogger = setModelLogger(logger);
  let emulator: LocalEmulator | undefined;
  const errorContext = () => ({
    baseUrl: config.baseUrl,
    local: config.local,
    jobId,
    timeoutSeconds: flags.timeout,
    lastWarning: logger.lastWarning,
  });
  try {
    const timeoutMs = flags.timeout !== undefined ? Math.max(1, Math.round(flags.timeout * 1000)) : undefined;
    const clientOptions: AIHordeClientOptions = {
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      clientAgent: config.clientAgent,
      logger,
    };
    // Per HTTP attempt: the SDK's 30 s, or less when the whole run must end sooner.
    if (timeoutMs !== undefined) clientOptions.timeoutMs = Math.min(timeoutMs, 30_000);
    if (config.local) {
      // The emulator's own warnings would tear the progress output; the CLI reports what matters.
      emulator = await deps.createEmulator({ devWorkers: 1, logger: {} });
      clientOptions.fetch = emulator.fetch;
    }
    const client = deps.createClient(clientOptions);
    const job = progress.startJob(flags.count, describeJob(flags, config));
    const options: GenerateImageOptions = {
      signal: controller.signal,
      download: true,
      onSubmitted: (response) => {
        jobId = response.id;
        job.submitted(response.id);
      },
      onProgress: (event) => {
        jobId = event.id;
        job.update(event);
      },
    };
    if (!flags.waitForWorker) options.failWhenImpossible = true;
    // --timeout bounds the whole run, submit included (the SDK's own job timeout starts after the submit):
    // abort with a HordeTimeoutError as the reason, which the SDK rethrows as is, after cancelling the job.
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        controller.abort(new HordeTimeoutError(`timed out after ${flags.timeout}s`));
      }, timeoutMs);
    }

    let result: GenerateImageResult;
    try {
      const outcome = await Promise.race([client.generateImage(payload, options), stopped]);
      if (typeof outcome === "number") return outcome;
      result = outcome;
    } catch (err) {
      const timedOut = !interrupts && controller.signal.reason instanceof HordeTimeoutError;
      const cancelled = interrupts > 0 || (err instanceof HordeAbortError && !timedOut);
      job.failed(cancelled ? "cancelled" : timedOut ? "timed out" : "failed");
      progress.stop();
      if (timedOut) return fail(toCliError(controller.signal.reason, errorContext()));
      if (cancelled) {
        const which = jobId ? `job ${jobId} was cancelled on the server` : "nothing was queued";
        return fail(new CliError(`cancelled: ${which}`, ExitCode.Interrupted));
      }
      return fail(toCliError(err, errorContext()));
    }
    jobId = result.id;

    const kudos = result.status.kudos ?? undefined;
    let saved: Awaited<ReturnType<typeof saveImages>>;
    try {
      saved = await saveImages(
        flags.out,
        result.id,
        result.images,
        {
          prompt: payload.prompt,
          params: { ...payload.params },
          models: payload.models,
          server: config.local ? "local emulator (--local)" : config.baseUrl,
        },
        cwd,
      );
    } catch (err) {
      job.failed("not saved");
      progress.stop();
      const why = err instanceof Error ? err.message : String(err);
      return fail(new CliError(`cannot save the images of job ${result.id}: ${why}`, ExitCode.JobFailed));
    }
    if (saved.saved.length > 0) job.finished(result.id, kudos);
    else job.failed(result.images.length === 0 ? "no images" : "download failed");
    progress.stop();

    if (json) {
      io.stdout.write(`${JSON.stringify(jsonResult(result.id, saved.saved, kudos))}\n`);
    } else {
      for (const image of saved.saved) io.stdout.write(`${image.path}\n`);
    }
    if (result.images.length === 0) {
      return fail(new CliError(`job ${result.id} finished without images`, ExitCode.JobFailed));
    }
    if (saved.missing.length > 0) {
      const first = result.images[saved.missing[0] ?? 0] as { error?: unknown } | undefined;
      const why = first?.error instanceof Error ? `: ${first.error.message}` : "";
      return fail(
        new CliError(
          `${saved.missing.length} of ${result.images.length} images of job ${result.id} could not be downloaded${why}`,
          ExitCode.Server,
        ),
      );
    }
    return ExitCode.Ok;
  } catch (err) {
    progress.stop();
    return fail(toCliError(err, errorContext()));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    unregister();
    setModelLogger(previousModelLogger);
    if (emulator) {
      try {
        await emulator.close();
      } catch {
        // Closing an in-memory emulator cannot lose anything the user asked for.
      }
    }
  }
}
