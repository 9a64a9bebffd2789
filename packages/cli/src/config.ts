/**
 * Where the CLI sends requests and who it says it is: flags > environment (`HORDE_URL`, `HORDE_API_KEY`,
 * `HORDE_CLIENT_AGENT`) > the config file > defaults. The config file is `$HORDE_CONFIG`, else
 * `$XDG_CONFIG_HOME/horde/config.json`, else `~/.config/horde/config.json` (on Windows
 * `%APPDATA%\horde\config.json`).
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ANONYMOUS_API_KEY, DEFAULT_BASE_URL } from "horde-sdk/known";
import { UsageError } from "./errors.js";

export { ANONYMOUS_API_KEY };
export const DEFAULT_URL = DEFAULT_BASE_URL;
/** Any origin works for the in-process emulator; the API lives under `/api`. */
export const LOCAL_URL = "http://localhost/api";

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a setting came from, for `horde config`. */
export type ConfigSource = "flag" | "env" | "file" | "default" | "local";

export interface Config {
  /** Base URL of the API, without a trailing slash, e.g. `https://aihorde.net/api`. */
  baseUrl: string;
  /** The API key. Never print it: use {@link maskApiKey}. */
  apiKey: string;
  /** `name:version:contact`, sent as the `Client-Agent` header. */
  clientAgent: string;
  /** Run against an in-process emulator with dev workers. */
  local: boolean;
  sources: { url: ConfigSource; apiKey: ConfigSource; clientAgent: ConfigSource };
  /** The config file that was read, if any. */
  file?: string | undefined;
}

export interface ConfigFlags {
  url?: string | undefined;
  apiKey?: string | undefined;
  clientAgent?: string | undefined;
  local?: boolean | undefined;
}

/** The settings a config file may hold (snake_case, like the environment names). */
export interface ConfigFile {
  url?: string;
  api_key?: string;
  client_agent?: string;
}

export const CONFIG_KEYS = ["url", "api_key", "client_agent"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export function defaultClientAgent(version: string): string {
  return `horde-cli:${version}:unknown`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/**
 * The config file's path, or undefined when the environment names no home at all (tests run the CLI
 * in-process with an empty environment and must not read the developer's own file).
 */
export function configPath(env: Env, platform: string = process.platform): string | undefined {
  const explicit = nonEmpty(env.HORDE_CONFIG);
  if (explicit) return explicit;
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg) return join(xdg, "horde", "config.json");
  const appData = nonEmpty(env.APPDATA);
  if (platform === "win32" && appData) return join(appData, "horde", "config.json");
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE);
  return home ? join(home, ".config", "horde", "config.json") : undefined;
}

/**
 * The job store of `horde generate` (what `horde jobs`, `horde resume` and `horde cancel --all-pending` read):
 * `jobs.json` beside the config file, or undefined when there is no config directory.
 */
export function jobStorePath(env: Env, platform: string = process.platform): string | undefined {
  const config = configPath(env, platform);
  return config ? join(dirname(config), "jobs.json") : undefined;
}

/** Reads the config file; a missing file is an empty config, a broken one a usage error naming it. */
export async function readConfigFile(
  path: string | undefined,
): Promise<{ file: ConfigFile; exists: boolean }> {
  if (!path) return { file: {}, exists: false };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { file: {}, exists: false };
    throw new UsageError(`cannot read the config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`the config file ${path} must hold a JSON object like {"url": "…", "api_key": "…"}`);
  }
  const file: ConfigFile = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(
        `the config file ${path} has an unknown setting '${key}' (known: ${CONFIG_KEYS.join(", ")})`,
      );
    }
    if (typeof value !== "string") {
      throw new UsageError(`the config file ${path}: '${key}' must be a string`);
    }
    file[key as ConfigKey] = value;
  }
  return { file, exists: true };
}

/** Writes the config file (created with mode 0600: it may hold an API key). */
export async function writeConfigFile(path: string, file: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/**
 * Flags win over the environment, which wins over the config file, which wins over the defaults. With
 * `--local` the URL is the emulator's, and the key is the anonymous one unless `--api-key` was given (a
 * real key from the environment means nothing to the emulator, and must not be sent anywhere unasked).
 */
export function resolveConfig(
  flags: ConfigFlags,
  env: Env,
  version: string,
  file: ConfigFile = {},
  filePath?: string,
): Config {
  const local = flags.local === true;
  const pick = (flag: string | undefined, envValue: string | undefined, fileValue: string | undefined) => {
    const f = nonEmpty(flag);
    if (f) return { value: f, source: "flag" as const };
    const e = nonEmpty(envValue);
    if (e) return { value: e, source: "env" as const };
    const c = nonEmpty(fileValue);
    if (c) return { value: c, source: "file" as const };
    return undefined;
  };
  const agent = pick(flags.clientAgent, env.HORDE_CLIENT_AGENT, file.client_agent) ?? {
    value: defaultClientAgent(version),
    source: "default" as const,
  };
  if (local) {
    const key = nonEmpty(flags.apiKey);
    return {
      baseUrl: LOCAL_URL,
      apiKey: key ?? ANONYMOUS_API_KEY,
      clientAgent: agent.value,
      local,
      sources: { url: "local", apiKey: key ? "flag" : "local", clientAgent: agent.source },
      file: filePath,
    };
  }
  const url = pick(flags.url, env.HORDE_URL, file.url) ?? { value: DEFAULT_URL, source: "default" as const };
  const key = pick(flags.apiKey, env.HORDE_API_KEY, file.api_key) ?? {
    value: ANONYMOUS_API_KEY,
    source: "default" as const,
  };
  return {
    baseUrl: url.value.replace(/\/+$/, ""),
    apiKey: key.value,
    clientAgent: agent.value,
    local,
    sources: { url: url.source, apiKey: key.source, clientAgent: agent.source },
    file: filePath,
  };
}

/** How a source reads in messages: `HORDE_URL`, `--url`, `the config file`. */
export function describeSource(source: ConfigSource, setting: "url" | "apiKey" | "clientAgent"): string {
  const names = {
    url: { flag: "--url", env: "HORDE_URL" },
    apiKey: { flag: "--api-key", env: "HORDE_API_KEY" },
    clientAgent: { flag: "--client-agent", env: "HORDE_CLIENT_AGENT" },
  }[setting];
  switch (source) {
    case "flag":
      return names.flag;
    case "env":
      return names.env;
    case "file":
      return "the config file";
    case "local":
      return "--local";
    case "default":
      return "the default";
  }
}

/** A form of the key that is safe to show: `anonymous`, or the last 4 characters behind stars. */
export function maskApiKey(apiKey: string): string {
  if (apiKey === ANONYMOUS_API_KEY) return "anonymous";
  if (apiKey.length < 12) return "****";
  return `****${apiKey.slice(-4)}`;
}

/** Removes every occurrence of the API key from a text that is about to be printed. */
export function redact(text: string, apiKey: string): string {
  if (!apiKey || apiKey === ANONYMOUS_API_KEY || apiKey.length < 4) return text;
  return text.split(apiKey).join(maskApiKey(apiKey));
}
