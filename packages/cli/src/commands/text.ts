import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { GenerateTextResult, TextGenerateAsyncPayload, TextGenerateAsyncResponse } from "horde-sdk";
import type { Config } from "../config.js";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { fail, followJob, logWarnings, progressMode } from "../follow.js";
import { loadSdk } from "../lazy.js";
import { createProgress, TEXTS } from "../output/progress.js";
import { collect, decimalIn, integerIn, repeatText, seconds as secondsArg } from "../parse.js";

export interface TextFlags extends ConnectionFlags {
  model?: string[];
  count: number;
  maxLength?: number;
  maxContext?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  repPen?: number;
  stop?: string[];
  promptFile?: string;
  worker?: string[];
  dryRun?: boolean;
  waitForWorker?: boolean;
}

/** The `--json` document of `horde text`. Its shape is stable: scripts rely on it. */
/** One delivered text in the JSON output (of `horde text --json` and `horde jobs status`). */
export interface TextGenerationJson {
  text: string;
  seed: number | null;
  model: string | null;
  worker_id: string | null;
  worker_name: string | null;
  state: string | null;
}

export interface TextJsonResult {
  id: string;
  generations: TextGenerationJson[];
  kudos: number | null;
}

export function textGenerationJson(g: GenerateTextResult["generations"][number]): TextGenerationJson {
  return {
    text: g.text ?? "",
    seed: g.seed ?? null,
    model: g.model ?? null,
    worker_id: g.worker_id ?? null,
    worker_name: g.worker_name ?? null,
    state: g.state === undefined || g.state === null ? null : String(g.state),
  };
}

export function registerText(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("text")
    .description("generate text from a prompt with a language model and print it")
    .argument("[prompt...]", "the prompt (several words are joined with spaces; '-' reads standard input)")
    .option("--local", "run on an in-process emulator with a dev text worker (offline, no kudos)")
    .option("-m, --model <name>", "model to use; repeat (or use commas) to allow several", collect)
    .option("-n, --count <N>", "number of texts, 1-20", integerIn(1, 20), 1)
    .option(
      "--max-length <tokens>",
      "most tokens to generate, 16-4096 (server default 80)",
      integerIn(16, 4096),
    )
    .option(
      "--max-context <tokens>",
      "context window to use, 80-1048576 tokens (server default 1024)",
      integerIn(80, 1_048_576),
    )
    .option("--temperature <x>", "randomness, 0-5", decimalIn(0, 5))
    .option("--top-p <x>", "nucleus sampling, 0.001-1", decimalIn(0.001, 1))
    .option("--top-k <N>", "top-k sampling, 0-200", integerIn(0, 200))
    .option("--rep-pen <x>", "repetition penalty, 1-3", decimalIn(1, 3))
    .option("--stop <text>", "stop generating at this text; repeatable", repeatText)
    .option("-f, --prompt-file <file>", "read the prompt from a file ('-' for standard input)")
    .option("--worker <id>", "only these workers may serve the request; repeatable", collect)
    .option("--dry-run", "print what the request would cost in kudos; nothing is queued")
    .option("--timeout <seconds>", "give up (and cancel the job) after this many seconds", secondsArg)
    .option("--wait-for-worker", "keep waiting when no worker can serve the request (default: fail at once)")
    .option("--json", "print one JSON document with the results on stdout, nothing else");
  addConnectionOptions(cmd)
    .addHelpText(
      "after",
      [
        "",
        "The text goes to stdout (several texts are separated by a line '---'); progress goes to stderr.",
        "",
        "Examples:",
        '  horde text "Once upon a time" --local',
        '  horde text "Write a haiku about the sea" --max-length 60 -m "koboldcpp/LLaMA2-13B-Psyfighter2"',
        "  cat story.txt | horde text - --max-context 4096 --json",
      ].join("\n"),
    )
    .action(async (words: string[], flags: TextFlags) => {
      ctx.exitCode = await runText(words, flags, ctx);
    });
  return cmd;
}

async function readPrompt(words: string[], flags: TextFlags, ctx: CommandContext): Promise<string> {
  const fromArgs = words.join(" ");
  if (flags.promptFile !== undefined) {
    if (words.length > 0)
      throw new UsageError("give the prompt either as arguments or with --prompt-file, not both");
    if (flags.promptFile === "-") return ctx.io.readStdin();
    try {
      return await readFile(resolve(ctx.io.cwd, flags.promptFile), "utf8");
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === "ENOENT") throw new UsageError(`--prompt-file: no such file: ${flags.promptFile}`);
      throw new UsageError(`--prompt-file: cannot read ${flags.promptFile}: ${(err as Error).message}`);
    }
  }
  if (fromArgs === "-") return ctx.io.readStdin();
  return fromArgs;
}

export function buildTextPayload(prompt: string, flags: TextFlags): TextGenerateAsyncPayload {
  const params: NonNullable<TextGenerateAsyncPayload["params"]> = { n: flags.count };
  if (flags.maxLength !== undefined) params.max_length = flags.maxLength;
  if (flags.maxContext !== undefined) params.max_context_length = flags.maxContext;
  if (flags.temperature !== undefined) params.temperature = flags.temperature;
  if (flags.topP !== undefined) params.top_p = flags.topP;
  if (flags.topK !== undefined) params.top_k = flags.topK;
  if (flags.repPen !== undefined) params.rep_pen = flags.repPen;
  if (flags.stop && flags.stop.length > 0) params.stop_sequence = flags.stop;
  const payload: TextGenerateAsyncPayload = { prompt, params };
  if (flags.model && flags.model.length > 0) payload.models = flags.model;
  if (flags.worker && flags.worker.length > 0) payload.workers = flags.worker;
  return payload;
}

function describe(payload: TextGenerateAsyncPayload, config: Config): string {
  const p = payload.params ?? {};
  const parts = [`${p.max_length ?? 80} tokens`];
  if (payload.models && payload.models.length > 0) parts.push(payload.models.join(" | "));
  parts.push(`on ${config.local ? "local emulator" : new URL(config.baseUrl).host}`);
  return parts.join(", ");
}

export async function runText(words: string[], flags: TextFlags, ctx: CommandContext): Promise<number> {
  let payload: TextGenerateAsyncPayload | undefined;
  const prepare = async () => {
    const prompt = await readPrompt(words, flags, ctx);
    if (prompt.trim() === "")
      throw new UsageError("the prompt is empty (give it as arguments, '-' or --prompt-file)");
    payload = buildTextPayload(prompt, flags);
    // Validates every field now (exit 2), so nothing invalid is ever sent.
    const { TextGenerateAsyncRequest } = await loadSdk();
    new TextGenerateAsyncRequest(payload);
  };
  return withConnection(ctx, flags, { devWorkers: [{ type: "text" }], prepare }, (conn) => {
    const p = payload as TextGenerateAsyncPayload;
    return flags.dryRun ? dryRun(ctx, conn, p, flags) : generate(ctx, conn, p, flags);
  });
}

async function dryRun(
  ctx: CommandContext,
  conn: Connection,
  payload: TextGenerateAsyncPayload,
  flags: TextFlags,
): Promise<number> {
  const { TextGenerateAsyncDryRunResponse, TextGenerateAsyncRequest } = await loadSdk();
  const response = await conn.client.submitRequest(
    new TextGenerateAsyncRequest({ ...payload, dry_run: true }),
  );
  if (!(response instanceof TextGenerateAsyncDryRunResponse)) {
    // The server queued a job although we asked for a dry run: cancel it at once.
    for (const cleanup of response.cleanupRequests())
      await conn.client.submitRequest(cleanup).catch(() => {});
    throw new CliError(
      "the server queued the request instead of answering the dry run (it was cancelled)",
      ExitCode.Server,
    );
  }
  const kudos = response.kudos;
  if (flags.json) ctx.io.stdout.write(`${JSON.stringify({ dry_run: true, kudos })}\n`);
  else ctx.io.stdout.write(`${kudos} kudos (${describe(payload, conn.config)}); nothing was queued\n`);
  return ExitCode.Ok;
}

async function generate(
  ctx: CommandContext,
  conn: Connection,
  payload: TextGenerateAsyncPayload,
  flags: TextFlags,
): Promise<number> {
  const json = flags.json === true;
  const progress = createProgress(progressMode(ctx, json), ctx.io.stderr);
  const outcome = await followJob<GenerateTextResult>({
    ctx,
    conn,
    progress,
    total: flags.count,
    label: describe(payload, conn.config),
    unit: TEXTS,
    kind: "text",
    timeoutSeconds: flags.timeout,
    run: (hooks) =>
      conn.client.generateText(payload, {
        signal: hooks.signal,
        failWhenImpossible: !flags.waitForWorker,
        onSubmitted: (response: TextGenerateAsyncResponse) => {
          hooks.submitted(response.id);
          if (!json) logWarnings(progress, response.warnings);
        },
        onProgress: (event) => hooks.progress(event.id, event.progress),
      }),
  });
  if (!outcome.ok) return outcome.code;
  const { result, job } = outcome;
  const kudos = result.status.kudos ?? undefined;
  if (result.generations.length === 0) {
    job.failed("no texts");
    progress.stop();
    return fail(ctx, new CliError(`job ${result.id} finished without texts`, ExitCode.JobFailed));
  }
  job.finished(result.id, kudos);
  progress.stop();
  if (json) {
    const doc: TextJsonResult = {
      id: result.id,
      generations: result.generations.map(textGenerationJson),
      kudos: kudos ?? null,
    };
    ctx.io.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    const texts = result.generations.map((g) => g.text ?? "");
    ctx.io.stdout.write(`${texts.map((t) => t.replace(/\n+$/, "")).join("\n---\n")}\n`);
  }
  return ExitCode.Ok;
}
