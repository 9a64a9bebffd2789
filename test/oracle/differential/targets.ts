/**
 * The two sides of a differential run: a fresh in-process emulator on a virtual clock (no dev workers:
 * the scenario plays the worker), and the oracle over loopback HTTP.
 */
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { createOracleUser, type OracleInfo } from "horde-test-support/oracle";
import type { Answer, Target, TargetUser, UserOptions } from "./framework.js";

async function read(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text === "" ? null : text;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: compared as text
    }
  }
  return { status: res.status, body, text, headers: res.headers };
}

export const EMULATOR_ADMIN_KEY = "emulatorAdminKey000001";

export function emulatorTarget(): Target {
  const clock = new VirtualClock();
  const emulator = createEmulator({
    clock,
    logger: silentLogger,
    devWorkers: 0,
    // The oracle's admin#1: a moderator in the server's ADMINS.
    users: [
      { username: "admin", apikey: EMULATOR_ADMIN_KEY, moderator: true, admin: true, kudos: 1_000_000 },
    ],
  });
  return {
    name: "emulator",
    adminKey: EMULATOR_ADMIN_KEY,
    async send(method, path, init) {
      const res = await emulator.fetch(`http://horde.local/api${path}`, {
        method,
        headers: init.headers,
        body: init.body,
      });
      return read(res);
    },
    async user(name: string, options: UserOptions = {}): Promise<TargetUser> {
      const created = emulator.admin.createUser({
        username: name,
        kudos: options.kudos ?? 100_000,
        trusted: options.trusted ?? true,
        moderator: options.moderator ?? false,
      });
      return { apikey: created.apikey, username: created.username, id: created.id };
    },
    fetchUrl: (url, init) => emulator.fetch(url, init),
    async sleep(ms) {
      await clock.advance(ms);
    },
    async close() {
      await emulator.close();
    },
  };
}

export function oracleTarget(oracle: OracleInfo): Target {
  return {
    name: "oracle",
    adminKey: oracle.adminKey,
    async send(method, path, init) {
      const res = await fetch(`${oracle.baseUrl}${path}`, { method, headers: init.headers, body: init.body });
      return read(res);
    },
    async user(name: string, options: UserOptions = {}): Promise<TargetUser> {
      const user = await createOracleUser(oracle, { username: name, ...options });
      return { apikey: user.apikey, username: `${user.username}#${user.id}`, id: user.id };
    },
    fetchUrl: (url, init) => fetch(url, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async close() {},
  };
}
