/**
 * The jobs `horde generate` keeps in its job store (jobs.json beside the config file) until their images are
 * saved: `horde jobs` lists them, `horde resume` collects what a killed or interrupted run left behind, and
 * `horde cancel --all-pending` gives up on them (cancelled on the server, so they cost nothing more).
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type { ResumedJob, StoredJob } from "horde-sdk";
import { jobStorePath } from "../config.js";
import type { Connection, ConnectionFlags } from "../connection.js";
import { addConnectionOptions, report, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import { followJob, progressMode } from "../follow.js";
import { loadNodeSdk, loadSdk } from "../lazy.js";
import { formatDuration } from "../output/format.js";
import { createProgress, FORMS, IMAGES, type JobUnit, TEXTS } from "../output/progress.js";
import { ensureOutDir, type OutputFormat, type SidecarRequest, saveImages } from "../output/save.js";
import { table } from "../output/table.js";

const NO_STORE =
  "there is no job store: the config directory is unknown (set HOME, XDG_CONFIG_HOME or HORDE_CONFIG)";

/** What `horde generate` notes with each job, for `horde resume` to save its images the same way. */
interface GenerateMeta {
  out?: string;
  format?: OutputFormat;
  request?: SidecarRequest;
}

/** The `--json` document of `horde jobs`, one per stored job. Scripts may rely on its shape. */
export interface StoredJobJson {
  key: string;
  id: string | null;
  kind: string;
  state: string;
  server: string;
  submitted_at: string;
  /** The `host:pid` of the horde command that follows it right now, or null when nothing does. */
  followed_by: string | null;
  prompt: string | null;
}

function metaOf(job: StoredJob): GenerateMeta {
  return (job.meta ?? {}) as GenerateMeta;
}

/** `waiting`, `finished, not collected`, `answer lost, may be running`, … */
function stateWords(job: StoredJob): string {
  if (job.state === "submitting") return "submit sent, no answer yet";
  if (job.state === "unidentified") return "answer lost, may be running";
  const p = job.progress;
  if (!p) return "submitted";
  if (p.faulted) return "faulted";
  if (p.done) return "finished, not collected";
  if (p.processing > 0) return `processing, ${p.finished}/${job.expected} finished`;
  return p.queue_position ? `waiting, queue ${p.queue_position}` : "waiting";
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

async function listStoredJobs(flags: { json?: boolean }, ctx: CommandContext): Promise<number> {
  try {
    await loadSdk(); // its errors (a corrupted store) are reported as the CLI reports the SDK's
    const path = jobStorePath(ctx.io.env);
    if (!path) throw new UsageError(NO_STORE);
    const store = new (await loadNodeSdk()).FileJobStore(path);
    const jobs = (await store.list()).sort((a, b) => a.submittedAt - b.submittedAt);
    const docs: StoredJobJson[] = await Promise.all(
      jobs.map(async (job) => ({
        key: job.key,
        id: job.id,
        kind: job.kind,
        state: stateWords(job),
        server: job.baseUrl,
        submitted_at: new Date(job.submittedAt).toISOString(),
        followed_by: job.holder && (await store.holderAlive(job.holder)) ? job.holder : null,
        prompt: metaOf(job).request?.prompt ?? null,
      })),
    );
    if (flags.json) {
      ctx.io.stdout.write(`${JSON.stringify(docs)}\n`);
      return ExitCode.Ok;
    }
    if (docs.length === 0) {
      ctx.io.stdout.write(`no jobs in the job store (${path})\n`);
      return ExitCode.Ok;
    }
    const now = Date.now();
    const rows = docs.map((doc, i) => ({ doc, job: jobs[i] as StoredJob }));
    ctx.io.stdout.write(
      `${table(rows, [
        { header: "ID", value: ({ doc }) => doc.id ?? `(key ${doc.key})` },
        { header: "KIND", value: ({ doc }) => doc.kind },
        { header: "STATE", value: ({ doc }) => doc.state },
        { header: "AGE", value: ({ job }) => formatDuration((now - job.submittedAt) / 1000), align: "right" },
        { header: "SERVER", value: ({ doc }) => host(doc.server) },
        {
          header: "FOLLOWED BY",
          value: ({ doc }) => (doc.followed_by ? `process ${doc.followed_by.split(":").at(-1)}` : "-"),
        },
        { header: "PROMPT", value: ({ doc }) => doc.prompt ?? "" },
      ])}\n`,
    );
    const left = docs.filter((d) => !d.followed_by).length;
    if (left > 0) {
      ctx.io.stderr.write(
        `horde: ${left} job${left === 1 ? "" : "s"} left behind: 'horde resume' collects them, 'horde cancel --all-pending' gives up on them\n`,
      );
    }
    return ExitCode.Ok;
  } catch (err) {
    return report(ctx, err, { baseUrl: "", local: false });
  }
}

interface ResumeFlags extends ConnectionFlags {
  out?: string;
  format: OutputFormat;
  takeOver?: boolean;
}

/** One line of `horde resume --json` per job. Scripts may rely on its shape. */
export interface ResumeJson {
  key: string;
  id: string | null;
  kind: string;
  /** collected, expired, unknown, held, failed */
  outcome: string;
  /** Saved image files (image jobs). */
  images?: string[];
  /** The texts (text jobs). */
  texts?: string[];
  /** Why it was not collected. */
  reason?: string;
}

const UNITS: Record<string, JobUnit> = { image: IMAGES, text: TEXTS, alchemy: FORMS };

async function runResume(ids: string[], flags: ResumeFlags, ctx: CommandContext): Promise<number> {
  const prepare = async () => {
    if (!jobStorePath(ctx.io.env)) throw new UsageError(NO_STORE);
    if (flags.out === undefined) return;
    try {
      await ensureOutDir(resolve(ctx.io.cwd, flags.out));
    } catch (err) {
      throw new UsageError(`cannot create the --out folder ${flags.out}: ${(err as Error).message}`);
    }
  };
  const options = { devWorkers: [], prepare, jobStore: true };
  return withConnection(ctx, flags, options, async (conn) => {
    const resumed = await conn.client.resumeJobs({
      ...(ids.length > 0 ? { only: ids } : {}),
      takeOver: flags.takeOver === true,
      signal: conn.signal,
    });
    let code: number = ExitCode.Ok;
    const worse = (c: number) => {
      if (code === ExitCode.Ok || c === ExitCode.Server) code = c;
    };
    for (const id of ids) {
      if (!resumed.some((r) => r.key === id || r.stored.id === id)) {
        ctx.io.stderr.write(`horde: no job ${id} of ${host(conn.config.baseUrl)} in the job store\n`);
        worse(ExitCode.JobFailed);
      }
    }
    if (resumed.length === 0 && ids.length === 0) {
      ctx.io.stderr.write(`horde: no jobs of ${host(conn.config.baseUrl)} to resume\n`);
    }
    const docs: ResumeJson[] = [];
    for (const r of resumed) {
      const doc = await collect(ctx, conn, r, flags);
      docs.push(doc);
      if (doc.outcome === "failed") worse(ExitCode.Server);
      else if (doc.outcome === "expired" || doc.outcome === "unknown") worse(ExitCode.JobFailed);
    }
    if (flags.json) ctx.io.stdout.write(`${JSON.stringify(docs)}\n`);
    return code;
  });
}

/** Collects one resumed job (saving its images), or says why it cannot be. */
async function collect(
  ctx: CommandContext,
  conn: Connection,
  r: ResumedJob,
  flags: ResumeFlags,
): Promise<ResumeJson> {
  const io = ctx.io;
  const base = { key: r.key, id: r.job?.id ?? r.stored.id, kind: r.kind };
  const which = `job ${base.id ?? `(key ${r.key})`}`;
  if (r.job === null) {
    const outcome = r.state === "error" ? "failed" : r.state;
    const hint = r.state === "held" ? "; --take-over collects it here" : "";
    io.stderr.write(`horde: ${which} (${r.kind}): ${r.state}: ${r.reason}${hint}\n`);
    return { ...base, outcome, reason: r.reason };
  }
  const meta = metaOf(r.stored);
  const progress = createProgress(progressMode(ctx, flags.json === true), io.stderr);
  const job = r.job;
  const outcome = await followJob({
    ctx,
    conn,
    progress,
    total: r.stored.expected,
    label: `resumed ${r.kind} job`,
    unit: UNITS[r.kind],
    kind: r.kind,
    timeoutSeconds: flags.timeout,
    run: async (hooks) => {
      hooks.submitted(job.id);
      const wait = {
        signal: hooks.signal,
        onProgress: (e: { id: string; progress: object }) => hooks.progress(e.id, e.progress),
      };
      if (r.kind === "image") return { image: await r.job.wait(wait) };
      if (r.kind === "text") return { text: await r.job.wait(wait) };
      return { alchemy: await r.job.wait(wait) };
    },
  });
  if (!outcome.ok) return { ...base, outcome: "failed" };
  const { result } = outcome;
  if (result.image) {
    const images = result.image.images;
    const request = meta.request ?? { prompt: "", params: {}, server: conn.config.baseUrl };
    const out = flags.out ?? meta.out ?? ".";
    const saved = await saveImages(out, job.id, images, request, io.cwd, meta.format ?? flags.format);
    outcome.job.finished(job.id, result.image.status.kudos ?? undefined);
    progress.stop();
    if (!flags.json) for (const image of saved.saved) io.stdout.write(`${image.path}\n`);
    if (saved.missing.length > 0) {
      io.stderr.write(
        `horde: ${saved.missing.length} of ${images.length} images of ${which} could not be downloaded\n`,
      );
      return {
        ...base,
        outcome: "failed",
        images: saved.saved.map((s) => s.path),
        reason: "download failed",
      };
    }
    return { ...base, outcome: "collected", images: saved.saved.map((s) => s.path) };
  }
  outcome.job.finished(job.id, undefined);
  progress.stop();
  if (result.text) {
    if (!flags.json) io.stdout.write(`${result.text.texts.join("\n")}\n`);
    return { ...base, outcome: "collected", texts: result.text.texts };
  }
  const forms = result.alchemy?.forms ?? [];
  if (!flags.json)
    io.stdout.write(
      `${which} (alchemy): ${forms.filter((f) => f.isDone).length}/${forms.length} forms done\n`,
    );
  return { ...base, outcome: "collected" };
}

/** `horde cancel --all-pending`: every unfinished job of this server in the store, cancelled on the server. */
export async function cancelAllPending(flags: ConnectionFlags, ctx: CommandContext): Promise<number> {
  const prepare = async () => {
    if (!jobStorePath(ctx.io.env)) throw new UsageError(NO_STORE);
  };
  const options = { devWorkers: [], prepare, jobStore: true, timeoutSeconds: flags.timeout };
  return withConnection(ctx, flags, options, async (conn) => {
    const resumed = await conn.client.resumeJobs({ takeOver: true, signal: conn.signal });
    let code: number = ExitCode.Ok;
    const docs: { key: string; id: string | null; kind: string; outcome: string; reason?: string }[] = [];
    for (const r of resumed) {
      const id = r.job?.id ?? r.stored.id;
      const which = `job ${id ?? `(key ${r.key})`} (${r.kind})`;
      let outcome: string;
      let reason: string | undefined;
      if (r.job === null) {
        outcome = r.state === "expired" ? "expired" : "not cancelled";
        reason = r.reason;
        if (r.state !== "expired") code = r.state === "error" ? ExitCode.Server : ExitCode.JobFailed;
      } else if (r.state === "done") {
        // Finished: it costs nothing more, and its images are paid for. Left for `horde resume`.
        outcome = "finished";
        reason = "left in the job store for 'horde resume'";
      } else {
        try {
          await r.job.cancel();
          outcome = "cancelled";
        } catch (err) {
          outcome = "not cancelled";
          reason = (err as Error).message;
          code = ExitCode.Server;
        }
      }
      docs.push({ key: r.key, id, kind: r.kind, outcome, ...(reason ? { reason } : {}) });
      if (!flags.json) {
        const line = `${which}: ${outcome}${reason ? ` (${reason})` : ""}`;
        (outcome === "not cancelled" ? ctx.io.stderr : ctx.io.stdout).write(
          outcome === "not cancelled" ? `horde: ${line}\n` : `${line}\n`,
        );
      }
    }
    if (flags.json) ctx.io.stdout.write(`${JSON.stringify(docs)}\n`);
    else if (resumed.length === 0)
      ctx.io.stdout.write(`no pending jobs of ${host(conn.config.baseUrl)} in the job store\n`);
    return code;
  });
}

export function registerStoredJobs(program: Command, ctx: CommandContext): void {
  program
    .command("jobs")
    .description("list the jobs in the job store: what 'horde generate' runs follow, or left behind")
    .option("--json", "print one JSON array on stdout")
    .addHelpText(
      "after",
      [
        "",
        "The job store is jobs.json beside the config file. 'horde generate' keeps each job there from",
        "before its submit until its images are saved; a run that was killed leaves its jobs behind.",
        "",
        "Examples:",
        "  horde jobs",
        "  horde resume            # collect what killed runs left behind",
        "  horde cancel --all-pending",
      ].join("\n"),
    )
    .action(async (flags: { json?: boolean }) => {
      ctx.exitCode = await listStoredJobs(flags, ctx);
    });

  const resume = program
    .command("resume")
    .description("collect the jobs killed or interrupted 'horde generate' runs left in the job store")
    .argument(
      "[id...]",
      "request ids (or job-store keys, see 'horde jobs'); default: every job of this server",
    )
    .option("-o, --out <dir>", "save the images there (default: the --out of the run that submitted them)")
    .addOption(
      new Option("--format <format>", "image file format, when the run did not say")
        .choices(["webp", "png"])
        .default("webp"),
    )
    .option("--take-over", "also collect jobs that another running horde command follows");
  addConnectionOptions(resume, { timeout: true, json: "print one JSON array on stdout (an entry per job)" })
    .addHelpText(
      "after",
      [
        "",
        "Finished jobs are collected at once, running ones followed to their end; a job the server no longer",
        "has (20 minutes after its last activity) is dropped from the store.",
        "",
        "Examples:",
        "  horde resume",
        "  horde resume 0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a --out pictures",
      ].join("\n"),
    )
    .action(async (ids: string[], flags: ResumeFlags) => {
      ctx.exitCode = await runResume(ids, flags, ctx);
    });
}
