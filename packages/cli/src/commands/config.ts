/** `horde config`: the effective settings and where each comes from; `set`/`unset` edit the config file. */
import { type Command, InvalidArgumentError } from "commander";
import {
  type Config,
  type ConfigKey,
  configPath,
  describeSource,
  maskApiKey,
  readConfigFile,
  resolveConfig,
  writeConfigFile,
} from "../config.js";
import { AGENT_HELP, KEY_HELP, URL_HELP } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { fail } from "../follow.js";
import { type Column, table } from "../output/table.js";
import { httpUrl } from "../parse.js";

interface ShowFlags {
  json?: boolean;
  url?: string;
  apiKey?: string;
  clientAgent?: string;
}

/** The `--json` document of `horde config`. The key is masked. */
export interface ConfigJson {
  file: { path: string | null; exists: boolean };
  url: { value: string; source: string };
  api_key: { value: string; source: string };
  client_agent: { value: string; source: string };
}

/** `url`, `api-key`, `client-agent` on the command line; `url`, `api_key`, `client_agent` in the file. */
function settingName(value: string): ConfigKey {
  const key = value.trim().toLowerCase().replace(/-/g, "_");
  if (key === "url" || key === "api_key" || key === "client_agent") return key;
  throw new InvalidArgumentError("Must be url, api-key or client-agent.");
}

function sourceText(config: Config, setting: "url" | "apiKey" | "clientAgent"): string {
  const source = config.sources[setting];
  if (source === "file") return `config file`;
  if (source === "env") return `env ${describeSource(source, setting)}`;
  if (source === "flag") return `flag ${describeSource(source, setting)}`;
  return source;
}

export function registerConfig(program: Command, ctx: CommandContext): Command {
  const config = program
    .command("config")
    .description("show the effective URL, client agent and (masked) API key, and where each comes from")
    .option("--json", "print one JSON document on stdout")
    .option("--url <url>", URL_HELP, httpUrl)
    .option("--api-key <key>", KEY_HELP)
    .option("--client-agent <agent>", AGENT_HELP)
    .addHelpText(
      "after",
      [
        "",
        "Settings come from flags, then the environment (HORDE_URL, HORDE_API_KEY, HORDE_CLIENT_AGENT), then",
        "the config file: $HORDE_CONFIG, else $XDG_CONFIG_HOME/horde/config.json, else ~/.config/horde/config.json.",
        "The API key is never printed, only its last 4 characters.",
        "",
        "Examples:",
        "  horde config",
        "  horde config set url http://127.0.0.1:7001/api",
        '  echo "$MY_KEY" | horde config set api-key      # the key stays out of your shell history',
        "  horde config unset api-key",
      ].join("\n"),
    )
    .action(async (flags: ShowFlags) => {
      ctx.exitCode = await show(flags, ctx);
    });

  config
    .command("set")
    .description("save a setting in the config file (the value is read from stdin when omitted)")
    .argument("<setting>", "url, api-key or client-agent", settingName)
    .argument("[value]", "the value (omit it to read the value from standard input)")
    .action(async (setting: ConfigKey, value: string | undefined) => {
      ctx.exitCode = await set(setting, value, ctx);
    });

  config
    .command("unset")
    .description("remove a setting from the config file")
    .argument("<setting>", "url, api-key or client-agent", settingName)
    .action(async (setting: ConfigKey) => {
      ctx.exitCode = await unset(setting, ctx);
    });

  config
    .command("path")
    .description("print the config file's path")
    .action(() => {
      const path = configPath(ctx.io.env);
      if (!path) {
        ctx.exitCode = fail(
          ctx,
          new UsageError("no config file: neither HORDE_CONFIG, XDG_CONFIG_HOME nor HOME is set"),
        );
        return;
      }
      ctx.io.stdout.write(`${path}\n`);
    });
  return config;
}

async function show(flags: ShowFlags, ctx: CommandContext): Promise<number> {
  const path = configPath(ctx.io.env);
  let file: Awaited<ReturnType<typeof readConfigFile>>;
  try {
    file = await readConfigFile(path);
  } catch (err) {
    return fail(ctx, err as CliError);
  }
  const config = resolveConfig(flags, ctx.io.env, ctx.version, file.file, path);
  ctx.addSecret(config.apiKey);
  const doc: ConfigJson = {
    file: { path: path ?? null, exists: file.exists },
    url: { value: config.baseUrl, source: sourceText(config, "url") },
    api_key: { value: maskApiKey(config.apiKey), source: sourceText(config, "apiKey") },
    client_agent: { value: config.clientAgent, source: sourceText(config, "clientAgent") },
  };
  if (flags.json) {
    ctx.io.stdout.write(`${JSON.stringify(doc)}\n`);
    return ExitCode.Ok;
  }
  const rows: [string, string, string][] = [
    ["url", doc.url.value, doc.url.source],
    ["api key", doc.api_key.value, doc.api_key.source],
    ["client agent", doc.client_agent.value, doc.client_agent.source],
    ["config file", path ?? "(none: HOME is not set)", path ? (file.exists ? "found" : "not found") : ""],
  ];
  const columns: Column<(typeof rows)[number]>[] = [
    { header: "", value: ([k]) => k },
    { header: "", value: ([, v]) => v },
    { header: "", value: ([, , s]) => (s ? `(${s})` : "") },
  ];
  ctx.io.stdout.write(`${table(rows, columns, { headers: false })}\n`);
  return ExitCode.Ok;
}

async function set(setting: ConfigKey, rawValue: string | undefined, ctx: CommandContext): Promise<number> {
  const path = configPath(ctx.io.env);
  try {
    if (!path) throw new UsageError("no config file: neither HORDE_CONFIG, XDG_CONFIG_HOME nor HOME is set");
    const value = (rawValue ?? (await ctx.io.readStdin())).trim();
    if (setting === "api_key") ctx.addSecret(value);
    if (value === "") throw new UsageError(`the value of ${setting.replace(/_/g, "-")} is empty`);
    if (setting === "url") {
      try {
        httpUrl(value);
      } catch {
        throw new UsageError(`url must be an http(s) URL, e.g. https://aihorde.net/api (got '${value}')`);
      }
    }
    if (setting === "client_agent" && !/^[^:\s]+:[^:\s]+:\S.*$/.test(value)) {
      throw new UsageError(
        "client-agent must look like name:version:contact, e.g. my-script:1.0:me@example.com",
      );
    }
    const { file } = await readConfigFile(path);
    file[setting] = setting === "url" ? value.replace(/\/+$/, "") : value;
    await writeConfigFile(path, file);
    const shown = setting === "api_key" ? maskApiKey(value) : file[setting];
    ctx.io.stderr.write(`horde: ${setting.replace(/_/g, "-")} = ${shown} saved in ${path}\n`);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CliError) return fail(ctx, err);
    return fail(ctx, new CliError(`cannot write ${path}: ${(err as Error).message}`, ExitCode.JobFailed));
  }
}

async function unset(setting: ConfigKey, ctx: CommandContext): Promise<number> {
  const path = configPath(ctx.io.env);
  try {
    if (!path) throw new UsageError("no config file: neither HORDE_CONFIG, XDG_CONFIG_HOME nor HOME is set");
    const { file, exists } = await readConfigFile(path);
    if (!exists || file[setting] === undefined) {
      ctx.io.stderr.write(`horde: ${setting.replace(/_/g, "-")} is not set in ${path}\n`);
      return ExitCode.Ok;
    }
    delete file[setting];
    await writeConfigFile(path, file);
    ctx.io.stderr.write(`horde: removed ${setting.replace(/_/g, "-")} from ${path}\n`);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CliError) return fail(ctx, err);
    return fail(ctx, new CliError(`cannot write ${path}: ${(err as Error).message}`, ExitCode.JobFailed));
  }
}
