/** Where the CLI sends requests and who it says it is, from flags and the environment. */

export const DEFAULT_URL = "https://aihorde.net/api";
export const ANONYMOUS_API_KEY = "0000000000";
/** Any origin works for the in-process emulator; the API lives under `/api`. */
export const LOCAL_URL = "http://localhost/api";

export interface Config {
  /** Base URL of the API, without a trailing slash, e.g. `https://aihorde.net/api`. */
  baseUrl: string;
  /** The API key. Never print it: use {@link maskApiKey}. */
  apiKey: string;
  /** `name:version:contact`, sent as the `Client-Agent` header. */
  clientAgent: string;
  /** Run against an in-process emulator with one dev worker. */
  local: boolean;
}

export interface ConfigFlags {
  url?: string | undefined;
  apiKey?: string | undefined;
  clientAgent?: string | undefined;
  local?: boolean | undefined;
}

export function defaultClientAgent(version: string): string {
  return `horde-cli:${version}:unknown`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/**
 * Flags win over the environment (`HORDE_URL`, `HORDE_API_KEY`, `HORDE_CLIENT_AGENT`), which wins over the
 * defaults. With `--local` the URL is the emulator's, and the key is the anonymous one unless `--api-key`
 * was given (a real key from the environment means nothing to the emulator).
 */
export function resolveConfig(
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>>,
  version: string,
): Config {
  const local = flags.local === true;
  const clientAgent =
    nonEmpty(flags.clientAgent) ?? nonEmpty(env.HORDE_CLIENT_AGENT) ?? defaultClientAgent(version);
  if (local) {
    return {
      baseUrl: LOCAL_URL,
      apiKey: nonEmpty(flags.apiKey) ?? ANONYMOUS_API_KEY,
      clientAgent,
      local,
    };
  }
  const baseUrl = (nonEmpty(flags.url) ?? nonEmpty(env.HORDE_URL) ?? DEFAULT_URL).replace(/\/+$/, "");
  const apiKey = nonEmpty(flags.apiKey) ?? nonEmpty(env.HORDE_API_KEY) ?? ANONYMOUS_API_KEY;
  return { baseUrl, apiKey, clientAgent, local };
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
