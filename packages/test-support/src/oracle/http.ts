/**
 * Talking to the oracle from a test: raw HTTP calls with an isolated client address, and users minted
 * through the server's loopback-only `POST /api/v2/dev/test-user` (enabled by the kit).
 */
import { randomBytes } from "node:crypto";
import type { OracleInfo } from "./kit.js";

let ipCounter = 0;

/**
 * A client address of its own for one suite or scenario. The server sits behind ProxyFix(x_for=1), so
 * `X-Forwarded-For` becomes the address its limiter keys on: suites running at once never share a
 * rate-limit window. Addresses come from 198.18.0.0/15 (reserved for benchmarking), randomised per
 * process so that a second run within a window does not inherit the first one's hits.
 */
export function isolatedIp(): string {
  const base = randomBytes(2);
  ipCounter += 1;
  return `198.${18 + ((base[0] ?? 0) & 1)}.${base[1] ?? 0}.${ipCounter % 250}`;
}

/** A fetch that adds `X-Forwarded-For: ip` to every request (for SDK clients pointed at the oracle). */
export function fetchFrom(ip: string, inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.set("X-Forwarded-For", ip);
    return inner(request);
  };
}

export interface OracleUser {
  apikey: string;
  id: number;
  username: string;
}

/** A unique name: the oracle's database persists between runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** A fresh trusted user (100,000 kudos unless told) with a plaintext key. */
export async function createOracleUser(
  oracle: OracleInfo,
  options: { username?: string; kudos?: number; moderator?: boolean; trusted?: boolean } = {},
): Promise<OracleUser> {
  const username = options.username ?? uniqueName("user");
  const res = await fetch(`${oracle.baseUrl}/v2/dev/test-user`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      username,
      oauth_id: `oracle_${username}`,
      moderator: options.moderator ?? false,
      trusted: options.trusted ?? true,
      kudos: options.kudos ?? 100_000,
    }),
  });
  const body = (await res.json()) as { api_key?: string; user_id?: number | string; username?: string };
  if (!res.ok || !body.api_key)
    throw new Error(`dev/test-user answered ${res.status}: ${JSON.stringify(body)}`);
  return { apikey: body.api_key, id: Number(body.user_id), username: body.username ?? username };
}
