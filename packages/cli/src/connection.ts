/** Shared by every command that talks to a horde: the connection flags, the config, the client. */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import type { EmulatorOptions } from "horde-emulator";
import type { AIHordeAPIClient, AIHordeClientOptions, Logger } from "horde-sdk";
import {
  type Config,
  type ConfigFlags,
  configPath,
  describeSource,
  jobStorePath,
  readConfigFile,
  resolveConfig,
} from "./config.js";
import type { CommandContext, LocalEmulator } from "./context.js";
import { CliError, type ErrorContext, toCliError, UsageError } from "./errors.js";
import { loadNodeSdk, loadSdk } from "./lazy.js";
import { httpUrl, seconds } from "./parse.js";

/** The flags every command that talks to a horde may take (each command declares the ones it has). */
export interface ConnectionFlags extends ConfigFlags {
  json?: boolean;
  /** `--timeout`, in seconds. */
  timeout?: number;
}

export const URL_HELP = "API base URL (env HORDE_URL, default https://aihorde.net/api)";
export const KEY_HELP = "API key (env HORDE_API_KEY, default the anonymous key 0000000000)";
export const AGENT_HELP = "Client-Agent header, name:version:contact (env HORDE_CLIENT_AGENT)";
export const TIMEOUT_HELP = "give up after this many seconds (retries included)";

/** The help of the optional flags `addConnectionOptions` adds; a flag without help is not added. */
export interface ConnectionOptionsHelp {
  /** `--local`, for a command that can run on an in-process emulator. */
  local?: string;
  /** `--timeout` with the common help (TIMEOUT_HELP), for a command that bounds all its requests. */
  timeout?: true;
  /** `--json`: what the command prints with it. */
  json?: string;
}

/** Adds `--local`, `--timeout`, `--json` (as `help` says), then `--url`, `--api-key`, `--client-agent`. */
export function addConnectionOptions(cmd: Command, help: ConnectionOptionsHelp = {}): Command {
  if (help.local) cmd.option("--local", help.local);
  if (help.timeout) cmd.option("--timeout <seconds>", TIMEOUT_HELP, seconds);
  if (help.json) cmd.option("--json", help.json);
  return cmd
    .option("--url <url>", URL_HELP, httpUrl)
    .option("--api-key <key>", KEY_HELP)
    .option("--client-agent <agent>", AGENT_HELP);
}

const CLIENT_AGENT = /^[^:\s]+:[^:\s]+:\S.*$/;

/**
 * The effective configuration for a command: flags > env > config file > defaults, checked before anything
 * is sent. The key is registered as a secret at once, so no later output can show it.
 */
export async function loadConfig(ctx: CommandContext, flags: ConfigFlags): Promise<Config> {
  if (flags.local && flags.url !== undefined) {
    throw new UsageError("--local and --url cannot be used together");
  }
  if (flags.local && flags.apiKey !== undefined) {
    throw new UsageError("--local runs as a local user with unlimited kudos: drop --api-key");
  }
  const path = configPath(ctx.io.env);
  const { file } = await readConfigFile(path);
  const config = resolveConfig(flags, ctx.io.env, ctx.version, file, path);
  ctx.addSecret(config.apiKey);
  if (!config.local) {
    try {
      httpUrl(config.baseUrl);
    } catch {
      const where =
        config.sources.url === "file" ? `the url in ${path}` : describeSource(config.sources.url, "url");
      throw new UsageError(`${where} is not an http(s) URL: ${config.baseUrl}`);
    }
  }
  if (!CLIENT_AGENT.test(config.clientAgent)) {
    const where = describeSource(config.sources.clientAgent, "clientAgent");
    throw new UsageError(
      `${where} must look like name:version:contact, e.g. my-script:1.0:me@example.com (got '${config.clientAgent}')`,
    );
  }
  return config;
}

/** A logger that keeps the SDK quiet (the CLI reports errors itself) but remembers the last warning. */
export interface QuietLogger extends Logger {
  lastWarning: string | undefined;
}

export function quietLogger(): QuietLogger {
  const logger: QuietLogger = {
    lastWarning: undefined,
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

/**
 * The longest gap between two polls of a job. The SDK's default (30 s) suits apps watching many jobs; a person
 * at a terminal would watch "updated 29s ago" and a bar that jumps. 5 s is the pace of the horde's own examples,
 * far below the progress endpoints' limits (image /check 10/s, text /status 60/min, per job).
 */
export const MAX_POLL_INTERVAL_MS = 5000;

/** The `--local` user's kudos: effectively unlimited, so offline mode never asks for kudos upfront. */
export const LOCAL_KUDOS = 1e12;

export interface Connection {
  client: AIHordeAPIClient;
  config: Config;
  /** The job store's file, when the client keeps its jobs there (`ConnectOptions.jobStore`). */
  jobStore: string | undefined;
  logger: QuietLogger;
  /** Aborts (with a HordeTimeoutError) when `--timeout` runs out; every request of the command takes it. */
  signal: AbortSignal;
  /** Closes the in-process emulator (with `--local`), stops the timeout and restores the model logger. */
  close(): Promise<void>;
  /** Details for error messages. */
  errorContext(extra?: Partial<ErrorContext>): ErrorContext;
}

export interface ConnectOptions {
  /** Dev workers of the in-process emulator (with `--local`). */
  devWorkers?: EmulatorOptions["devWorkers"];
  /** Per-HTTP-attempt timeout, in ms. */
  timeoutMs?: number;
  /** With `--local`: wait (up to 5 s) until the dev workers have checked in, so listings show them. */
  waitForDevWorkers?: boolean;
  /** `--timeout` of a command that does not follow a job (followJob has its own): bounds every request. */
  timeoutSeconds?: number | undefined;
  /**
   * Keep the client's jobs in the job store under the config directory (never with `--local`: the in-process
   * emulator and its jobs end with the command).
   */
  jobStore?: boolean;
}

/** Creates the client (and with `--local` the in-process emulator it talks to). */
export async function connect(
  ctx: CommandContext,
  config: Config,
  options: ConnectOptions = {},
): Promise<Connection> {
  const { HordeTimeoutError, setModelLogger } = await loadSdk();
  const logger = quietLogger();
  // Model-level warnings (e.g. a generation without an id) would otherwise go to the console mid-progress.
  const previousModelLogger = setModelLogger(logger);
  const deadline = new AbortController();
  const seconds = options.timeoutSeconds;
  const timer =
    seconds === undefined
      ? undefined
      : setTimeout(
          () => deadline.abort(new HordeTimeoutError(`timed out after ${seconds}s`)),
          Math.max(1, Math.round(seconds * 1000)),
        );
  let emulator: LocalEmulator | undefined;
  const close = async () => {
    clearTimeout(timer);
    setModelLogger(previousModelLogger);
    const e = emulator;
    emulator = undefined;
    if (e) {
      try {
        await e.close();
      } catch {
        // Closing an in-memory emulator cannot lose anything the user asked for.
      }
    }
  };
  try {
    const clientOptions: AIHordeClientOptions = {
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      clientAgent: config.clientAgent,
      logger,
      rateLimit: { maxPollIntervalMs: MAX_POLL_INTERVAL_MS },
    };
    if (options.timeoutMs !== undefined) clientOptions.timeoutMs = options.timeoutMs;
    const storePath = options.jobStore && !config.local ? jobStorePath(ctx.io.env) : undefined;
    if (storePath) clientOptions.jobStore = new (await loadNodeSdk()).FileJobStore(storePath);
    if (config.local) {
      // Offline mode runs as a local user with unlimited kudos: no request is ever refused for want of kudos.
      const apikey = randomBytes(16).toString("base64url");
      ctx.addSecret(apikey);
      emulator = await ctx.deps.createEmulator({
        devWorkers: options.devWorkers ?? [{ type: "image" }],
        users: [{ username: "local", kudos: LOCAL_KUDOS, apikey }],
        // The emulator's own warnings would tear the progress output; the CLI reports what matters.
        logger: {},
      } as EmulatorOptions);
      clientOptions.fetch = emulator.fetch;
      clientOptions.apiKey = apikey;
    }
    const client = ctx.deps.createClient(clientOptions);
    const expected = Array.isArray(options.devWorkers) ? options.devWorkers.length : 0;
    if (config.local && options.waitForDevWorkers && expected > 0) {
      // Dev workers check in with their first pop, a moment after the emulator starts.
      for (let waited = 0; waited < 5000; waited += 50) {
        if ((await client.getWorkers({}, { signal: deadline.signal })).length >= expected) break;
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      }
    }
    return {
      client,
      config,
      jobStore: storePath,
      logger,
      signal: deadline.signal,
      close,
      errorContext: (extra = {}) => ({
        baseUrl: config.baseUrl,
        urlSetting: urlSetting(config),
        local: config.local,
        lastWarning: logger.lastWarning,
        timeoutSeconds: seconds,
        ...extra,
      }),
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The setting to fix when the URL is wrong: `HORDE_URL`, `--url`, `the url in <file>`; none for the default. */
function urlSetting(config: Config): string | undefined {
  const source = config.sources.url;
  if (source === "default" || source === "local") return undefined;
  return source === "file" ? `the url in ${config.file}` : describeSource(source, "url");
}

/** Prints `horde: <message>` for anything thrown and returns its exit code. */
export function report(ctx: CommandContext, err: unknown, errorContext: ErrorContext): number {
  const cliError = err instanceof CliError ? err : toCliError(err, errorContext);
  ctx.io.stderr.write(`horde: ${cliError.message}\n`);
  return cliError.exitCode;
}

/**
 * Runs a command body that talks to the horde: loads the config, connects, runs, reports any error as one
 * line, and always closes the connection.
 */
export async function withConnection(
  ctx: CommandContext,
  flags: ConfigFlags,
  options: ConnectOptions & {
    /** Checks and reads everything local (files, folders) before the client exists: nothing is sent on failure. */
    prepare?: (config: Config) => Promise<void>;
  },
  body: (conn: Connection) => Promise<number>,
): Promise<number> {
  let config: Config;
  try {
    config = await loadConfig(ctx, flags);
    await options.prepare?.(config);
  } catch (err) {
    return report(ctx, err, { baseUrl: "", local: flags.local === true });
  }
  let conn: Connection | undefined;
  try {
    conn = await connect(ctx, config, options);
    return await body(conn);
  } catch (err) {
    return report(ctx, err, conn?.errorContext() ?? { baseUrl: config.baseUrl, local: config.local });
  } finally {
    await conn?.close();
  }
}
