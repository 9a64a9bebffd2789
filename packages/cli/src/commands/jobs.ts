/** `horde check|status|cancel <id>`: look at or cancel a job started elsewhere (another shell, a script, an app). */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type {
  AIHordeAPIClient,
  AlchemyStatusResponse,
  HordeRequest,
  ImageGenerateCheckResponse,
  ImageGenerateStatusResponse,
  TextGenerateStatusResponse,
} from "horde-sdk";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { fail } from "../follow.js";
import { loadSdk, type SdkModule } from "../lazy.js";
import { jobState, type ProgressCheck, progressDetails } from "../output/format.js";
import { type DownloadedImage, ensureOutDir, type OutputFormat, saveImages } from "../output/save.js";
import { alchemyProgress, describeResult } from "./alchemy.js";
import { cancelAllPending } from "./stored-jobs.js";
import { textGenerationJson } from "./text.js";

export const JOB_TYPES = ["image", "text", "alchemy"] as const;
export type JobType = (typeof JOB_TYPES)[number];

type Operation = "check" | "status" | "cancel";

interface JobFlags extends ConnectionFlags {
  /** `horde cancel --all-pending`. */
  allPending?: boolean;
  type?: JobType;
  out?: string;
  format: OutputFormat;
}

/** The `--json` document of check, status and cancel. Its shape is stable: scripts rely on it. */
export interface JobJson {
  id: string;
  type: JobType;
  state: string;
  done: boolean;
  faulted: boolean;
  is_possible: boolean;
  finished: number;
  processing: number;
  restarted: number;
  waiting: number;
  queue_position: number;
  wait_time: number;
  kudos: number | null;
  /** Image and text jobs, for status and cancel. */
  generations?: Record<string, unknown>[];
  /** Alchemy jobs. */
  forms?: { form: string; state: string | null; result: unknown }[];
}

function requestFor(sdk: SdkModule, op: Operation, type: JobType, id: string): HordeRequest {
  const {
    AlchemyDeleteRequest,
    AlchemyStatusRequest,
    DeleteImageGenerateRequest,
    DeleteTextGenerateRequest,
    ImageGenerateCheckRequest,
    ImageGenerateStatusRequest,
    TextGenerateStatusRequest,
  } = sdk;
  switch (type) {
    case "image":
      if (op === "check") return new ImageGenerateCheckRequest({ id });
      if (op === "status") return new ImageGenerateStatusRequest({ id });
      return new DeleteImageGenerateRequest({ id });
    case "text":
      return op === "cancel" ? new DeleteTextGenerateRequest({ id }) : new TextGenerateStatusRequest({ id });
    case "alchemy":
      return op === "cancel" ? new AlchemyDeleteRequest({ id }) : new AlchemyStatusRequest({ id });
  }
}

type AnyStatus =
  | ImageGenerateCheckResponse
  | ImageGenerateStatusResponse
  | TextGenerateStatusResponse
  | AlchemyStatusResponse;

/**
 * Sends the operation for the given type, or tries image, text and alchemy in turn (a request id says
 * nothing about its kind; the wrong kind answers 404).
 */
async function sendFor(
  sdk: SdkModule,
  client: AIHordeAPIClient,
  op: Operation,
  id: string,
  type: JobType | undefined,
  signal: AbortSignal,
): Promise<{ type: JobType; response: AnyStatus }> {
  const types = type ? [type] : JOB_TYPES;
  for (const t of types) {
    try {
      const response = (await client.submitRequest(requestFor(sdk, op, t, id), { signal })) as AnyStatus;
      return { type: t, response };
    } catch (err) {
      if (err instanceof sdk.AIHordeRequestError && err.status === 404) continue;
      throw err;
    }
  }
  const kind = type ? `${type} job` : "job";
  throw new CliError(
    `no ${kind} ${id} on the server: unknown, or expired (the horde forgets a request 20 minutes after its last activity)`,
    ExitCode.JobFailed,
  );
}

function progressOf(sdk: SdkModule, response: AnyStatus): ProgressCheck {
  return response instanceof sdk.AlchemyStatusResponse
    ? alchemyProgress(response)
    : (response as ProgressCheck);
}

function toJson(
  sdk: SdkModule,
  id: string,
  type: JobType,
  response: AnyStatus,
  paths: Map<number, string>,
): JobJson {
  const { AlchemyStatusResponse, ImageGenerateStatusResponse, TextGenerateStatusResponse } = sdk;
  const p = progressOf(sdk, response);
  const doc: JobJson = {
    id,
    type,
    state: response instanceof AlchemyStatusResponse ? String(response.state ?? jobState(p)) : jobState(p),
    done: p.done === true,
    faulted: p.faulted === true,
    is_possible: p.is_possible !== false,
    finished: p.finished ?? 0,
    processing: p.processing ?? 0,
    restarted: p.restarted ?? 0,
    waiting: p.waiting ?? 0,
    queue_position: p.queue_position ?? 0,
    wait_time: p.wait_time ?? 0,
    kudos: p.kudos ?? null,
  };
  if (response instanceof ImageGenerateStatusResponse) {
    doc.generations = response.generations.map((g, index) => ({
      index,
      id: g.id ?? null,
      seed: g.seed ?? null,
      model: g.model ?? null,
      worker_id: g.worker_id ?? null,
      worker_name: g.worker_name ?? null,
      censored: g.censored === true,
      state: g.state === undefined || g.state === null ? null : String(g.state),
      url: typeof g.img === "string" && /^https?:\/\//.test(g.img) ? g.img : null,
      path: paths.get(index) ?? null,
    }));
  } else if (response instanceof TextGenerateStatusResponse) {
    doc.generations = response.generations.map((g, index) => ({ index, ...textGenerationJson(g) }));
  } else if (response instanceof AlchemyStatusResponse) {
    doc.forms = response.forms.map((f) => ({
      form: String(f.form),
      state: f.state ?? null,
      result: f.result ?? null,
    }));
  }
  return doc;
}

/** `job <id> (image): processing — 1 processing, eta 8s, 1/2 finished, 10 kudos`. */
function summaryLine(
  sdk: SdkModule,
  id: string,
  type: JobType,
  response: AnyStatus,
  cancelled: boolean,
): string {
  const p = progressOf(sdk, response);
  const finished = p.finished ?? 0;
  const total = finished + (p.processing ?? 0) + (p.waiting ?? 0);
  let state: string = jobState(p);
  if (response instanceof sdk.AlchemyStatusResponse && response.state) state = response.state;
  if (cancelled) state = p.done ? "already done" : "cancelled";
  const details = cancelled ? [] : progressDetails(p).filter((d) => !d.endsWith(" kudos"));
  details.push(`${finished}/${Math.max(total, finished)} finished`);
  if (p.kudos !== undefined && p.kudos !== null) details.push(`${p.kudos} kudos`);
  return `job ${id} (${type}): ${state} — ${details.join(", ")}`;
}

function generationLines(sdk: SdkModule, response: AnyStatus, paths: Map<number, string>): string[] {
  const { AlchemyStatusResponse, ImageGenerateStatusResponse, TextGenerateStatusResponse } = sdk;
  if (response instanceof ImageGenerateStatusResponse) {
    return response.generations.map((g, i) => {
      const parts = [
        `  #${i}`,
        `seed ${g.seed ?? "?"}`,
        `${g.model ?? "?"}`,
        `by ${g.worker_name ?? g.worker_id ?? "?"}`,
      ];
      if (g.censored) parts.push("CENSORED");
      const path = paths.get(i);
      if (path) parts.push(path);
      else if (typeof g.img === "string" && /^https?:\/\//.test(g.img)) parts.push(g.img);
      return parts.join("  ");
    });
  }
  if (response instanceof TextGenerateStatusResponse) {
    return response.generations.flatMap((g, i) => [
      `  #${i}  seed ${g.seed ?? "?"}  ${g.model ?? "?"}  by ${g.worker_name ?? g.worker_id ?? "?"}`,
      ...(g.text ?? "").split("\n").map((line) => `    ${line}`),
    ]);
  }
  if (response instanceof AlchemyStatusResponse) return response.forms.map((f) => `  ${describeResult(f)}`);
  return [];
}

/** Downloads (R2) or decodes (base64) the delivered images of an image status. */
async function downloadImages(
  sdk: SdkModule,
  conn: Connection,
  status: ImageGenerateStatusResponse,
): Promise<DownloadedImage[]> {
  const out: DownloadedImage[] = [];
  for (const generation of status.generations) {
    const img = generation.img;
    try {
      if (typeof img !== "string" || img === "" || img === "N/A") throw new Error("no image");
      if (/^https?:\/\//.test(img)) {
        const response = await conn.client.fetchUrl(img, { signal: conn.signal });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        out.push({ generation, bytes: response.bytes });
      } else {
        out.push({ generation, bytes: sdk.decodeBase64(img) });
      }
    } catch {
      out.push({ generation, bytes: null });
    }
  }
  return out;
}

async function runJobOp(
  op: Operation,
  rawId: string | undefined,
  flags: JobFlags,
  ctx: CommandContext,
): Promise<number> {
  if (flags.allPending) {
    if (rawId !== undefined || flags.type || flags.out !== undefined) {
      const extra = rawId !== undefined ? "a job id" : flags.type ? "--type" : "--out";
      return fail(ctx, new UsageError(`--all-pending cancels every job in the job store: drop ${extra}`));
    }
    return cancelAllPending(flags, ctx);
  }
  if (rawId === undefined) {
    return fail(
      ctx,
      new UsageError(`'horde ${op}' needs a job id${op === "cancel" ? " (or --all-pending)" : ""}`),
    );
  }
  const id = rawId.trim();
  const prepare = async () => {
    if (id === "") throw new UsageError("the job id is empty");
    if (flags.out !== undefined) {
      if (flags.type && flags.type !== "image")
        throw new UsageError("--out saves images: it is for image jobs");
      try {
        await ensureOutDir(resolve(ctx.io.cwd, flags.out));
      } catch (err) {
        throw new UsageError(`cannot create the --out folder ${flags.out}: ${(err as Error).message}`);
      }
    }
  };
  return withConnection(ctx, flags, { prepare, timeoutSeconds: flags.timeout }, async (conn) => {
    const sdk = await loadSdk();
    const { type, response } = await sendFor(sdk, conn.client, op, id, flags.type, conn.signal);
    const paths = new Map<number, string>();
    let missing = 0;
    if (flags.out !== undefined && response instanceof sdk.ImageGenerateStatusResponse) {
      const images = await downloadImages(sdk, conn, response);
      const saved = await saveImages(
        flags.out,
        id,
        images,
        { prompt: "", params: {}, server: conn.config.baseUrl },
        ctx.io.cwd,
        flags.format,
      );
      let next = 0;
      images.forEach((image, index) => {
        if (image.bytes) paths.set(index, (saved.saved[next++] as { path: string }).path);
      });
      missing = saved.missing.length;
    }
    if (flags.json) {
      ctx.io.stdout.write(`${JSON.stringify(toJson(sdk, id, type, response, paths))}\n`);
    } else {
      const lines = [summaryLine(sdk, id, type, response, op === "cancel")];
      if (op !== "check") lines.push(...generationLines(sdk, response, paths));
      ctx.io.stdout.write(`${lines.join("\n")}\n`);
    }
    if (missing > 0) {
      ctx.io.stderr.write(
        `horde: ${missing} image${missing === 1 ? "" : "s"} of job ${id} could not be downloaded\n`,
      );
      return ExitCode.Server;
    }
    return ExitCode.Ok;
  });
}

function jobCommand(
  program: Command,
  ctx: CommandContext,
  op: Operation,
  description: string,
  extra: (cmd: Command) => void,
  examples: string[],
): Command {
  const cmd = program
    .command(op)
    .description(description)
    .argument(op === "cancel" ? "[id]" : "<id>", "the request id (printed by generate, text and alchemy)")
    .addOption(
      new Option("-t, --type <type>", "the kind of job (default: found by asking the server)").choices(
        JOB_TYPES,
      ),
    );
  extra(cmd);
  addConnectionOptions(cmd, { timeout: true, json: "print one JSON document on stdout" })
    .addHelpText("after", ["", "Examples:", ...examples.map((e) => `  ${e}`)].join("\n"))
    .action(async (id: string | undefined, flags: JobFlags) => {
      ctx.exitCode = await runJobOp(op, id, flags, ctx);
    });
  return cmd;
}

export function registerJobs(program: Command, ctx: CommandContext): void {
  const noExtra = (cmd: Command) => {
    cmd.addOption(new Option("--format <format>").default("webp").hideHelp());
  };
  const saveOptions = (cmd: Command) => {
    cmd
      .option("-o, --out <dir>", "save the delivered images and their sidecars there (image jobs)")
      .addOption(
        new Option("--format <format>", "image file format").choices(["webp", "png"]).default("webp"),
      );
  };
  jobCommand(
    program,
    ctx,
    "check",
    "show the progress of a job: queue position, waiting/processing/finished, ETA, kudos",
    noExtra,
    ["horde check 0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a", "horde check <id> --json"],
  );
  jobCommand(
    program,
    ctx,
    "status",
    "show a job's progress and results (seeds, models, workers; texts; alchemy results)",
    saveOptions,
    ["horde status <id>", "horde status <id> --out pictures   # download what is finished"],
  );
  jobCommand(
    program,
    ctx,
    "cancel",
    "cancel a job on the server; what was finished is still shown (and saved with --out)",
    (cmd) => {
      saveOptions(cmd);
      cmd.option(
        "--all-pending",
        "cancel every unfinished job of this server in the job store (see 'horde jobs')",
      );
    },
    ["horde cancel <id>", "horde cancel <id> --out pictures", "horde cancel --all-pending"],
  );
}
