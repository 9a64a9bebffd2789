// Over real sockets, a request the emulator rejects before (or without) reading its body must still get its
// answer on a keep-alive connection: the unread body is drained, or the connection is closed only after the
// answer was written with `Connection: close`. Undici (global fetch, the SDK's transport) and node:http
// agents both keep connections alive and must never see a reset.
import { Agent, request as httpRequest } from "node:http";
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SMALL = 2 * 1024;
const LARGE = 200 * 1024;
/** Over the body cap (413), and over the emulator's drain limit: answered with `Connection: close`. */
const HUGE = 600 * 1024;
const MAX_BODY = 512 * 1024;

interface Shot {
  path: string;
  apikey: string;
  ip: string;
  size: number;
  /** The status it must get. */
  want: number;
}

/** A body of `size` bytes: JSON the route reads and refuses, or text that is not JSON. */
function bodyOf(size: number, json: boolean): Uint8Array<ArrayBuffer> {
  const prompt = "x".repeat(Math.max(0, size - 40));
  return new TextEncoder().encode(
    json ? JSON.stringify({ prompt, params: { width: 7 } }) : `{"prompt": "${prompt}`,
  );
}

/**
 * Four rejecting routes in a fixed mix, large (200 KB) and small bodies: 413 (over the cap, refused from
 * Content-Length alone), 400 (not JSON), 401 (unknown key), 429 (the submit limit of one address, refused
 * before the body is read). The clock stands still, so the limiter's windows never reopen; 400 and 401
 * come from fresh addresses and keys, so it lets them through.
 */
function plan(count: number, user: string): Shot[] {
  const shots: Shot[] = [];
  for (let i = 0; i < count; i++) {
    const size = (i >> 2) % 2 === 0 ? LARGE : SMALL;
    const fresh = `10.${2 + (i % 4)}.${(i >> 8) & 255}.${i & 255}`;
    switch (i % 4) {
      case 0:
        shots.push({
          path: "/api/v2/generate/async",
          apikey: user,
          ip: fresh,
          size: i % 16 === 0 ? 3 * HUGE : HUGE,
          want: 413,
        });
        break;
      case 1:
        shots.push({ path: "/api/v2/generate/async", apikey: `key-${i}`, ip: fresh, size, want: 400 });
        break;
      case 2:
        shots.push({
          path: "/api/v2/generate/text/async",
          apikey: `not-a-key-${i}`,
          ip: fresh,
          size,
          want: 401,
        });
        break;
      default:
        shots.push({ path: "/api/v2/generate/async", apikey: user, ip: "10.1.0.1", size, want: 429 });
    }
  }
  return shots;
}

describe("keep-alive connections and rejected bodies (real sockets)", () => {
  const emu = createEmulator({ clock: new VirtualClock(), logger: silentLogger, maxBodyBytes: MAX_BODY });
  let origin = "";
  let user = "";

  beforeAll(async () => {
    user = emu.admin.createUser({ username: "keepalive", kudos: 1000 }).apikey;
    origin = (await emu.listen({ port: 0 })).origin;
    // Exhaust the per-IP submit window of the 429 address once, so its refusals are certain.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${origin}/api/v2/generate/async`, {
        method: "POST",
        headers: { apikey: user, "Content-Type": "application/json", "X-Forwarded-For": "10.1.0.1" },
        body: "{}",
      });
      await res.arrayBuffer();
    }
  });
  afterAll(() => emu.close());

  it("fetch (undici): every request gets its status, no reset", async () => {
    const shots = plan(1000, user);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const lane = async () => {
      while (next < shots.length) {
        const shot = shots[next++] as Shot;
        try {
          const res = await fetch(`${origin}${shot.path}`, {
            method: "POST",
            headers: { apikey: shot.apikey, "Content-Type": "application/json", "X-Forwarded-For": shot.ip },
            body: bodyOf(shot.size, shot.want !== 400),
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status !== shot.want)
            failures.push(`${shot.path} ${shot.size} B: ${res.status}, wanted ${shot.want}`);
        } catch (e) {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          failures.push(
            `${shot.path} ${shot.size} B: ${(e as Error).message} ${cause?.code ?? cause?.message ?? ""}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, lane));
    expect(failures.slice(0, 10)).toEqual([]);
    expect(Object.fromEntries(statuses)).toEqual({ 400: 250, 401: 250, 413: 250, 429: 250 });
  }, 120_000);

  it("node:http keep-alive agent, a fifth of the bodies chunked: every request gets its status, no reset", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const shots = plan(1000, user);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const send = (shot: Shot, chunked: boolean) =>
      new Promise<number>((resolve, reject) => {
        const body = bodyOf(shot.size, shot.want !== 400);
        const req = httpRequest(
          `${origin}${shot.path}`,
          {
            method: "POST",
            agent,
            headers: {
              apikey: shot.apikey,
              "Content-Type": "application/json",
              ...(chunked ? {} : { "Content-Length": body.length }),
              "X-Forwarded-For": shot.ip,
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        if (!chunked) req.end(body);
        else {
          for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
          req.end();
        }
      });
    const lane = async () => {
      while (next < shots.length) {
        const chunked = next % 5 === 0;
        const shot = shots[next++] as Shot;
        try {
          const status = await send(shot, chunked);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== shot.want)
            failures.push(`${shot.path} ${shot.size} B: ${status}, wanted ${shot.want}`);
        } catch (e) {
          failures.push(
            `${shot.path} ${shot.size} B: ${(e as Error).message} ${(e as { code?: string }).code ?? ""}`,
          );
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 4 }, lane));
    } finally {
      agent.destroy();
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(Object.fromEntries(statuses)).toEqual({ 400: 250, 401: 250, 413: 250, 429: 250 });
  }, 120_000);
});
