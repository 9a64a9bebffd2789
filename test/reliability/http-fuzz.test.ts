/**
 * HTTP fuzzing of the emulator's socket server, short and seeded (the long run is `npm run fuzz:http`,
 * against a spawned `horde serve`): malformed request lines, methods, paths, headers, framings and bodies
 * over raw sockets, and slow clients, against a listener with short socket limits. Never a 5xx but 501,
 * never a hang past the request timeout, and the server answers a health request after every batch.
 */
import { createEmulator, silentLogger } from "horde-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchange, httpFuzzProblems, runHttpFuzz } from "../../reliability/http-fuzz-core.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const LIMITS = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500 };

const emu = createEmulator({ logger: silentLogger, rateLimits: false });
let port = 0;
beforeAll(async () => {
  port = (await emu.listen({ port: 0, limits: LIMITS })).port;
});
afterAll(() => emu.close());

describe("HTTP fuzzing over real sockets", () => {
  it("never answers 500, never hangs, cuts slow clients off within the limits, and survives", async () => {
    const report = await runHttpFuzz({
      host: "127.0.0.1",
      port,
      seed: SEED,
      requests: 400,
      slowClients: 3,
      limits: LIMITS,
      // Cut-offs come up to ~1 s late by design (Node's timeout checks); a shared machine adds more.
      graceMs: 4_000,
    });
    if (process.env.FUZZ_PRINT) console.error(JSON.stringify(report, null, 2));
    expect(httpFuzzProblems(report), `seed ${SEED}`).toEqual([]);
    expect(report.sent).toBe(400);
    // The fuzz reached the app and the HTTP parser alike: both kinds of refusal were seen.
    expect(report.statuses["400"]).toBeGreaterThan(10);
    expect(Object.keys(report.statuses).length).toBeGreaterThan(4);
    expect(report.health.failures).toBe(0);
    // Every whole request got an answer: none was dropped unanswered (CONNECT once was).
    expect(report.unanswered).toEqual([]);
    for (const slow of Object.values(report.slow)) expect(slow.outcomes.hang ?? 0).toBe(0);
  }, 60_000);

  it("answers CONNECT 405 like any method the route does not take, rather than dropping the connection", async () => {
    const ending = await exchange("127.0.0.1", port, 2_000, (s) =>
      s.end("CONNECT /api/v2/workers HTTP/1.1\r\nHost: fuzz.test\r\n\r\n"),
    );
    expect(ending.outcome).toBe("405");
  });
});
