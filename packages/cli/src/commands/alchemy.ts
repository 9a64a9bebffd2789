import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { Option } from "commander";
import type {
  AlchemyAsyncPayload,
  AlchemyFormStatus,
  AlchemyStatusResponse,
  RunAlchemyResult,
} from "horde-sdk";
import {
  KNOWN_ALCHEMY_ANALYSIS_FORMS as ANALYSIS_FORMS,
  KNOWN_FACEFIXERS as FACEFIXERS,
  KNOWN_MISC_POST_PROCESSORS as MISC_POST_PROCESSORS,
  KNOWN_UPSCALERS as UPSCALERS,
} from "horde-sdk/known";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { readImageArg } from "../files.js";
import { fail, followJob, progressMode } from "../follow.js";
import { loadSdk } from "../lazy.js";
import type { ProgressCheck } from "../output/format.js";
import { createProgress, FORMS } from "../output/progress.js";
import { encodeAs, type OutputFormat } from "../output/save.js";
import { seconds as secondsArg } from "../parse.js";

export interface AlchemyFlags extends ConnectionFlags {
  out: string;
  format: OutputFormat;
}

/** The `--json` document of `horde alchemy`. Its shape is stable: scripts rely on it. */
export interface AlchemyJsonResult {
  id: string;
  forms: { form: string; state: string | null; result: unknown; path: string | null }[];
}

const KNOWN_FORMS: readonly string[] = [
  ...ANALYSIS_FORMS,
  ...UPSCALERS,
  ...FACEFIXERS,
  ...MISC_POST_PROCESSORS,
];

export function registerAlchemy(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("alchemy")
    .description(
      "caption, interrogate, check or post-process (upscale, fix faces, strip background) an image",
    )
    .argument("<image>", "the image: a PNG, JPEG or WebP file, or an http(s) URL")
    .argument(
      "<form...>",
      "what to do: caption, interrogation, nsfw, an upscaler, a face fixer, strip_background, …",
    )
    .option("--local", "run on an in-process emulator with a dev alchemist (offline, no kudos)")
    .option("-o, --out <dir>", "folder for the images post-processors return (created if missing)", ".")
    .addOption(new Option("--format <format>", "image file format").choices(["webp", "png"]).default("webp"))
    .option("--timeout <seconds>", "give up (and cancel the job) after this many seconds", secondsArg)
    .option("--json", "print one JSON document with the results on stdout, nothing else");
  addConnectionOptions(cmd)
    .addHelpText(
      "after",
      [
        "",
        "Forms:",
        ...formList("analysis", ANALYSIS_FORMS),
        ...formList("upscalers", UPSCALERS),
        ...formList("face fixers", FACEFIXERS),
        ...formList("other", MISC_POST_PROCESSORS),
        "",
        "Each result is printed as 'form: result'; images are saved as <out>/<id>-<form>.webp (or .png).",
        "",
        "Examples:",
        "  horde alchemy photo.jpg caption nsfw --local",
        "  horde alchemy photo.jpg RealESRGAN_x4plus --out upscaled",
        "  horde alchemy https://example.com/cat.png interrogation --json",
      ].join("\n"),
    )
    .action(async (image: string, forms: string[], flags: AlchemyFlags) => {
      ctx.exitCode = await runAlchemy(image, forms, flags, ctx);
    });
  return cmd;
}

/** `  upscalers:   a, b, c,` wrapped at 100 columns, continuation lines indented. */
function formList(title: string, forms: readonly string[]): string[] {
  const indent = " ".repeat(16);
  const lines: string[] = [];
  let line = `  ${`${title}:`.padEnd(14)}`;
  for (const [i, form] of forms.entries()) {
    const item = `${form}${i < forms.length - 1 ? "," : ""}`;
    if (line.trim().length > 0 && line.length + item.length + 1 > 100 && line.length > indent.length) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += line.endsWith(" ") ? item : ` ${item}`;
  }
  lines.push(line.trimEnd());
  return lines;
}

function checkForms(forms: string[]): string[] {
  const unique = [
    ...new Set(
      forms
        .flatMap((f) => f.split(","))
        .map((f) => f.trim())
        .filter((f) => f !== ""),
    ),
  ];
  if (unique.length === 0) throw new UsageError("name at least one form (e.g. caption)");
  for (const form of unique) {
    if (KNOWN_FORMS.includes(form)) continue;
    const lower = form.toLowerCase();
    const near = KNOWN_FORMS.find((k) => k.toLowerCase() === lower || k.toLowerCase().startsWith(lower));
    const hint = near ? ` (did you mean ${near}?)` : ` (see 'horde alchemy --help' for the forms)`;
    throw new UsageError(`unknown alchemy form '${form}'${hint}`);
  }
  return unique;
}

/** Alchemy has no /check: its /status lists the forms; the bar counts finished forms. */
export function alchemyProgress(status: AlchemyStatusResponse): ProgressCheck {
  const states = status.forms.map((f) => f.state ?? "");
  const count = (s: string) => states.filter((x) => x === s).length;
  return {
    finished: status.forms.filter((f) => f.isFinished).length,
    processing: count("processing"),
    waiting: count("waiting"),
    done: status.done,
    faulted: status.faulted,
  };
}

/** One line per form: `caption: a cat on a sofa`. */
export function describeResult(form: AlchemyFormStatus): string {
  const name = String(form.form);
  if (form.state !== "done") return `${name}: ${form.state ?? "unknown"}`;
  const result = (form.result ?? {}) as Record<string, unknown>;
  if (form.caption !== undefined) return `${name}: ${form.caption}`;
  if (form.nsfw !== undefined) return `${name}: ${form.nsfw ? "NSFW" : "safe"}`;
  if (name === "interrogation" && result.interrogation && typeof result.interrogation === "object") {
    const parts: string[] = [];
    for (const [kind, entries] of Object.entries(result.interrogation as Record<string, unknown>)) {
      if (!Array.isArray(entries) || entries.length === 0) continue;
      const texts = entries
        .slice(0, 5)
        .map((e) => (e && typeof e === "object" ? String((e as { text?: unknown }).text ?? "") : String(e)))
        .filter((t) => t !== "");
      if (texts.length > 0) parts.push(`${kind}: ${texts.join(", ")}`);
    }
    return `${name}: ${parts.join("; ") || "(nothing)"}`;
  }
  const value = name in result ? result[name] : result;
  return `${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`;
}

export async function runAlchemy(
  image: string,
  rawForms: string[],
  flags: AlchemyFlags,
  ctx: CommandContext,
): Promise<number> {
  let payload: AlchemyAsyncPayload | undefined;
  const prepare = async () => {
    const forms = checkForms(rawForms);
    const source = await readImageArg(image, "<image>", ctx.io.cwd);
    payload = { forms: forms.map((name) => ({ name })), source_image: source };
    const { AlchemyAsyncRequest, isPostProcessorForm } = await loadSdk();
    new AlchemyAsyncRequest(payload); // validated now: nothing invalid is ever sent
    if (forms.some(isPostProcessorForm)) {
      try {
        await mkdir(resolve(ctx.io.cwd, flags.out), { recursive: true });
      } catch (err) {
        throw new UsageError(`cannot create the --out folder ${flags.out}: ${(err as Error).message}`);
      }
    }
  };
  return withConnection(ctx, flags, { devWorkers: [{ type: "alchemy" }], prepare }, (conn) =>
    run(ctx, conn, payload as AlchemyAsyncPayload, flags),
  );
}

async function run(
  ctx: CommandContext,
  conn: Connection,
  payload: AlchemyAsyncPayload,
  flags: AlchemyFlags,
): Promise<number> {
  const json = flags.json === true;
  const progress = createProgress(progressMode(ctx, json), ctx.io.stderr);
  const where = conn.config.local ? "local emulator" : new URL(conn.config.baseUrl).host;
  const outcome = await followJob<RunAlchemyResult>({
    ctx,
    conn,
    progress,
    total: payload.forms.length,
    label: `${payload.forms.map((f) => f.name).join(", ")}, on ${where}`,
    unit: FORMS,
    kind: "alchemy",
    timeoutSeconds: flags.timeout,
    run: (hooks) =>
      conn.client.runAlchemy(payload, {
        signal: hooks.signal,
        onSubmitted: (response) => hooks.submitted(response.id),
        onProgress: (event) => hooks.progress(event.id, alchemyProgress(event.progress)),
      }),
  });
  if (!outcome.ok) return outcome.code;
  const { result, job } = outcome;

  const paths = new Map<string, string>();
  const failedDownloads: string[] = [];
  try {
    for (const img of result.images) {
      if (!img.bytes) {
        failedDownloads.push(img.form);
        continue;
      }
      const path = join(flags.out, `${result.id}-${img.form}.${flags.format}`);
      await writeFile(resolve(ctx.io.cwd, path), await encodeAs(img.bytes, flags.format));
      paths.set(img.form, path);
    }
  } catch (err) {
    job.failed("not saved");
    progress.stop();
    return fail(
      ctx,
      new CliError(`cannot save the images of job ${result.id}: ${(err as Error).message}`, 1),
    );
  }
  const faulted = result.forms.filter((f) => f.state === "faulted").map((f) => String(f.form));
  if (faulted.length === result.forms.length) job.failed("faulted");
  else job.finished(result.id, undefined);
  progress.stop();

  if (json) {
    const doc: AlchemyJsonResult = {
      id: result.id,
      forms: result.forms.map((f) => ({
        form: String(f.form),
        state: f.state ?? null,
        result: f.result ?? null,
        path: paths.get(String(f.form)) ?? null,
      })),
    };
    ctx.io.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    for (const form of result.forms) {
      const path = paths.get(String(form.form));
      ctx.io.stdout.write(`${path ? `${form.form}: ${path}` : describeResult(form)}\n`);
    }
  }
  if (faulted.length > 0) {
    return fail(
      ctx,
      new CliError(`job ${result.id}: ${faulted.join(", ")} faulted on the worker`, ExitCode.JobFailed),
    );
  }
  if (failedDownloads.length > 0) {
    return fail(
      ctx,
      new CliError(
        `job ${result.id}: could not download the result of ${failedDownloads.join(", ")}`,
        ExitCode.Server,
      ),
    );
  }
  return ExitCode.Ok;
}
