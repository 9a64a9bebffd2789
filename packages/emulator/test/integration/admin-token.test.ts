// The admin API (`/_emulator/`) over a socket is the admin token holder's only: without the token every
// route is a 401 that changes and reveals nothing; other origins get no CORS (a browser cannot even
// send the header); code in the process (`emulator.admin`, `emulator.fetch`) needs no token; listening
// beyond loopback is warned about.
import { createEmulator, type Emulator, silentLogger, VirtualClock } from "horde-emulator";
import { afterEach, describe, expect, it } from "vitest";

const ROUTES: [string, string, unknown?][] = [
  ["GET", "/info"],
  ["GET", "/users"],
  ["GET", "/user"],
  ["POST", "/users", { username: "mallory", kudos: 1e9 }],
  ["POST", "/users/seed", { username: "mallory" }],
  ["PATCH", "/user", { kudos: 1e9 }],
  ["PUT", "/modes", { maintenance: true }],
  ["PUT", "/workers/x/maintenance", { on: true }],
  ["GET", "/requests"],
  ["GET", "/jobs"],
  ["GET", "/unfinished"],
  ["GET", "/stats"],
  ["POST", "/reset"],
  ["GET", "/clock"],
  ["POST", "/clock/advance", { ms: 1000 }],
  ["POST", "/devworkers", {}],
  ["GET", "/faults"],
  ["PUT", "/faults", { rules: [{ kind: "reset" }] }],
  ["POST", "/faults", { rules: [{ kind: "reset" }] }],
  ["DELETE", "/faults"],
  ["GET", "/faults/counts"],
  ["DELETE", "/faults/counts"],
];

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function listening(options: Parameters<typeof createEmulator>[0] = {}) {
  emu = createEmulator({ logger: silentLogger, ...options });
  const alice = emu.admin.createUser({ username: "alice", kudos: 50 });
  const { origin } = await emu.listen({ port: 0 });
  const token = emu.describe().adminToken;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${origin}/_emulator${path}`, {
      method,
      headers: { apikey: alice.apikey, "Content-Type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { emu, origin, token, alice, call };
}

describe("the admin token", () => {
  it("is random per emulator, long enough, and settable; a short one is refused", () => {
    const a = createEmulator({ logger: silentLogger }).describe().adminToken;
    const b = createEmulator({ logger: silentLogger }).describe().adminToken;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[\w-]{32}$/);
    const given = "my-own-admin-token-1234";
    expect(createEmulator({ logger: silentLogger, adminToken: given }).describe().adminToken).toBe(given);
    expect(() => createEmulator({ logger: silentLogger, adminToken: "short" })).toThrow(/adminToken/);
  });

  it("every admin route over a socket is 401 without it, or with a wrong one, and nothing changes", async () => {
    const { emu, call } = await listening({ clock: new VirtualClock() });
    const before = JSON.stringify([emu.admin.listUsers(), emu.faults.current(), emu.clock.now()]);
    for (const [method, path, body] of ROUTES) {
      const variants: Record<string, string>[] = [
        {},
        { Authorization: "Bearer wrong-token-wrong-token" },
        { Authorization: "" },
      ];
      for (const headers of variants) {
        const res = await call(method, path, body, headers);
        const text = await res.text();
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
        expect(JSON.parse(text).message).toMatch(/admin token/);
      }
    }
    expect(JSON.stringify([emu.admin.listUsers(), emu.faults.current(), emu.clock.now()])).toBe(before);
    expect(emu.devWorkers).toHaveLength(0);
  });

  it("with the token every route answers as before, and keys are shown to its holder only", async () => {
    const { call, token, alice } = await listening({ adminToken: "the-token-holder-0001" });
    const auth = { Authorization: `Bearer ${token}` };
    const users = await call("GET", "/users", undefined, auth);
    expect(users.status).toBe(200);
    expect(JSON.stringify(await users.json())).toContain(alice.apikey);
    const info = await call("GET", "/info", undefined, auth);
    expect(((await info.json()) as { users: { apikey: string }[] }).users.map((u) => u.apikey)).toContain(
      alice.apikey,
    );
    expect((await call("POST", "/users", { username: "bob" }, auth)).status).toBe(201);
    // Without it, nothing of a key is in the answer.
    const refused = await (await call("GET", "/users")).text();
    expect(refused).not.toContain(alice.apikey);
  });

  it("in-process use needs none: emulator.admin and emulator.fetch", async () => {
    const { emu, alice } = await listening();
    expect(emu.admin.getUser(alice.apikey)?.kudos).toBe(50);
    const res = await emu.fetch("/_emulator/users");
    expect(res.status).toBe(200);
  });
});

describe("other origins", () => {
  it("admin answers carry no CORS headers; the API keeps them", async () => {
    const { origin, call, token } = await listening();
    const admin = await call("GET", "/stats", undefined, {
      Authorization: `Bearer ${token}`,
      Origin: "https://evil.example",
    });
    expect(admin.status).toBe(200);
    expect(admin.headers.get("access-control-allow-origin")).toBeNull();
    const api = await fetch(`${origin}/api/v2/status/heartbeat`, {
      headers: { Origin: "https://evil.example" },
    });
    expect(api.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("a preflight for the admin API gets no CORS grant, so a browser never sends the token cross-origin", async () => {
    const { origin } = await listening();
    const preflight = await fetch(`${origin}/_emulator/users`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    await preflight.arrayBuffer();
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
  });

  it("a simple cross-origin POST (text/plain, no custom header) is refused and creates nothing", async () => {
    const { emu, origin } = await listening();
    const users = emu.admin.listUsers().length;
    for (const path of ["/users", "/reset", "/faults", "/clock/advance"]) {
      const res = await fetch(`${origin}/_emulator${path}`, {
        method: "POST",
        headers: { Origin: "https://evil.example", "Content-Type": "text/plain" },
        body: JSON.stringify({ username: "csrf", rules: [{ kind: "reset" }], ms: 1 }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(emu.admin.listUsers()).toHaveLength(users);
    expect(emu.faults.current().rules).toEqual([]);
  });
});

describe("listening beyond loopback", () => {
  it("is warned about; loopback is not", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    emu = createEmulator({ logger });
    await emu.listen({ port: 0, host: "127.0.0.1" });
    expect(warnings).toEqual([]);
    await emu.close();
    emu = createEmulator({ logger });
    const { origin } = await emu.listen({ port: 0, host: "0.0.0.0" });
    expect(warnings).toEqual([expect.stringMatching(/beyond this machine.*admin token/)]);
    expect(warnings[0]).toContain(origin);
  });
});
