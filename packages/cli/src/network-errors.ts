/**
 * Why a request got no HTTP answer at all, in plain words with what to do about it. Node's fetch (undici)
 * rejects with `TypeError: fetch failed` and puts the reason in `cause` (sometimes a cause's cause): a Node
 * error code (`ECONNREFUSED`, `ENOTFOUND`, a TLS certificate code), an undici code (`UND_ERR_SOCKET`,
 * `UND_ERR_CONNECT_TIMEOUT`), an HTTP parser code (`HPE_…`), or for a blocked port only the message `bad port`.
 */

/** Where the failing request went, and how to name the setting that chose it. */
export interface NetworkTarget {
  /** The URL that could not be reached. */
  url: string;
  /** The setting the user would fix: `HORDE_URL`, `--url`, `the url in the config file`; undefined for the default. */
  urlSetting?: string | undefined;
  /** With `--local` the target is the in-process emulator: the network is not to blame. */
  local?: boolean | undefined;
}

interface Cause {
  code: string | undefined;
  message: string;
}

/** The innermost cause with a code, else the innermost message (`bad port`, `other side closed`). */
function rootCause(error: unknown): Cause {
  let found: Cause = { code: undefined, message: error instanceof Error ? error.message : String(error) };
  let current: unknown = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; depth < 6 && current; depth++) {
    const c = current as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof c.code === "string" && c.code !== "" ? c.code : undefined;
    const message = typeof c.message === "string" ? c.message.trim() : "";
    if (code) found = { code, message };
    else if (message && !found.code) found = { code: undefined, message };
    current = c.cause;
  }
  return found;
}

const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
]);

const CLOSED_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** The host and port a URL talks to: `127.0.0.1:7001`, `aihorde.net:443`. */
function endpoint(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

/**
 * One clause for `cannot reach <url>: …`: what happened (with the code, for searching), then what to do. Knows
 * nothing of the SDK: it reads the cause chain of whatever was thrown.
 */
export function describeNetworkFailure(error: unknown, target: NetworkTarget): string {
  const { code, message } = rootCause(error);
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    url = new URL("http://invalid/");
  }
  const host = url.hostname;
  const where = endpoint(url);
  const setting = target.urlSetting;
  const fixUrl = setting ? `fix ${setting}` : "check the URL";
  const orLocal = target.local ? "" : ", or try --local for the built-in emulator";
  const detail = code && message ? `${code}: ${message}` : (code ?? message);

  if (!code && /^bad port$/i.test(message)) {
    return (
      `port ${url.port} is one that fetch refuses to connect to (it belongs to another protocol); ` +
      `serve the API on another port, e.g. 7001, and ${fixUrl}`
    );
  }
  if (code === "ECONNREFUSED") {
    return `connection refused: nothing listens on ${where} (ECONNREFUSED); is the server running? Otherwise ${fixUrl}${orLocal}`;
  }
  if (code === "ENOTFOUND") {
    return `host ${host} not found (ENOTFOUND); check its spelling${setting ? ` in ${setting}` : ""} and your internet connection${orLocal}`;
  }
  if (code === "EAI_AGAIN") {
    return `the DNS lookup of ${host} failed (EAI_AGAIN); check your internet connection and try again${orLocal}`;
  }
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return `the connection to ${where} timed out (${code}); the server may be down or a firewall may block it; try again later${orLocal}`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENETDOWN") {
    return `no route to ${host} (${code}); check your network connection${orLocal}`;
  }
  if (code !== undefined && CLOSED_CODES.has(code)) {
    return `the connection to ${where} was closed before an answer (${code}); try again (a proxy, VPN or firewall may be in the way)${orLocal}`;
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return `${where} took too long to answer (${code}); the server may be overloaded; try again later`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `the TLS certificate of ${host} is not valid now (${code}); check your computer's clock, or the server must renew its certificate`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH") {
    return `the TLS certificate of ${host} is for another host name (${code}); ${fixUrl}`;
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return (
      `the TLS certificate of ${host} is not trusted (${detail}); if you trust this server, ` +
      "point NODE_EXTRA_CA_CERTS at the PEM file of its CA (do not turn certificate checks off)"
    );
  }
  if (code !== undefined && (code === "EPROTO" || code.startsWith("ERR_SSL_"))) {
    const plain = url.protocol === "https:" ? "; if the server speaks plain HTTP, use http://" : "";
    return `the TLS handshake with ${where} failed (${code})${plain}; ${fixUrl}`;
  }
  if (code?.startsWith("HPE_")) {
    return `${where} did not answer in HTTP (${code}); is it the right port? ${fixUrl.charAt(0).toUpperCase()}${fixUrl.slice(1)}`;
  }
  return `${detail.replace(/\s*\n\s*/g, " ").trim()}; check your network connection${setting ? ` and ${setting}` : ""}${orLocal}`;
}

/** Failures before a connection (or its TLS session) existed: not one byte of the request reached the server. */
const BEFORE_CONNECTION = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
  ...CERTIFICATE_CODES,
]);

/**
 * True when the failure shows the request never reached the server (refused, no such host, blocked port,
 * certificate rejected, …): a POST that failed so is known not to have happened.
 */
export function neverSent(error: unknown): boolean {
  const { code, message } = rootCause(error);
  if (code === undefined) return /^bad port$/i.test(message);
  return BEFORE_CONNECTION.has(code) || code.startsWith("ERR_SSL_");
}

/** The ports the fetch standard blocks (they belong to other protocols): Node's fetch refuses them, `bad port`. */
const BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** True when fetch will refuse the URL's port (the SDK's retry warnings do not say `bad port`). */
export function isBlockedPort(url: string): boolean {
  try {
    const port = new URL(url).port;
    return port !== "" && BLOCKED_PORTS.has(Number(port));
  } catch {
    return false;
  }
}

/**
 * The network error code in one of the SDK's retry warnings (`GET … failed (… (ECONNREFUSED)); retry 2 in 800
 * ms`), to explain a timeout that ran out while the SDK was retrying a failed connection.
 */
export function codeInWarning(warning: string | undefined): string | undefined {
  return warning?.match(/\(((?:E[A-Z_]{3,})|(?:UND_ERR_[A-Z_]+)|(?:ERR_[A-Z_]+))\)/)?.[1];
}
