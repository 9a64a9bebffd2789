import { createOracleUser, isolatedIp, oracleInfo, useOracle } from "horde-test-support/oracle";
import { describe, expect, it } from "vitest";

const oracle = useOracle();

describe.skipIf(!oracle.available)("the oracle harness", () => {
  it("starts the real server: heartbeat, version and the fixed admin", async () => {
    const { baseUrl, adminKey } = oracleInfo();
    const heartbeat = await fetch(`${baseUrl}/v2/status/heartbeat`);
    expect(heartbeat.status).toBe(200);
    expect(await heartbeat.json()).toMatchObject({ message: "OK", version: expect.any(String) });
    const admin = await fetch(`${baseUrl}/v2/find_user`, { headers: { apikey: adminKey } });
    expect(await admin.json()).toMatchObject({ moderator: true });
  });

  it("mints users with working keys, and isolates rate limits per client address", async () => {
    const info = oracleInfo();
    const user = await createOracleUser(info, { kudos: 1234 });
    const me = await fetch(`${info.baseUrl}/v2/find_user`, {
      headers: { apikey: user.apikey, "X-Forwarded-For": isolatedIp() },
    });
    const body = (await me.json()) as { username: string; kudos: number };
    expect(body.username).toBe(`${user.username}#${user.id}`);
    expect(body.kudos).toBe(1234);
    // The limiter keys on X-Forwarded-For: the remaining count of a fresh address starts at the top.
    const a = await fetch(`${info.baseUrl}/v2/status/modes`, {
      headers: { "X-Forwarded-For": isolatedIp() },
    });
    const b = await fetch(`${info.baseUrl}/v2/status/modes`, {
      headers: { "X-Forwarded-For": isolatedIp() },
    });
    expect(a.headers.get("x-ratelimit-remaining")).toBe(b.headers.get("x-ratelimit-remaining"));
  });
});
