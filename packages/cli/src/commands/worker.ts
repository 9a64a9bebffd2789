/**
 * `horde worker`: serve jobs from any horde — with the built-in dev generator (`--dev`), by running a
 * command per job (`--exec`), or through a local server (`--backend openai|koboldcpp|a1111|comfyui`).
 * Settings come from flags and a settings file (`--config worker.yaml`, worker-config.ts); flags win.
 * SIGINT/SIGTERM stop it gracefully: no more pops, jobs in flight are finished (a second Ctrl-C faults them
 * so the horde re-queues them at once); no popped job is left to time out.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type {
  AlchemyGenerateOutput,
  AlchemyWorkerJob,
  ComfyWorkflow,
  ComfyWorkflows,
  GenerateContext,
  HordeWorker,
  HordeWorkerOptions,
  HordeWorkerStats,
  ImageModelSource,
  ImageResult,
  ImageWorkerJob,
  TextWorkerJob,
  WorkerBackend,
} from "horde-sdk/worker";
import { ANONYMOUS_API_KEY, type Config } from "../config.js";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, toCliError, UsageError } from "../errors.js";
import { sniffImage } from "../files.js";
import { loadSdk, requireSdk } from "../lazy.js";
import { collect, httpUrl, integerIn, nonEmptyText } from "../parse.js";
import {
  BACKEND_KIND,
  BACKEND_TYPES,
  type BackendSettings,
  type BackendType,
  fileKeyOf,
  type Kind,
  readWorkerConfig,
  WORKER_KINDS,
  type WorkerSettings,
} from "./worker-config.js";

export { WORKER_KINDS } from "./worker-config.js";

/** The key of an OpenAI-compatible server that wants one; never printed. */
export const BACKEND_KEY_ENV = "HORDE_BACKEND_API_KEY";

interface WorkerFlags extends ConnectionFlags {
  config?: string;
  dev?: boolean;
  exec?: string;
  backend?: BackendType;
  backendUrl?: string;
  backendModel?: string[];
  workflow?: string;
  type?: Kind;
  name?: string;
  model?: string[];
  form?: string[];
  maxPixels?: number;
  maxLength?: number;
  maxContext?: number;
  threads?: number;
  amount?: number;
  nsfw: boolean;
  allowLora?: boolean;
  modelReference: boolean;
}

export function registerWorker(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("worker")
    .description("serve jobs from a horde: with the dev generator, a command of yours, or a local server")
    .option("--config <file>", "read the settings from a YAML or JSON file (flags override it)")
    .option("--dev", "generate with the built-in dev generator (test pictures, filler text, fake alchemy)")
    .option("--exec <command>", "run this shell command per job: job JSON on stdin, the result on stdout")
    .addOption(
      new Option(
        "--backend <type>",
        "generate with a local server (text: openai, koboldcpp; image: a1111, comfyui)",
      ).choices(BACKEND_TYPES),
    )
    .option("--backend-url <url>", "the backend server's URL, e.g. http://127.0.0.1:5001", httpUrl)
    .option(
      "--backend-model <name>",
      "the backend's model (checkpoint) for the horde models; repeat as HORDE=BACKEND per model",
      collectRaw,
    )
    .option("--workflow <file>", "comfyui: a workflow (API format, JSON) with {{placeholders}}")
    .addOption(
      new Option("-t, --type <kind>", "which jobs to serve (default: the backend's, else image)").choices(
        WORKER_KINDS,
      ),
    )
    .option(
      "--name <name>",
      "the worker's name on the horde (default horde-cli-<type>-<hostname>)",
      nonEmptyText,
    )
    .option(
      "-m, --model <name>",
      "models served; repeat or use commas (image default stable_diffusion; text: the backend's)",
      collect,
    )
    .option("--form <name>", "alchemy forms served; repeat or use commas (default caption)", collect)
    .option(
      "--max-pixels <N>",
      "largest width×height accepted (image; default 262144 = 512×512)",
      integerIn(4096, 3072 * 3072),
    )
    .option("--max-length <tokens>", "largest max_length accepted (text; default 512)", integerIn(16, 4096))
    .option(
      "--max-context <tokens>",
      "largest context accepted (text; default 2048, or the backend's)",
      integerIn(80, 1_048_576),
    )
    .option("--threads <N>", "jobs worked on at the same time, 1-50 (default 1)", integerIn(1, 50))
    .option(
      "--amount <N>",
      "image jobs asked for per pop: the batch size, 1-20 (default 1)",
      integerIn(1, 20),
    )
    .option("--no-nsfw", "refuse NSFW requests")
    .option("--allow-lora", "accept requests with LoRAs (image)")
    .option(
      "--no-model-reference",
      "image: do not read the AI Horde's model reference (unknown-model warnings, painting only for inpainting models)",
    )
    .option("--json", "print the final statistics as one JSON document on stdout when stopped");
  addConnectionOptions(cmd)
    .addHelpText(
      "after",
      [
        "",
        "Backends: openai (/v1/completions of llama.cpp's server, vLLM, Ollama; a key from HORDE_BACKEND_API_KEY),",
        "koboldcpp (/api/v1/generate), a1111 (AUTOMATIC1111/Forge with --api), comfyui. The worker checks the",
        "backend answers before it pops, and refuses in its pops what the backend cannot do.",
        "",
        "A settings file (--config worker.yaml) holds the same settings under the horde's names: name, type, models,",
        "forms, threads, amount, max_pixels, max_length, max_context_length, nsfw, blacklist, priority_usernames,",
        "allow_img2img, allow_painting, allow_post_processing, allow_controlnet, allow_sdxl_controlnet, allow_lora,",
        "allow_unsafe_ipaddr, limit_max_steps, model_reference, require_upfront_kudos, extra_slow_worker, bridge_agent,",
        "idle_report_seconds, url, dev, exec,",
        "and backend: {type, url, model, workflow}. See docs/guides/running-a-worker.md.",
        "",
        "With --exec, the command gets one JSON document on stdin per image, text or form:",
        '  image:   {"kind":"image","id","index","n","model","prompt","positive_prompt","negative_prompt",',
        '            "width","height","steps","seed","source_processing","source_image","source_mask","payload"}',
        '  text:    {"kind":"text","id","model","prompt","max_length","max_context_length","payload"}',
        '  alchemy: {"kind":"alchemy","id","form","expects_image","source_image","payload"}',
        "and prints the result on stdout: image bytes (WebP, PNG or JPEG; converted to WebP), the text, or",
        "for alchemy the form's value (JSON or plain text) or the processed image. A non-zero exit, empty",
        "output or a timeout reports the job faulted, and the horde gives it to another worker.",
        "Images are base64 in the JSON (source_image, source_mask); null when absent.",
        "",
        "An image worker reads the AI Horde's model reference before its first pop (against a horde on this",
        "machine, the emulator's bundled copy): it warns about models the horde does not know, takes painting",
        "jobs only when it serves an inpainting model (unless allow_painting is set), and hands backends each",
        "model's baseline. --no-model-reference turns that off; a reference that cannot be loaded is only reported.",
        "",
        "While idle it says every minute why no job came (the horde's skip counters). Ctrl-C (or SIGTERM)",
        "stops popping and finishes the jobs in flight; a second Ctrl-C faults them.",
        "",
        "Examples:",
        "  horde worker --backend koboldcpp --backend-url http://127.0.0.1:5001 --url https://aihorde.net/api",
        "  horde worker --backend a1111 --backend-url http://127.0.0.1:7860 --model Deliberate --backend-model deliberate_v3",
        "  horde worker --config worker.yaml",
        "  horde worker --dev --url http://127.0.0.1:7001/api --api-key <key>",
        "  horde worker --exec 'python3 my_generator.py' --model my-model --max-pixels 1048576",
      ].join("\n"),
    )
    .action(async (flags: WorkerFlags, command: Command) => {
      ctx.exitCode = await runWorker(flags, command, ctx);
    });
  return cmd;
}

/** `--backend-model`, kept as given (a name may contain commas): checked once all are read. */
function collectRaw(value: string, previous: string[] | undefined): string[] {
  if (value.trim() === "") throw new InvalidArgumentError("Must not be empty.");
  return [...(previous ?? []), value.trim()];
}

/** `--backend-model NAME` for every model, or `--backend-model HORDE=BACKEND` per model (not both). */
function backendModelOf(values: string[]): string | Record<string, string> {
  const pairs = values.filter((v) => v.includes("="));
  if (pairs.length === 0 && values.length === 1) return values[0] as string;
  if (pairs.length !== values.length) {
    throw new UsageError("--backend-model: give one name for every model, or HORDE=BACKEND for each model");
  }
  return Object.fromEntries(
    pairs.map((p) => {
      const at = p.indexOf("=");
      const [horde, backend] = [p.slice(0, at).trim(), p.slice(at + 1).trim()];
      if (!horde || !backend) throw new UsageError(`--backend-model ${p}: must be HORDE=BACKEND`);
      return [horde, backend];
    }),
  );
}

/** The settings the flags give (only flags on the command line: the file fills the rest). */
function flagSettings(flags: WorkerFlags, command: Command, cwd: string): WorkerSettings {
  const onCommandLine = (key: string) => command.getOptionValueSource(key) === "cli";
  const s: WorkerSettings = {};
  const set = <K extends keyof WorkerSettings>(key: K, value: WorkerSettings[K] | undefined) => {
    if (value !== undefined) s[key] = value;
  };
  set("dev", flags.dev);
  set("exec", flags.exec);
  set("type", flags.type);
  set("name", flags.name);
  set("models", flags.model);
  set("forms", flags.form);
  set("maxPixels", flags.maxPixels);
  set("maxLength", flags.maxLength);
  set("maxContextLength", flags.maxContext);
  set("threads", flags.threads);
  set("amount", flags.amount);
  if (onCommandLine("nsfw")) s.nsfw = flags.nsfw;
  if (flags.allowLora) s.allowLora = true;
  if (onCommandLine("modelReference")) s.modelReference = flags.modelReference;
  set("url", flags.url);
  const backend: BackendSettings = {};
  if (flags.backend !== undefined) backend.type = flags.backend;
  if (flags.backendUrl !== undefined) backend.url = flags.backendUrl;
  if (flags.backendModel !== undefined) backend.model = backendModelOf(flags.backendModel);
  if (flags.workflow !== undefined) backend.workflow = resolve(cwd, flags.workflow);
  if (Object.keys(backend).length > 0) s.backend = backend;
  return s;
}

/** Flags over the file; the backend's fields one by one. */
function merge(file: WorkerSettings, flags: WorkerSettings): WorkerSettings {
  const merged: WorkerSettings = { ...file, ...flags };
  if (file.backend || flags.backend) merged.backend = { ...file.backend, ...flags.backend };
  return merged;
}

/** Checks the merged settings; returns the kind of jobs served. */
function checkSettings(s: WorkerSettings, flags: WorkerSettings, file: string | undefined): Kind {
  const generators = [s.dev && "--dev", s.exec !== undefined && "--exec", s.backend && "--backend"].filter(
    Boolean,
  );
  if (generators.length === 0) {
    throw new UsageError(
      "say how to make results: --dev (built-in generator), --exec '<command>' or --backend <type> (or in --config)",
    );
  }
  if (generators.length > 1) throw new UsageError(`${generators.join(" and ")} cannot be used together`);
  if (s.exec !== undefined && s.exec.trim() === "") throw new UsageError("--exec: the command is empty");
  const b = s.backend;
  if (b) {
    if (b.type === undefined) throw new UsageError(`--backend: say which (${BACKEND_TYPES.join(", ")})`);
    if (b.url === undefined) {
      throw new UsageError(`--backend-url: the ${b.type} server's URL is needed, e.g. http://127.0.0.1:7860`);
    }
    if (b.workflow !== undefined && b.type !== "comfyui") {
      throw new UsageError(`--workflow is for the comfyui backend, not ${b.type}`);
    }
    const serves = BACKEND_KIND[b.type];
    if (s.type !== undefined && s.type !== serves) {
      throw new UsageError(`the ${b.type} backend serves ${serves} jobs, not ${s.type}`);
    }
  }
  const kind = s.type ?? (b?.type ? BACKEND_KIND[b.type] : "image");
  for (const [key, kinds] of Object.entries(KIND_ONLY) as [keyof WorkerSettings, Kind[]][]) {
    if (s[key] === undefined || kinds.includes(kind)) continue;
    const where = flags[key] !== undefined ? FLAG_OF[key] : `${fileKeyOf(key)} in ${file}`;
    throw new UsageError(`${where} is for ${kinds.join("/")} workers, not ${kind}`);
  }
  return kind;
}

/** Settings only some kinds of worker have. */
const KIND_ONLY: Partial<Record<keyof WorkerSettings, Kind[]>> = {
  models: ["image", "text"],
  forms: ["alchemy"],
  maxPixels: ["image"],
  maxLength: ["text"],
  maxContextLength: ["text"],
  maxTiles: ["alchemy"],
  allowImg2img: ["image"],
  allowPainting: ["image"],
  allowPostProcessing: ["image"],
  allowControlnet: ["image"],
  allowSdxlControlnet: ["image"],
  allowLora: ["image"],
  allowUnsafeIpaddr: ["image"],
  limitMaxSteps: ["image"],
  modelReference: ["image"],
};

/** The flag that sets a setting (those that have one). */
const FLAG_OF: Partial<Record<keyof WorkerSettings, string>> = {
  models: "--model",
  forms: "--form",
  maxPixels: "--max-pixels",
  maxLength: "--max-length",
  maxContextLength: "--max-context",
  allowLora: "--allow-lora",
  modelReference: "--no-model-reference",
};

/** A ComfyUI workflow file: JSON, checked by the SDK (its errors name the file). */
async function readWorkflow(path: string): Promise<ComfyWorkflow | ComfyWorkflows> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new UsageError(`--workflow ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  const { checkWorkflows } = await import("horde-sdk/worker");
  try {
    return checkWorkflows(parsed, path);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^Invalid /, "the workflow "));
  }
}

async function runWorker(flags: WorkerFlags, command: Command, ctx: CommandContext): Promise<number> {
  let settings: WorkerSettings = {};
  let kind: Kind = "image";
  let workflow: ComfyWorkflow | ComfyWorkflows | undefined;
  const prepare = async (config: Config) => {
    if (config.local)
      throw new UsageError("a worker serves a real or served horde: give --url (or HORDE_URL)");
    if (config.apiKey === ANONYMOUS_API_KEY) {
      throw new UsageError(
        "the anonymous key cannot run workers: set HORDE_API_KEY or --api-key to your key",
      );
    }
    const w = settings.backend?.workflow;
    if (typeof w === "string") workflow = await readWorkflow(w);
    else if (w !== undefined) {
      const { checkWorkflows } = await import("horde-sdk/worker");
      workflow = checkWorkflows(w, `${flags.config} backend.workflow`);
    }
  };
  try {
    const file = flags.config ? await readWorkerConfig(resolve(ctx.io.cwd, flags.config)) : {};
    const given = flagSettings(flags, command, ctx.io.cwd);
    settings = merge(file, given);
    kind = checkSettings(settings, given, flags.config);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    ctx.io.stderr.write(`horde: ${err.message}\n`);
    return err.exitCode;
  }
  const connectionFlags = { ...flags, ...(settings.url !== undefined ? { url: settings.url } : {}) };
  return withConnection(ctx, connectionFlags, { prepare }, (conn) =>
    serveJobs(ctx, conn, settings, kind, workflow, flags.json === true),
  );
}

/** Runs the command once: writes `input` to its stdin, resolves to its stdout; rejects on a non-zero exit. */
export function execOnce(
  command: string,
  input: string,
  signal: AbortSignal,
  cwd: string,
): Promise<Uint8Array> {
  return new Promise((resolvePromise, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(command, { shell: true, cwd, stdio: ["pipe", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    const onAbort = () => child.kill("SIGTERM");
    signal.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stdin.on("error", () => {}); // a command that does not read its stdin is fine
    child.on("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(new Error(`cannot run '${command}': ${err.message}`));
    });
    child.on("close", (code, sig) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) reject(signal.reason);
      else if (code === 0) resolvePromise(new Uint8Array(Buffer.concat(chunks)));
      else reject(new Error(`'${command}' exited with ${code !== null ? `code ${code}` : `signal ${sig}`}`));
    });
    child.stdin.end(input);
  });
}

/** WebP as is; PNG and JPEG converted to WebP; anything else is an error. */
async function toWebp(bytes: Uint8Array): Promise<Uint8Array> {
  const format = sniffImage(bytes);
  if (format === "webp") return bytes;
  if (format === null) {
    throw new Error(
      bytes.length === 0
        ? "the command printed nothing"
        : "the command's output is not an image (WebP, PNG or JPEG)",
    );
  }
  const { default: sharp } = await import("sharp");
  return new Uint8Array(await sharp(bytes).webp().toBuffer());
}

/** Runs in a generator, after `connect` has loaded the SDK. */
const b64 = (bytes: Uint8Array | null): string | null => (bytes ? requireSdk().encodeBase64(bytes) : null);

type Generators = {
  image: (job: ImageWorkerJob, c: GenerateContext) => Promise<(ImageResult | null)[]>;
  text: (job: TextWorkerJob, c: GenerateContext) => Promise<string>;
  alchemy: (job: AlchemyWorkerJob, c: GenerateContext) => Promise<AlchemyGenerateOutput>;
};

/** The command's output as text; an error when it printed nothing. */
function printedText(out: Uint8Array): string {
  const text = new TextDecoder().decode(out);
  if (text.trim() === "") throw new Error("the command printed nothing");
  return text;
}

function execGenerators(command: string, cwd: string): Generators {
  /** One run of the command: the job as one JSON line on its stdin, its stdout back. */
  const exec = (input: Record<string, unknown>, signal: AbortSignal) =>
    execOnce(command, `${JSON.stringify(input)}\n`, signal, cwd);
  return {
    async image(job, { signal }) {
      const results: ImageResult[] = [];
      for (const [index, id] of job.ids.entries()) {
        const seed = job.seeds[index] ?? job.seed + index;
        const input = {
          kind: "image",
          id,
          index,
          n: job.n,
          model: job.model,
          prompt: job.prompt,
          positive_prompt: job.positivePrompt.trim(),
          negative_prompt: job.negativePrompt.trim(),
          width: job.width,
          height: job.height,
          steps: job.steps,
          seed,
          censor_nsfw: job.censorNsfw,
          source_processing: job.sourceProcessing,
          source_image: b64(job.sourceImage),
          source_mask: b64(job.sourceMask),
          payload: job.payload,
        };
        const out = await exec(input, signal);
        results.push({ image: await toWebp(out), seed });
      }
      return results;
    },
    async text(job, { signal }) {
      const input = {
        kind: "text",
        id: job.id,
        model: job.model,
        prompt: job.prompt,
        max_length: job.maxLength,
        max_context_length: job.maxContextLength,
        payload: job.payload,
      };
      return printedText(await exec(input, signal)).replace(/\n$/, "");
    },
    async alchemy(job, { signal }) {
      const input = {
        kind: "alchemy",
        id: job.id,
        form: job.form,
        expects_image: job.expectsImage,
        source_image: b64(job.sourceImage),
        payload: job.payload,
      };
      const out = await exec(input, signal);
      if (job.expectsImage) return toWebp(out);
      const text = printedText(out).trim();
      try {
        return JSON.parse(text) as AlchemyGenerateOutput;
      } catch {
        return text;
      }
    },
  };
}

async function devGenerators(): Promise<Generators> {
  // The emulator's dev generators: deterministic test pictures, filler text, colour-based alchemy.
  const { drawPicture, writeText, runForm } = await import("horde-emulator");
  return {
    async image(job) {
      const out: ImageResult[] = [];
      for (const [index] of job.ids.entries()) {
        const seed = job.seeds[index] ?? job.seed + index;
        const image = await drawPicture({ prompt: job.prompt, seed, width: job.width, height: job.height });
        out.push({ image, seed });
      }
      return out;
    },
    async text(job) {
      return writeText({ prompt: job.prompt, maxLength: job.maxLength });
    },
    async alchemy(job) {
      const { result, image } = await runForm(job.form, job.sourceImage, job.id);
      if (job.expectsImage && image) return image;
      return (result[job.form] ?? result) as AlchemyGenerateOutput;
    },
  };
}

function defaultName(kind: Kind): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, "-")
      .slice(0, 40) || "localhost";
  return `horde-cli-${kind}-${host}`;
}

/** The backend the settings name (its key, when it needs one, is registered as a secret). */
async function createBackend(
  ctx: CommandContext,
  b: BackendSettings,
  workflow: ComfyWorkflow | ComfyWorkflows | undefined,
): Promise<WorkerBackend> {
  const sdk = await import("horde-sdk/worker");
  const url = b.url as string;
  const model = b.model;
  const codec = async () => sdk.sharpCodec((await import("sharp")).default);
  switch (b.type) {
    case "openai": {
      const apiKey = ctx.io.env[BACKEND_KEY_ENV];
      if (apiKey) ctx.addSecret(apiKey);
      return sdk.openaiBackend({ url, ...(model ? { model } : {}), ...(apiKey ? { apiKey } : {}) });
    }
    case "koboldcpp":
      return sdk.koboldcppBackend({ url });
    case "a1111":
      return sdk.a1111Backend({ url, codec: await codec(), ...(model ? { model } : {}) });
    default:
      return sdk.comfyuiBackend({
        url,
        codec: await codec(),
        ...(model ? { model } : {}),
        ...(workflow ? { workflow } : {}),
      });
  }
}

/** Ask the backend what it serves before popping: a backend that cannot serve would fault every job. */
async function probeBackend(backend: WorkerBackend, models: string[] | undefined) {
  const { HordeBackendError } = await import("horde-sdk/worker");
  try {
    return await backend.probe(AbortSignal.timeout(15_000), models);
  } catch (err) {
    const said = (err as Error).message;
    // The backend's errors name it; anything else (a timeout) gets said where.
    const message = said.startsWith(backend.name)
      ? said
      : `the ${backend.name} backend at ${backend.url}: ${said}`;
    // No answer: try again later; an answer that rules the settings out: fix them.
    const unreachable =
      !(err instanceof HordeBackendError) || (err.status === null && err.cause !== undefined);
    throw new CliError(message, unreachable ? ExitCode.Server : ExitCode.Usage);
  }
}

/**
 * The model reference an image worker reads: the published one, loaded through the client (its retries,
 * never its key) — or, against a horde on this machine (`horde serve`, a local server), the emulator's
 * bundled copy, so a worker run offline never reaches the internet.
 */
async function modelReferenceFor(conn: Connection): Promise<{ source: ImageModelSource; where: string }> {
  const emulator = await import("horde-emulator");
  if (emulator.isLoopbackHost(new URL(conn.config.baseUrl).hostname)) {
    return {
      source: emulator.IMAGE_MODEL_FACTS.map(({ requirements, ...fact }) => ({
        ...fact,
        ...(requirements ? { requirements: { ...requirements } } : {}),
      })),
      where: "the bundled model reference",
    };
  }
  const { ModelReference } = await loadSdk();
  return { source: new ModelReference({ client: conn.client }), where: "the AI Horde's model reference" };
}

const clamp = (n: number | undefined, min: number, max: number) =>
  n === undefined ? undefined : Math.min(max, Math.max(min, Math.floor(n)));

async function serveJobs(
  ctx: CommandContext,
  conn: Connection,
  s: WorkerSettings,
  kind: Kind,
  workflow: ComfyWorkflow | ComfyWorkflows | undefined,
  json: boolean,
): Promise<number> {
  const io = ctx.io;
  const line = (text: string) => io.stderr.write(`${text}\n`);
  const { HordeWorker } = await import("horde-sdk/worker");
  const { AIHordeRequestError, HordeConnectionError } = await loadSdk();
  const name = s.name ?? defaultName(kind);
  let backend: WorkerBackend | undefined;
  let models = s.models;
  let maxLength = s.maxLength;
  let maxContextLength = s.maxContextLength;
  if (s.backend) {
    backend = await createBackend(ctx, s.backend, workflow);
    const info = await probeBackend(backend, models);
    if (kind === "text") {
      // What the server says it serves, unless the settings say otherwise.
      models ??= info.models.length > 0 ? info.models : undefined;
      maxLength ??= clamp(info.maxLength, 16, 4096);
      maxContextLength ??= clamp(info.maxContextLength, 80, 1_048_576);
    }
    line(
      `horde: the ${backend.name} backend at ${backend.url} answers (${info.models.join(", ") || "no models listed"})`,
    );
  }
  const generators = s.dev
    ? await devGenerators()
    : s.exec !== undefined
      ? execGenerators(s.exec, io.cwd)
      : undefined;
  const logger = conn.logger;
  const common = {
    client: conn.client,
    name,
    logger,
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
    ...(s.amount !== undefined ? { amount: s.amount } : {}),
    ...(s.bridgeAgent !== undefined ? { bridgeAgent: s.bridgeAgent } : {}),
    ...(s.idleReportSeconds !== undefined ? { idleReportMs: s.idleReportSeconds * 1000 } : {}),
    ...(s.priorityUsernames ? { priorityUsernames: s.priorityUsernames } : {}),
    ...(s.requireUpfrontKudos !== undefined ? { requireUpfrontKudos: s.requireUpfrontKudos } : {}),
    ...(s.extraSlowWorker !== undefined ? { extraSlowWorker: s.extraSlowWorker } : {}),
  };
  const given = <K extends keyof WorkerSettings>(...keys: K[]) =>
    Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  const reference =
    kind === "image" && s.modelReference !== false ? await modelReferenceFor(conn) : undefined;
  let options: HordeWorkerOptions;
  if (kind === "image") {
    options = {
      ...common,
      kind: "image",
      ...(reference ? { reference: reference.source } : {}),
      ...(backend?.kind === "image" ? { backend } : { generate: generators?.image }),
      ...(models ? { models } : {}),
      ...given(
        "maxPixels",
        "nsfw",
        "blacklist",
        "allowImg2img",
        "allowPainting",
        "allowPostProcessing",
        "allowControlnet",
        "allowSdxlControlnet",
        "allowLora",
        "allowUnsafeIpaddr",
        "limitMaxSteps",
      ),
    };
  } else if (kind === "text") {
    options = {
      ...common,
      kind: "text",
      ...(backend?.kind === "text" ? { backend } : { generate: generators?.text }),
      ...(models ? { models } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(maxContextLength !== undefined ? { maxContextLength } : {}),
      ...given("nsfw", "blacklist"),
    };
  } else {
    options = {
      ...common,
      kind: "alchemy",
      generate: generators?.alchemy as NonNullable<Generators["alchemy"]>,
      ...(s.forms ? { forms: s.forms } : {}),
      ...given("maxTiles"),
    };
  }
  let worker: HordeWorker;
  try {
    worker = new HordeWorker(options);
  } catch (err) {
    throw toCliError(err, conn.errorContext());
  }

  worker.on("popped", (e) =>
    line(
      `job ${e.ids.join(", ")}: popped${e.model ? ` (${e.model})` : ""}${e.forms ? ` (${e.forms.join(", ")})` : ""}`,
    ),
  );
  // A backend's progress, at each quarter (a line per step would drown the log).
  const quarters = new Map<string, number>();
  worker.on("progress", (p) => {
    const quarter = Math.floor(p.fraction * 4);
    if (quarter < 1 || quarter >= 4 || quarter <= (quarters.get(p.id) ?? 0)) return;
    quarters.set(p.id, quarter);
    const steps =
      p.step !== undefined && p.steps !== undefined ? ` (${p.stage ?? "step"} ${p.step}/${p.steps})` : "";
    line(`job ${p.id}: ${quarter * 25}%${steps}`);
  });
  const settled = (id: string) => quarters.delete(id);
  worker.on("completed", (e) => {
    settled(e.id);
    line(`job ${e.id}: done, +${e.reward} kudos (${e.kudos} in total)`);
  });
  worker.on("faulted", (e) => {
    settled(e.id);
    line(`job ${e.id}: faulted (${e.reason}): ${e.message}`);
  });
  worker.on("rejected", (e) => line(`job ${e.id}: the horde refused the result (${e.rc}): ${e.message}`));
  worker.on("reference", (e) => {
    const where = reference?.where ?? "the model reference";
    if (e.error !== undefined) {
      const why = e.error instanceof Error ? e.error.message : String(e.error);
      line(`horde: ${where} could not be loaded (${why}); serving with the settings as given`);
      return;
    }
    if (e.unknown.length > 0) {
      const names = e.unknown.map((m) => `'${m}'`).join(", ");
      line(
        `horde: ${where} does not know ${names}: the horde sends no jobs for ${e.unknown.length === 1 ? "it" : "them"} (unless you have the customizer role)`,
      );
    }
    line(
      `horde: read ${where}: painting jobs ${e.allowPainting ? "on" : "off (allow_painting is off, or no inpainting model is served)"}`,
    );
  });
  worker.on("idle", (e) => line(`horde: no jobs for ${Math.round(e.idleMs / 1000)} s: ${e.summary}`));
  worker.on("message", (m) => line(`horde: message for this worker: ${m.message}`));
  worker.on("maintenance", (e) => line(`horde: the worker is in maintenance mode: ${e.message}`));
  worker.on("error", (e) => {
    if (e.phase === "pop")
      line(`horde: pop failed (retrying): ${toCliError(e.error, conn.errorContext()).message}`);
  });

  let interrupts = 0;
  const unregister = io.onSigint(() => {
    interrupts += 1;
    if (interrupts === 1) {
      const inFlight = worker.stats.inFlight;
      line(
        inFlight > 0
          ? `horde: stopping: finishing ${inFlight} job${inFlight === 1 ? "" : "s"} in flight (Ctrl-C again to fault ${inFlight === 1 ? "it" : "them"} and quit)`
          : "horde: stopping…",
      );
      void worker.stop();
    } else if (interrupts === 2) {
      line("horde: stopping now: jobs in flight are reported faulted, the horde re-queues them");
      void worker.stop({ drain: false });
    } else {
      io.exit(ExitCode.Interrupted);
    }
  });

  const where = conn.config.baseUrl;
  const what =
    kind === "alchemy"
      ? (s.forms ?? ["caption"]).join(", ")
      : (models ?? [kind === "image" ? "stable_diffusion" : "(any model)"]).join(", ");
  const via = backend ? ` with the ${backend.name} backend` : "";
  line(`horde: worker '${name}' (${kind}: ${what}) takes jobs from ${where}${via}; Ctrl-C to stop`);
  worker.start();
  let stats: HordeWorkerStats;
  try {
    stats = await worker.wait();
  } catch (err) {
    printStats(ctx, worker.stats, json);
    // A pop refused for good (bad key, …) is the server's answer; anything else (too many faults in a row)
    // means the generator is broken.
    if (err instanceof AIHordeRequestError || err instanceof HordeConnectionError) {
      throw toCliError(err, conn.errorContext());
    }
    throw new CliError(`the worker stopped: ${(err as Error).message ?? String(err)}`, ExitCode.JobFailed);
  } finally {
    unregister();
  }
  printStats(ctx, stats, json);
  return ExitCode.Ok;
}

function printStats(ctx: CommandContext, stats: HordeWorkerStats, json: boolean): void {
  if (json) {
    ctx.io.stdout.write(
      `${JSON.stringify({
        name: stats.name,
        kind: stats.kind,
        completed: stats.completed,
        faulted: stats.faulted,
        faulted_by: stats.faultedBy,
        rejected: stats.rejected,
        kudos: stats.kudos,
        pops: stats.pops,
        skipped_total: stats.skippedTotal,
      })}\n`,
    );
    return;
  }
  ctx.io.stderr.write(
    `horde: worker '${stats.name}' stopped: ${stats.completed} done, ${stats.faulted} faulted, ${stats.kudos} kudos earned\n`,
  );
}
