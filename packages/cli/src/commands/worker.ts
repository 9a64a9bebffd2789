/**
 * `horde worker`: serve jobs from any horde — with the built-in dev generator (`--dev`), or by running a
 * command per job (`--exec`): the job as JSON on its stdin, the image (or text, or form result) on its stdout.
 * SIGINT/SIGTERM stop it gracefully: no more pops, jobs in flight are finished (a second Ctrl-C faults them
 * so the horde re-queues them at once); no popped job is left to time out.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { type Command, Option } from "commander";
import type {
  AlchemyGenerateOutput,
  AlchemyWorkerJob,
  GenerateContext,
  HordeWorker,
  HordeWorkerOptions,
  HordeWorkerStats,
  ImageResult,
  ImageWorkerJob,
  TextWorkerJob,
} from "horde-sdk/worker";
import { ANONYMOUS_API_KEY, type Config } from "../config.js";
import { addConnectionOptions, type Connection, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, toCliError, UsageError } from "../errors.js";
import { sniffImage } from "../files.js";
import { loadSdk, requireSdk } from "../lazy.js";
import { collect, integerIn, nonEmptyText } from "../parse.js";

export const WORKER_KINDS = ["image", "text", "alchemy"] as const;
type Kind = (typeof WORKER_KINDS)[number];

interface WorkerFlags {
  dev?: boolean;
  exec?: string;
  type: Kind;
  name?: string;
  model?: string[];
  form?: string[];
  maxPixels?: number;
  maxLength?: number;
  maxContext?: number;
  threads: number;
  nsfw: boolean;
  allowLora?: boolean;
  json?: boolean;
  url?: string;
  apiKey?: string;
  clientAgent?: string;
}

export function registerWorker(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("worker")
    .description("serve jobs from a horde: with the built-in dev generator, or a command of yours per job")
    .option("--dev", "generate with the built-in dev generator (test pictures, filler text, fake alchemy)")
    .option("--exec <command>", "run this shell command per job: job JSON on stdin, the result on stdout")
    .addOption(new Option("-t, --type <kind>", "which jobs to serve").choices(WORKER_KINDS).default("image"))
    .option(
      "--name <name>",
      "the worker's name on the horde (default horde-cli-<type>-<hostname>)",
      nonEmptyText,
    )
    .option(
      "-m, --model <name>",
      "models served; repeat or use commas (image default stable_diffusion)",
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
      "largest context accepted (text; default 2048)",
      integerIn(80, 1_048_576),
    )
    .option("--threads <N>", "jobs worked on at the same time, 1-50", integerIn(1, 50), 1)
    .option("--no-nsfw", "refuse NSFW requests")
    .option("--allow-lora", "accept requests with LoRAs (image)")
    .option("--json", "print the final statistics as one JSON document on stdout when stopped");
  addConnectionOptions(cmd)
    .addHelpText(
      "after",
      [
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
        "Ctrl-C (or SIGTERM) stops popping and finishes the jobs in flight; a second Ctrl-C faults them.",
        "",
        "Examples:",
        "  horde worker --dev --url http://127.0.0.1:7001/api --api-key <key>",
        "  horde worker --exec 'python3 my_generator.py' --model my-model --max-pixels 1048576",
        "  horde worker --type text --exec './llm.sh' --model my-llm",
      ].join("\n"),
    )
    .action(async (flags: WorkerFlags) => {
      ctx.exitCode = await runWorker(flags, ctx);
    });
  return cmd;
}

function checkFlags(flags: WorkerFlags): void {
  if (!flags.dev && flags.exec === undefined) {
    throw new UsageError("say how to make results: --dev (built-in generator) or --exec '<command>'");
  }
  if (flags.dev && flags.exec !== undefined) throw new UsageError("--dev and --exec cannot be used together");
  if (flags.exec !== undefined && flags.exec.trim() === "")
    throw new UsageError("--exec: the command is empty");
  const wrong = (flag: string, given: unknown, kinds: Kind[]) => {
    if (given !== undefined && !kinds.includes(flags.type)) {
      throw new UsageError(`${flag} is for ${kinds.join("/")} workers, not ${flags.type}`);
    }
  };
  wrong("--model", flags.model, ["image", "text"]);
  wrong("--form", flags.form, ["alchemy"]);
  wrong("--max-pixels", flags.maxPixels, ["image"]);
  wrong("--allow-lora", flags.allowLora, ["image"]);
  wrong("--max-length", flags.maxLength, ["text"]);
  wrong("--max-context", flags.maxContext, ["text"]);
}

async function runWorker(flags: WorkerFlags, ctx: CommandContext): Promise<number> {
  const prepare = async (config: Config) => {
    checkFlags(flags);
    if (config.local)
      throw new UsageError("a worker serves a real or served horde: give --url (or HORDE_URL)");
    if (config.apiKey === ANONYMOUS_API_KEY) {
      throw new UsageError(
        "the anonymous key cannot run workers: set HORDE_API_KEY or --api-key to your key",
      );
    }
  };
  return withConnection(ctx, flags, { prepare }, (conn) => serveJobs(ctx, conn, flags));
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

function execGenerators(command: string, cwd: string): Generators {
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
        const out = await execOnce(command, `${JSON.stringify(input)}\n`, signal, cwd);
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
      const out = await execOnce(command, `${JSON.stringify(input)}\n`, signal, cwd);
      const text = new TextDecoder().decode(out);
      if (text.trim() === "") throw new Error("the command printed nothing");
      return text.replace(/\n$/, "");
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
      const out = await execOnce(command, `${JSON.stringify(input)}\n`, signal, cwd);
      if (job.expectsImage) return toWebp(out);
      const text = new TextDecoder().decode(out).trim();
      if (text === "") throw new Error("the command printed nothing");
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

async function serveJobs(ctx: CommandContext, conn: Connection, flags: WorkerFlags): Promise<number> {
  const io = ctx.io;
  const generators = flags.dev ? await devGenerators() : execGenerators(flags.exec as string, io.cwd);
  const { HordeWorker } = await import("horde-sdk/worker");
  const { AIHordeRequestError, HordeConnectionError } = await loadSdk();
  const name = flags.name ?? defaultName(flags.type);
  const logger = conn.logger;
  const common = { client: conn.client, name, threads: flags.threads, logger };
  let options: HordeWorkerOptions;
  if (flags.type === "image") {
    options = {
      ...common,
      kind: "image",
      generate: generators.image,
      nsfw: flags.nsfw,
      ...(flags.model ? { models: flags.model } : {}),
      ...(flags.maxPixels !== undefined ? { maxPixels: flags.maxPixels } : {}),
      ...(flags.allowLora ? { allowLora: true } : {}),
    };
  } else if (flags.type === "text") {
    options = {
      ...common,
      kind: "text",
      generate: generators.text,
      nsfw: flags.nsfw,
      ...(flags.model ? { models: flags.model } : {}),
      ...(flags.maxLength !== undefined ? { maxLength: flags.maxLength } : {}),
      ...(flags.maxContext !== undefined ? { maxContextLength: flags.maxContext } : {}),
    };
  } else {
    options = {
      ...common,
      kind: "alchemy",
      generate: generators.alchemy,
      ...(flags.form ? { forms: flags.form } : {}),
    };
  }
  let worker: HordeWorker;
  try {
    worker = new HordeWorker(options);
  } catch (err) {
    throw toCliError(err, conn.errorContext());
  }

  const line = (text: string) => io.stderr.write(`${text}\n`);
  worker.on("popped", (e) =>
    line(
      `job ${e.ids.join(", ")}: popped${e.model ? ` (${e.model})` : ""}${e.forms ? ` (${e.forms.join(", ")})` : ""}`,
    ),
  );
  worker.on("completed", (e) => line(`job ${e.id}: done, +${e.reward} kudos (${e.kudos} in total)`));
  worker.on("faulted", (e) => line(`job ${e.id}: faulted (${e.reason}): ${e.message}`));
  worker.on("rejected", (e) => line(`job ${e.id}: the horde refused the result (${e.rc}): ${e.message}`));
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
    flags.type === "alchemy"
      ? (flags.form ?? ["caption"]).join(", ")
      : (flags.model ?? [flags.type === "image" ? "stable_diffusion" : "(any model)"]).join(", ");
  line(`horde: worker '${name}' (${flags.type}: ${what}) takes jobs from ${where}; Ctrl-C to stop`);
  worker.start();
  let stats: HordeWorkerStats;
  try {
    stats = await worker.wait();
  } catch (err) {
    printStats(ctx, worker.stats, flags.json === true);
    // A pop refused for good (bad key, …) is the server's answer; anything else (too many faults in a row)
    // means the generator is broken.
    if (err instanceof AIHordeRequestError || err instanceof HordeConnectionError) {
      throw toCliError(err, conn.errorContext());
    }
    throw new CliError(`the worker stopped: ${(err as Error).message ?? String(err)}`, ExitCode.JobFailed);
  } finally {
    unregister();
  }
  printStats(ctx, stats, flags.json === true);
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
      })}\n`,
    );
    return;
  }
  ctx.io.stderr.write(
    `horde: worker '${stats.name}' stopped: ${stats.completed} done, ${stats.faulted} faulted, ${stats.kudos} kudos earned\n`,
  );
}
