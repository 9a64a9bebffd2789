/** `horde models`, `horde workers`, `horde user`: what the horde knows, as tables or JSON. */
import { type Command, Option } from "commander";
import type { ActiveModel, UserDetailsResponse, WorkerDetailItem } from "horde-sdk";
import { addConnectionOptions, type ConnectionFlags, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { loadSdk } from "../lazy.js";
import { formatDuration } from "../output/format.js";
import { keyValues, num, table } from "../output/table.js";
import { nonEmptyText } from "../parse.js";

const LOCAL_HELP = "ask an in-process emulator (with one dev worker of each kind) instead";
const SERVER_FIELDS_JSON = "print one JSON document on stdout (the server's fields)";

/** Prints a value as JSON: the server's own field names, one document. */
function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout.write(`${JSON.stringify(value)}\n`);
}

const LOCAL_WORKERS = [{ type: "image" as const }, { type: "text" as const }, { type: "alchemy" as const }];

// --- models ---------------------------------------------------------------------------------------------------

interface ModelsFlags extends ConnectionFlags {
  type: "image" | "text";
  search?: string;
  sort: "workers" | "name" | "queue" | "eta";
}

/** The `--json` document of `horde models`: one object per model, with the server's field names. */
export interface ModelJson {
  name: string;
  type: string | null;
  count: number;
  queued: number | null;
  jobs: number | null;
  eta: number | null;
  performance: number | null;
}

export function registerModels(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("models")
    .description("list the models workers serve right now, with worker counts, queue and ETA")
    .addOption(
      new Option("-t, --type <type>", "image or text models").choices(["image", "text"]).default("image"),
    )
    .option(
      "-s, --search <text>",
      "only models whose name contains this text (case-insensitive)",
      nonEmptyText,
    )
    .addOption(
      new Option("--sort <key>", "sort by").choices(["workers", "name", "queue", "eta"]).default("workers"),
    );
  addConnectionOptions(cmd, { local: LOCAL_HELP, timeout: true, json: "print one JSON array on stdout" })
    .addHelpText(
      "after",
      ["", "Examples:", "  horde models", "  horde models --type text --search llama --json"].join("\n"),
    )
    .action(async (flags: ModelsFlags) => {
      ctx.exitCode = await withConnection(
        ctx,
        flags,
        { devWorkers: LOCAL_WORKERS, waitForDevWorkers: true, timeoutSeconds: flags.timeout },
        async (conn) => {
          const response = await conn.client.getModels({ type: flags.type }, { signal: conn.signal });
          const needle = flags.search?.toLowerCase();
          const models: ModelJson[] = [...response]
            .map((m: ActiveModel) => ({
              name: String(m.name ?? ""),
              type: m.type ?? flags.type,
              count: m.count ?? 0,
              queued: m.queued ?? null,
              jobs: m.jobs ?? null,
              eta: m.eta ?? null,
              performance: m.performance ?? null,
            }))
            .filter((m) => needle === undefined || m.name.toLowerCase().includes(needle));
          const by: Record<ModelsFlags["sort"], (a: ModelJson, b: ModelJson) => number> = {
            workers: (a, b) => b.count - a.count || a.name.localeCompare(b.name),
            name: (a, b) => a.name.localeCompare(b.name),
            queue: (a, b) => (b.queued ?? 0) - (a.queued ?? 0) || a.name.localeCompare(b.name),
            eta: (a, b) => (a.eta ?? 0) - (b.eta ?? 0) || a.name.localeCompare(b.name),
          };
          models.sort(by[flags.sort]);
          if (flags.json) {
            printJson(ctx, models);
            return ExitCode.Ok;
          }
          if (models.length === 0) {
            ctx.io.stderr.write(
              `horde: no ${flags.type} models${needle ? ` matching '${flags.search}'` : ""} are served right now\n`,
            );
            return ExitCode.Ok;
          }
          const queueUnit = flags.type === "image" ? "MPS" : "TOKENS";
          ctx.io.stdout.write(
            `${table(models, [
              { header: "MODEL", value: (m) => m.name },
              { header: "WORKERS", value: (m) => String(m.count), align: "right" },
              { header: "JOBS", value: (m) => num(m.jobs), align: "right" },
              { header: `QUEUED ${queueUnit}`, value: (m) => num(m.queued), align: "right" },
              { header: "ETA", value: (m) => (m.eta === null ? "-" : formatDuration(m.eta)), align: "right" },
            ])}\n`,
          );
          return ExitCode.Ok;
        },
      );
    });
  return cmd;
}

// --- workers --------------------------------------------------------------------------------------------------

interface WorkersFlags extends ConnectionFlags {
  type?: "image" | "text" | "alchemy";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function workerState(w: WorkerDetailItem): string {
  if (w.maintenance_mode) return "maintenance";
  if (w.paused) return "paused";
  return w.online === false ? "offline" : "online";
}

function workerKind(type: string | null | undefined): string {
  return type === "interrogation" ? "alchemy" : String(type ?? "?");
}

export function registerWorkers(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("workers")
    .description("list the active workers, or show one worker by name or id")
    .argument("[name-or-id]", "one worker to show in detail")
    .addOption(
      new Option("-t, --type <type>", "only workers of this kind").choices(["image", "text", "alchemy"]),
    );
  addConnectionOptions(cmd, { local: LOCAL_HELP, timeout: true, json: SERVER_FIELDS_JSON })
    .addHelpText(
      "after",
      ["", "Examples:", "  horde workers --type image", '  horde workers "My Worker" --json'].join("\n"),
    )
    .action(async (nameOrId: string | undefined, flags: WorkersFlags) => {
      ctx.exitCode = await withConnection(
        ctx,
        flags,
        { devWorkers: LOCAL_WORKERS, waitForDevWorkers: true, timeoutSeconds: flags.timeout },
        async (conn) => {
          if (nameOrId !== undefined) {
            const key = nameOrId.trim();
            if (key === "") throw new UsageError("the worker name is empty");
            let worker: WorkerDetailItem;
            try {
              worker = UUID.test(key)
                ? await conn.client.getWorker(key, {}, { signal: conn.signal })
                : await conn.client.getWorkerByName(key, {}, { signal: conn.signal });
            } catch (err) {
              const { AIHordeRequestError } = await loadSdk();
              if (err instanceof AIHordeRequestError && err.status === 404) {
                throw new CliError(
                  `no worker ${UUID.test(key) ? "with id" : "named"} '${key}'`,
                  ExitCode.JobFailed,
                );
              }
              throw err;
            }
            if (flags.json) {
              printJson(ctx, worker.toJSON());
              return ExitCode.Ok;
            }
            const rows: [string, string][] = [
              ["name", String(worker.name ?? "")],
              ["id", String(worker.id ?? "")],
              ["type", workerKind(worker.type)],
              ["state", workerState(worker)],
              ["owner", String(worker.owner ?? "-")],
              ["performance", String(worker.performance ?? "-")],
              ["uptime", worker.uptime ? formatDuration(worker.uptime) : "-"],
              ["requests", num(worker.requests_fulfilled)],
              ["kudos", num(worker.kudos_rewards)],
              ["trusted", worker.trusted ? "yes" : "no"],
              ["nsfw", worker.nsfw ? "yes" : "no"],
              ["bridge", String(worker.bridge_agent ?? "-")],
            ];
            if (worker.max_pixels) rows.push(["max pixels", num(worker.max_pixels)]);
            if (worker.models && worker.models.length > 0) rows.push(["models", worker.models.join(", ")]);
            if (worker.forms && worker.forms.length > 0) rows.push(["forms", worker.forms.join(", ")]);
            if (worker.info) rows.push(["info", worker.info]);
            ctx.io.stdout.write(`${keyValues(rows)}\n`);
            return ExitCode.Ok;
          }
          const type = flags.type === "alchemy" ? "interrogation" : flags.type;
          const response = await conn.client.getWorkers(type ? { type } : {}, { signal: conn.signal });
          const workers = [...response].sort((a, b) => String(a.name).localeCompare(String(b.name)));
          if (flags.json) {
            printJson(
              ctx,
              workers.map((w) => w.toJSON()),
            );
            return ExitCode.Ok;
          }
          if (workers.length === 0) {
            ctx.io.stderr.write(
              `horde: no ${flags.type ? `${flags.type} ` : ""}workers are active right now\n`,
            );
            return ExitCode.Ok;
          }
          ctx.io.stdout.write(
            `${table(workers, [
              { header: "NAME", value: (w) => String(w.name ?? "") },
              { header: "ID", value: (w) => String(w.id ?? "") },
              { header: "TYPE", value: (w) => workerKind(w.type) },
              { header: "STATE", value: workerState },
              { header: "PERFORMANCE", value: (w) => String(w.performance ?? "-") },
              { header: "MODELS", value: (w) => modelsCell(w) },
            ])}\n`,
          );
          return ExitCode.Ok;
        },
      );
    });
  return cmd;
}

function modelsCell(w: WorkerDetailItem): string {
  const list = (w.type === "interrogation" ? w.forms : w.models) ?? [];
  if (list.length <= 2) return list.join(", ");
  return `${list.slice(0, 2).join(", ")} +${list.length - 2}`;
}

// --- user -----------------------------------------------------------------------------------------------------

export function registerUser(program: Command, ctx: CommandContext): Command {
  const cmd = program
    .command("user")
    .description("show the account behind your API key (find_user), or a user by id")
    .argument("[user-id]", "a user's number (the part after # in alias#123)");
  addConnectionOptions(cmd, { local: LOCAL_HELP, timeout: true, json: SERVER_FIELDS_JSON })
    .addHelpText("after", ["", "Examples:", "  horde user", "  horde user 6572 --json"].join("\n"))
    .action(async (userId: string | undefined, flags: ConnectionFlags) => {
      ctx.exitCode = await withConnection(
        ctx,
        flags,
        {
          devWorkers: [],
          timeoutSeconds: flags.timeout,
          prepare: async () => {
            if (userId !== undefined && !/^\d+$/.test(userId.replace(/^.*#/, "").trim())) {
              throw new UsageError(`a user id is a number, like 6572 (or alias#6572); got '${userId}'`);
            }
          },
        },
        async (conn) => {
          let user: UserDetailsResponse;
          try {
            user =
              userId === undefined
                ? await conn.client.findUser({}, { signal: conn.signal })
                : await conn.client.getUser(userId.replace(/^.*#/, "").trim(), {}, { signal: conn.signal });
          } catch (err) {
            const { AIHordeRequestError } = await loadSdk();
            if (err instanceof AIHordeRequestError && err.status === 404) {
              const what = userId === undefined ? "no user has this API key" : `no user with id ${userId}`;
              throw new CliError(what, ExitCode.JobFailed);
            }
            throw err;
          }
          if (flags.json) {
            printJson(ctx, user.toJSON());
            return ExitCode.Ok;
          }
          const usage = (user.usage ?? {}) as Record<string, unknown>;
          const contributions = (user.contributions ?? {}) as Record<string, unknown>;
          const rows: [string, string][] = [
            ["user", String(user.username ?? "")],
            ["id", num(user.id)],
            ["kudos", num(user.kudos)],
            ["concurrency", num(user.concurrency)],
            ["workers", num(user.worker_count)],
            ["trusted", user.trusted ? "yes" : "no"],
          ];
          if (typeof usage.requests === "number") rows.push(["requests", num(usage.requests)]);
          if (typeof usage.megapixelsteps === "number")
            rows.push(["megapixelsteps used", num(usage.megapixelsteps)]);
          if (typeof contributions.megapixelsteps === "number") {
            rows.push(["megapixelsteps given", num(contributions.megapixelsteps)]);
          }
          if (user.account_age) rows.push(["account age", formatDuration(user.account_age)]);
          if (user.moderator) rows.push(["moderator", "yes"]);
          ctx.io.stdout.write(`${keyValues(rows)}\n`);
          return ExitCode.Ok;
        },
      );
    });
  return cmd;
}
