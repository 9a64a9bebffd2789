import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type {
  GenerateImageOptions,
  GenerateImageResult,
  ImageGenerateAsyncPayload,
  ImageGenerateAsyncResponse,
} from "horde-sdk";
import { KNOWN_SAMPLERS } from "horde-sdk/known";
import type { Config } from "../config.js";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { readImageArg } from "../files.js";
import { fail, followJob, logWarnings, progressMode } from "../follow.js";
import { createProgress } from "../output/progress.js";
import {
  ensureOutDir,
  jsonResult,
  type OutputFormat,
  type SidecarRequest,
  saveImages,
} from "../output/save.js";
import {
  collect,
  decimalIn,
  dimension,
  integerIn,
  type LoraArg,
  lora,
  nonEmptyText,
  seconds as secondsArg,
  size as sizeArg,
} from "../parse.js";

export type { CliDeps as GenerateDeps, LocalEmulator } from "../context.js";
export { defaultDeps } from "../context.js";

/** The samplers `--sampler` offers: the contract's (from `horde-sdk/known`, which loads no zod). */
export const SAMPLERS = KNOWN_SAMPLERS;

export const SOURCE_PROCESSING = ["img2img", "inpainting", "outpainting", "remix"] as const;

/** Parsed flags of `horde generate`. */
export interface GenerateFlags extends ConnectionFlags {
  out: string;
  format: OutputFormat;
  count: number;
  width?: number;
  height?: number;
  size?: { width: number; height: number };
  model?: string[];
  steps: number;
  seed?: string;
  sampler?: string;
  cfgScale?: number;
  clipSkip?: number;
  karras?: boolean;
  hiresFix?: boolean;
  tiling?: boolean;
  negative?: string;
  lora?: LoraArg[];
  postProcess?: string[];
  facefixerStrength?: number;
  image?: string;
  mask?: string;
  extraImage?: string[];
  sourceProcessing?: (typeof SOURCE_PROCESSING)[number];
  denoise?: number;
  nsfw?: boolean;
  censor?: boolean;
  r2: boolean;
  worker?: string[];
  excludeWorker?: string[];
  trustedWorkers?: boolean;
  allowDowngrade?: boolean;
  dryRun?: boolean;
  waitForWorker?: boolean;
  /** false with `--no-store`. */
  store: boolean;
}

export function registerGenerate(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("generate")
    .description("generate images from a text prompt and save them (WebP, or PNG with --format png)")
    .argument("<prompt...>", "what to draw (several words are joined with spaces)")
    .option("--local", "run on an in-process emulator with a dev worker (offline, no kudos)")
    .option("-o, --out <dir>", "folder for the images and their .json sidecars (created if missing)", ".")
    .addOption(new Option("--format <format>", "image file format").choices(["webp", "png"]).default("webp"))
    .option("-n, --count <N>", "number of images, 1-20", integerIn(1, 20), 1)
    .option("--width <px>", "width, a multiple of 64 from 64 to 3072 (default 512)", dimension)
    .option("--height <px>", "height, a multiple of 64 from 64 to 3072 (default 512)", dimension)
    .option("-s, --size <WxH>", "width and height at once, e.g. 768x512", sizeArg)
    .option("-m, --model <name>", "model to use; repeat (or use commas) to allow several", collect)
    .option("--steps <N>", "sampling steps, 1-500", integerIn(1, 500), 30)
    .option("--seed <seed>", "seed (any text; digits are used as a number)", nonEmptyText)
    .addOption(new Option("--sampler <name>", "sampler").choices(SAMPLERS))
    .option("--cfg-scale <x>", "classifier-free guidance scale, 0-100", decimalIn(0, 100))
    .option("--clip-skip <N>", "CLIP layers to skip, 1-12", integerIn(1, 12))
    .option("--no-karras", "do not use the Karras noise schedule")
    .option("--hires-fix", "two-pass generation for large images")
    .option("--tiling", "make the image tile seamlessly")
    .option("--negative <text>", "negative prompt (what not to draw)", nonEmptyText)
    .option("--lora <name[:model[:clip]]>", "a LoRA by name or CivitAI id, strengths -5..5; repeatable", lora)
    .option(
      "--post-process <name>",
      "post-processor (e.g. RealESRGAN_x4plus, GFPGAN, CodeFormers, strip_background); repeatable",
      collect,
    )
    .option("--facefixer-strength <x>", "face fixer strength, 0-1", decimalIn(0, 1))
    .option("-i, --image <file|url>", "source image for img2img (PNG, JPEG or WebP file, or an http(s) URL)")
    .option("--mask <file|url>", "inpainting mask (implies --source-processing inpainting)")
    .option("--extra-image <file|url>", "extra source image, e.g. for remix; repeatable", collectRaw)
    .addOption(
      new Option("--source-processing <mode>", "what to do with --image (default img2img)").choices(
        SOURCE_PROCESSING,
      ),
    )
    .option(
      "--denoise <x>",
      "img2img denoising strength, 0.01-1 (how far to move from --image)",
      decimalIn(0.01, 1),
    )
    .option("--nsfw", "allow NSFW results (nsfw: true, no censoring)")
    .option("--censor", "a SFW request: censor any NSFW result (censor_nsfw: true)")
    .option("--no-r2", "have the images sent inline (base64) instead of as R2 download links")
    .option("--worker <id>", "only these workers may serve the request; repeatable", collect)
    .option("--exclude-worker <id>", "these workers may not serve the request; repeatable", collect)
    .option("--trusted-workers", "only trusted workers may serve the request")
    .option("--allow-downgrade", "let the horde shrink the size/steps instead of asking for kudos upfront")
    .option("--dry-run", "print what the request would cost in kudos; nothing is queued")
    .option("--timeout <seconds>", "give up (and cancel the job) after this many seconds", secondsArg)
    .option("--wait-for-worker", "keep waiting when no worker can serve the request (default: fail at once)")
    .option(
      "--no-store",
      "do not keep the job in the job store (then a killed run cannot be resumed with 'horde resume')",
    )
    .option("--json", "print one JSON document with the results on stdout, nothing else");
  addConnectionOptions(cmd)
    .addHelpText(
      "after",
      [
        "",
        "Images are saved as <out>/<id>-<n>.webp (or .png) with a sidecar <out>/<id>-<n>.json (seed, model,",
        "worker, censorship, prompt); their paths are printed one per line. Progress goes to stderr.",
        "The job is kept in the job store (jobs.json beside the config file) until its images are saved, so",
        "a run that is killed can be finished with 'horde resume' (see 'horde jobs'); not with --local.",
        "",
        "Examples:",
        '  horde generate "a lighthouse at dusk, oil painting" --local --out pictures',
        '  horde generate "a red fox" -n 2 --size 768x512 --model "AlbedoBase XL (SDXL)"',
        '  horde generate "same scene, in winter" --image photo.png --denoise 0.6',
        '  horde generate "a castle" --steps 50 --size 1024x1024 --dry-run',
        '  HORDE_API_KEY=... horde generate "a castle" --json',
      ].join("\n"),
    )
    .action(async (words: string[], flags: GenerateFlags) => {
      ctx.exitCode = await runGenerate(words.join(" "), flags, ctx);
    });
  return cmd;
}

/** Like `collect` but without splitting on commas (file names and URLs may contain them). */
function collectRaw(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

type ImageParams = NonNullable<ImageGenerateAsyncPayload["params"]>;

/** Checks the flags against each other, before anything is read or sent. */
function checkFlags(prompt: string, flags: GenerateFlags): void {
  if (prompt === "") throw new UsageError("the prompt is empty");
  if (flags.negative !== undefined && prompt.includes("###")) {
    throw new UsageError("the prompt already has a negative part after ###; drop --negative or merge it");
  }
  if (flags.local && flags.url !== undefined) {
    throw new UsageError("--local and --url cannot be used together");
  }
  if (flags.size && (flags.width !== undefined || flags.height !== undefined)) {
    throw new UsageError("--size cannot be combined with --width or --height");
  }
  if (flags.nsfw && flags.censor) {
    throw new UsageError("--nsfw and --censor contradict each other; pick one");
  }
  if (flags.worker && flags.excludeWorker) {
    throw new UsageError("--worker and --exclude-worker cannot be used together");
  }
  if (flags.image === undefined) {
    for (const [flag, given] of [
      ["--mask", flags.mask],
      ["--denoise", flags.denoise],
      ["--source-processing", flags.sourceProcessing],
    ] as const) {
      if (given !== undefined) throw new UsageError(`${flag} needs a source image (--image)`);
    }
  }
  const mode = flags.sourceProcessing;
  if (flags.mask !== undefined && mode !== undefined && mode !== "inpainting" && mode !== "outpainting") {
    throw new UsageError(`--mask is for inpainting or outpainting, not ${mode}`);
  }
  if (flags.sourceProcessing === "remix" && flags.denoise !== undefined) {
    throw new UsageError("--denoise has no effect with remix; drop it");
  }
}

/** The POST /v2/generate/async body, without the images (they are read later). */
export function buildPayload(prompt: string, flags: GenerateFlags): ImageGenerateAsyncPayload {
  const width = flags.size?.width ?? flags.width ?? 512;
  const height = flags.size?.height ?? flags.height ?? 512;
  const params: ImageParams = { width, height, steps: flags.steps, n: flags.count };
  if (flags.seed !== undefined) params.seed = flags.seed;
  if (flags.sampler !== undefined) params.sampler_name = flags.sampler as ImageParams["sampler_name"];
  if (flags.cfgScale !== undefined) params.cfg_scale = flags.cfgScale;
  if (flags.clipSkip !== undefined) params.clip_skip = flags.clipSkip;
  if (flags.karras === false) params.karras = false;
  if (flags.hiresFix) params.hires_fix = true;
  if (flags.tiling) params.tiling = true;
  if (flags.lora && flags.lora.length > 0) params.loras = flags.lora.map((l) => ({ ...l }));
  if (flags.postProcess && flags.postProcess.length > 0) {
    params.post_processing = [...new Set(flags.postProcess)] as ImageParams["post_processing"];
  }
  if (flags.facefixerStrength !== undefined) params.facefixer_strength = flags.facefixerStrength;
  if (flags.denoise !== undefined) params.denoising_strength = flags.denoise;
  const payload: ImageGenerateAsyncPayload = {
    prompt: flags.negative !== undefined ? `${prompt} ### ${flags.negative}` : prompt,
    params,
    r2: flags.r2 !== false,
  };
  if (flags.model && flags.model.length > 0) payload.models = flags.model;
  if (flags.allowDowngrade) payload.allow_downgrade = true;
  if (flags.nsfw) {
    payload.nsfw = true;
    payload.censor_nsfw = false;
  }
  if (flags.censor) {
    payload.nsfw = false;
    payload.censor_nsfw = true;
  }
  if (flags.worker) payload.workers = flags.worker;
  if (flags.excludeWorker) {
    payload.workers = flags.excludeWorker;
    payload.worker_blacklist = true;
  }
  if (flags.trustedWorkers) payload.trusted_workers = true;
  if (flags.image !== undefined) {
    payload.source_processing =
      flags.sourceProcessing ?? (flags.mask !== undefined ? "inpainting" : "img2img");
  }
  return payload;
}

/** Reads --image, --mask and --extra-image into the payload (exit 2 for a missing or unreadable file). */
async function addImages(
  payload: ImageGenerateAsyncPayload,
  flags: GenerateFlags,
  cwd: string,
): Promise<void> {
  if (flags.image !== undefined) payload.source_image = await readImageArg(flags.image, "--image", cwd);
  if (flags.mask !== undefined) payload.source_mask = await readImageArg(flags.mask, "--mask", cwd);
  if (flags.extraImage && flags.extraImage.length > 0) {
    payload.extra_source_images = [];
    for (const file of flags.extraImage) {
      payload.extra_source_images.push({ image: await readImageArg(file, "--extra-image", cwd) });
    }
  }
}

function describeJob(payload: ImageGenerateAsyncPayload, config: Config): string {
  const p = payload.params ?? {};
  const model = payload.models && payload.models.length > 0 ? `, ${payload.models.join(" | ")}` : "";
  const source = payload.source_processing ? `, ${payload.source_processing}` : "";
  const where = config.local ? "local emulator" : new URL(config.baseUrl).host;
  return `${p.width}x${p.height}, ${p.steps} steps${model}${source}, on ${where}`;
}

/** Runs `horde generate`; returns the exit code. Never throws. */
export async function runGenerate(
  rawPrompt: string,
  flags: GenerateFlags,
  ctx: CommandContext,
): Promise<number> {
  const io = ctx.io;
  const prompt = rawPrompt.trim();
  let payload: ImageGenerateAsyncPayload;
  try {
    checkFlags(prompt, flags);
    payload = buildPayload(prompt, flags);
  } catch (err) {
    return fail(ctx, err instanceof CliError ? err : new UsageError(String(err)));
  }
  if (flags.model && flags.worker) {
    // Haidra-Org/AI-Horde#539: a request with both may never be served when the worker lacks the model.
    io.stderr.write(
      "horde: warning: --worker and --model together: the request waits if that worker lacks the model\n",
    );
  }
  const prepare = async () => {
    await addImages(payload, flags, io.cwd);
    if (flags.dryRun) return;
    try {
      await ensureOutDir(resolve(io.cwd, flags.out));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new UsageError(`cannot create the --out folder ${flags.out}: ${why}`);
    }
  };
  const connect = { devWorkers: [{ type: "image" as const }], prepare, jobStore: flags.store !== false };
  return withConnection(ctx, flags, connect, (conn) =>
    flags.dryRun ? dryRun(ctx, conn, payload, flags) : generate(ctx, conn, payload, flags),
  );
}

async function dryRun(
  ctx: CommandContext,
  conn: Connection,
  payload: ImageGenerateAsyncPayload,
  flags: GenerateFlags,
): Promise<number> {
  const kudos = await conn.client.estimateImageKudos(payload);
  if (flags.json) {
    ctx.io.stdout.write(`${JSON.stringify({ dry_run: true, kudos })}\n`);
  } else {
    const n = payload.params?.n ?? 1;
    ctx.io.stdout.write(
      `${kudos} kudos for ${n} image${n === 1 ? "" : "s"} (${describeJob(payload, conn.config)}); nothing was queued\n`,
    );
  }
  return ExitCode.Ok;
}

async function generate(
  ctx: CommandContext,
  conn: Connection,
  payload: ImageGenerateAsyncPayload,
  flags: GenerateFlags,
): Promise<number> {
  const io = ctx.io;
  const json = flags.json === true;
  const progress = createProgress(progressMode(ctx, json), io.stderr);
  const total = payload.params?.n ?? 1;
  const outcome = await followJob<GenerateImageResult>({
    ctx,
    conn,
    progress,
    total,
    label: describeJob(payload, conn.config),
    timeoutSeconds: flags.timeout,
    run: (hooks) => {
      const options: GenerateImageOptions = {
        signal: hooks.signal,
        download: true,
        // What 'horde resume' needs to save the images as this run would have.
        meta: {
          out: resolve(ctx.io.cwd, flags.out),
          format: flags.format,
          request: sidecarRequest(payload, conn),
        },
        onSubmitted: (response: ImageGenerateAsyncResponse) => {
          hooks.submitted(response.id);
          if (!json) logWarnings(progress, response.warnings);
        },
        onProgress: (event) => hooks.progress(event.id, event.progress),
      };
      if (!flags.waitForWorker) options.failWhenImpossible = true;
      // --timeout bounds the whole run (see followJob); the SDK's own job timeout stays its 20 minutes.
      return conn.client.generateImage(payload, options);
    },
  });
  if (!outcome.ok) return outcome.code;
  const { result, job } = outcome;

  const kudos = result.status.kudos ?? undefined;
  let saved: Awaited<ReturnType<typeof saveImages>>;
  try {
    saved = await saveImages(
      flags.out,
      result.id,
      result.images,
      sidecarRequest(payload, conn),
      io.cwd,
      flags.format,
    );
  } catch (err) {
    job.failed("not saved");
    progress.stop();
    const why = err instanceof Error ? err.message : String(err);
    return fail(ctx, new CliError(`cannot save the images of job ${result.id}: ${why}`, ExitCode.JobFailed));
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
    return fail(ctx, new CliError(`job ${result.id} finished without images`, ExitCode.JobFailed));
  }
  if (saved.missing.length > 0) {
    const first = result.images[saved.missing[0] ?? 0] as { error?: unknown } | undefined;
    const why = first?.error instanceof Error ? `: ${first.error.message}` : "";
    return fail(
      ctx,
      new CliError(
        `${saved.missing.length} of ${result.images.length} images of job ${result.id} could not be downloaded${why}`,
        ExitCode.Server,
      ),
    );
  }
  return ExitCode.Ok;
}

/** What an image's sidecar says of its request. */
function sidecarRequest(payload: ImageGenerateAsyncPayload, conn: Connection): SidecarRequest {
  return {
    prompt: payload.prompt,
    params: { ...payload.params },
    models: payload.models,
    server: conn.config.local ? "local emulator (--local)" : conn.config.baseUrl,
    extra: sidecarExtra(payload),
  };
}

/** Request fields besides prompt/params/models that explain an image (never the source images themselves). */
function sidecarExtra(payload: ImageGenerateAsyncPayload): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (payload.source_processing) extra.source_processing = payload.source_processing;
  if (payload.nsfw !== undefined) extra.nsfw = payload.nsfw;
  if (payload.censor_nsfw !== undefined) extra.censor_nsfw = payload.censor_nsfw;
  if (payload.workers) extra.workers = payload.workers;
  if (payload.allow_downgrade) extra.allow_downgrade = true;
  return extra;
}
