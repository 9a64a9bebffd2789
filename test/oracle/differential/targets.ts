/**
 * The two sides of a differential run: a fresh in-process emulator on a virtual clock (no dev workers:
 * the scenario plays the worker), and the oracle over loopback HTTP.
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import { createOracleUser, loopbackTls, type OracleInfo, oracleSql } from "horde-test-support/oracle";
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

/** Where the emulator's webhooks "go": its webhook fetch keeps them. */
const EMULATOR_WEBHOOK_URL = "https://hooks.example/horde";

export function emulatorTarget(): Target {
  const clock = new VirtualClock();
  const delivered: unknown[] = [];
  const emulator = createEmulator({
    clock,
    logger: silentLogger,
    devWorkers: 0,
    webhooks: {
      fetch: async (_url, init) => {
        delivered.push(JSON.parse(String(init.body)));
        return new Response("ok");
      },
    },
    // The oracle's admin#1: a moderator in the server's ADMINS.
    users: [
      { username: "admin", apikey: EMULATOR_ADMIN_KEY, moderator: true, admin: true, kudos: 1_000_000 },
    ],
  });
  return {
    name: "emulator",
    adminKey: EMULATOR_ADMIN_KEY,
    async send(method, path, init) {
      const url = `http://horde.local/api${path}`;
      if (!init.bodyDelayMs)
        return read(await emulator.fetch(url, { method, headers: init.headers, body: init.body }));
      // The body arrives `bodyDelayMs` of virtual time after the headers.
      const delay = init.bodyDelayMs;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          await clock.sleep(delay);
          controller.enqueue(new TextEncoder().encode(init.body ?? ""));
          controller.close();
        },
      });
      const pending = emulator.fetch(url, {
        method,
        headers: init.headers,
        body,
        duplex: "half",
      } as RequestInit);
      await clock.advance(delay);
      return read(await pending);
    },
    async age(_what, _id, seconds) {
      await clock.advance(seconds * 1000);
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
    // Each scenario gets a fresh emulator.
    async quiesce() {},
    async webhooks() {
      const from = delivered.length;
      return { url: EMULATOR_WEBHOOK_URL, received: () => delivered.slice(from) };
    },
    async close() {
      await emulator.close();
    },
  };
}

export function oracleTarget(oracle: OracleInfo): Target {
  let receiver: LoopbackHttps | undefined;
  return {
    name: "oracle",
    adminKey: oracle.adminKey,
    async send(method, path, init) {
      const url = `${oracle.baseUrl}${path}`;
      if (!init.bodyDelayMs)
        return read(await fetch(url, { method, headers: init.headers, body: init.body }));
      const delay = init.bodyDelayMs;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          controller.enqueue(new TextEncoder().encode(init.body ?? ""));
          controller.close();
        },
      });
      return read(await fetch(url, { method, headers: init.headers, body, duplex: "half" } as RequestInit));
    },
    async age(what, id, seconds) {
      // The oracle's own cleaner (every 60 s) then expires the request or aborts the job.
      const sql =
        what === "request"
          ? `UPDATE waiting_prompts SET expiry = expiry - interval '${seconds} seconds' WHERE id = '${id}'`
          : `UPDATE processing_gens SET start_time = start_time - interval '${seconds} seconds' WHERE id = '${id}'`;
      if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not an id: ${id}`);
      await oracleSql(oracle, sql);
    },
    async user(name: string, options: UserOptions = {}): Promise<TargetUser> {
      const user = await createOracleUser(oracle, { username: name, ...options });
      return { apikey: user.apikey, username: `${user.username}#${user.id}`, id: user.id };
    },
    async quiesce() {
      // Workers count as active for 5 minutes after their last check-in; requests wait until cancelled.
      await oracleSql(
        oracle,
        "UPDATE workers SET last_check_in = last_check_in - interval '10 minutes' " +
          "WHERE last_check_in > now() at time zone 'utc' - interval '10 minutes'; " +
          "UPDATE waiting_prompts SET n = 0 WHERE n > 0",
      );
    },
    fetchUrl: (url, init) => fetch(url, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async webhooks() {
      receiver ??= await startLoopbackHttps();
      const from = receiver.delivered.length;
      const { url, delivered } = receiver;
      return { url, received: () => delivered.slice(from) };
    },
    async close() {
      await receiver?.close();
      receiver = undefined;
    },
  };
}

interface LoopbackHttps {
  url: string;
  delivered: unknown[];
  close(): Promise<void>;
}

/** An https receiver on 127.0.0.1 with the test certificate the oracle is started trusting. */
async function startLoopbackHttps(): Promise<LoopbackHttps> {
  const tls = loopbackTls();
  const delivered: unknown[] = [];
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      delivered.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/horde-hook`,
    delivered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
