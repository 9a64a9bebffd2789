/**
 * Runs the oracle — the real AI Horde server from the shared kit (`../shared/oracle`, see its README) — for
 * the test suites: checks the kit's prerequisites, sets it up, starts it with its state in a temp dir and
 * on ports of its own, and stops it. Nothing of the kit is copied into this repository; we only run it.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What a test needs to talk to a running oracle. */
export interface OracleInfo {
  /** `http://127.0.0.1:<port>/api` — the same shape as `https://aihorde.net/api`. */
  baseUrl: string;
  /** Moderator in ADMINS, 1,000,000 kudos (recreated by every start). */
  adminKey: string;
  /** Trusted worker owner, 1,000,000 kudos (recreated by every start). */
  workerKey: string;
  /** Whether flask-limiter is on (the kit's default). */
  rateLimits: boolean;
  /** The local S3 stand-in for R2 (path-style, ignores auth): `http://127.0.0.1:<port>`. */
  s3Url: string;
  /** The oracle's PostgreSQL port on 127.0.0.1 (user `postgres`, database `horde`, trust auth). */
  pgPort: number;
}

export type OracleAvailability = { available: true; info: OracleInfo } | { available: false; reason: string };

/**
 * The repository root: the nearest folder above this module whose package.json is the monorepo's (from
 * packages/test-support/src/oracle, or from a bundle of it the reliability runners put in node_modules/).
 */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && /"name":\s*"horde-sdk-monorepo"/.test(readFileSync(manifest, "utf8")))
      return dir;
  }
  throw new Error(`no horde-sdk-monorepo package.json above ${from}`);
}

/** `HORDE_ORACLE_KIT`, else `../shared/oracle` beside the repository (where CI mounts it). */
export function kitDir(): string {
  return process.env.HORDE_ORACLE_KIT ?? resolve(REPO_ROOT, "../shared/oracle");
}

/**
 * The harness's own state dir and ports, derived from the checkout's path: a developer's oracle on the
 * kit's defaults (27201, …) and the oracles of other checkouts of this repository on the machine keep
 * running beside this one. Every value can be set through the kit's own variables.
 */
export function oracleEnv(): Record<string, string> {
  const env = process.env;
  const slot = createHash("sha256").update(REPO_ROOT).digest().readUInt16BE(0) % 40;
  return {
    HORDE_ORACLE_HOME: env.HORDE_ORACLE_HOME ?? join(tmpdir(), `horde-sdk-oracle-${slot}`),
    HORDE_ORACLE_PORT: env.HORDE_ORACLE_PORT ?? String(27310 + slot),
    HORDE_ORACLE_PG_PORT: env.HORDE_ORACLE_PG_PORT ?? String(5450 + slot),
    HORDE_ORACLE_REDIS_PORT: env.HORDE_ORACLE_REDIS_PORT ?? String(6400 + slot),
    HORDE_ORACLE_S3_PORT: env.HORDE_ORACLE_S3_PORT ?? String(9100 + slot),
    HORDE_ORACLE_MODELREF_PORT: env.HORDE_ORACLE_MODELREF_PORT ?? String(9200 + slot),
    // The suites need the limiter on: they compare 429s and X-RateLimit-* headers. Isolation between
    // suites comes from X-Forwarded-For (the server keys its limits on it, behind ProxyFix) and own users.
    HORDE_ORACLE_NO_RATELIMIT: env.HORDE_ORACLE_NO_RATELIMIT ?? "0",
    // The server sends webhooks to https URLs only; it trusts the test certificate of the https receiver on
    // loopback (Python's requests reads this variable, whatever the machine set it to), and nothing else
    // leaves loopback anyway.
    REQUESTS_CA_BUNDLE: loopbackTlsFiles().cert,
  };
}

/** The test-only certificate for 127.0.0.1 (fixtures/loopback-tls/README.md). */
export function loopbackTlsFiles(): { key: string; cert: string } {
  const dir = join(REPO_ROOT, "packages/test-support/fixtures/loopback-tls");
  return { key: join(dir, "key.pem"), cert: join(dir, "cert.pem") };
}

export function loopbackTls(): { key: string; cert: string } {
  const files = loopbackTlsFiles();
  return { key: readFileSync(files.key, "utf8"), cert: readFileSync(files.cert, "utf8") };
}

/** The kit's fixed keys (its README, "Fixed keys and users"). */
const ADMIN_KEY = "oracleAdminKey000001";
const WORKER_KEY = "oracleWorkerKey00002";

/**
 * The prerequisites the kit's README states: the kit itself, root, Python 3.11 and Debian's apt. A
 * machine without them skips the oracle suites (even under CI); any other failure to set up or start is
 * an error.
 */
export async function missingPrerequisite(): Promise<string | null> {
  const kit = kitDir();
  if (!existsSync(join(kit, "bin/setup"))) return `the oracle kit is not at ${kit} (set HORDE_ORACLE_KIT)`;
  if (process.platform !== "linux") return `the oracle kit runs on Debian Linux, not ${process.platform}`;
  if (process.getuid?.() !== 0) return "the oracle kit needs root (apt-get, su postgres)";
  const python = process.env.HORDE_ORACLE_PYTHON ?? "python3";
  const version = await run(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).catch(
    () => null,
  );
  if (version?.stdout.trim() !== "3.11") {
    return `the oracle kit needs Python 3.11 (${python} is ${version?.stdout.trim() || "missing"})`;
  }
  if (!existsSync("/usr/bin/apt-get") && !existsSync("/usr/lib/postgresql")) {
    return "the oracle kit needs Debian's apt-get (or PostgreSQL already installed)";
  }
  return null;
}

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 600_000) {
  return new Promise<RunResult>((ok, fail) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stderr}`.trim().split("\n").slice(-5).join("\n");
          fail(new Error(`${cmd} ${args.join(" ")} failed (${error.message.split("\n")[0]})\n${tail}`));
        } else ok({ stdout: `${stdout}`, stderr: `${stderr}` });
      },
    );
  });
}

/** The heartbeat answers 200 when the server is up. */
async function heartbeat(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/v2/status/heartbeat`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * `bin/setup` (idempotent: ~4 s when nothing to do, ~35 s cold plus apt) then `bin/start` (idempotent;
 * prints the base URL as its last line). Returns what the tests need.
 */
export async function startOracle({ fresh = true } = {}): Promise<OracleInfo> {
  const kit = kitDir();
  const env = oracleEnv();
  if (fresh) {
    // Every run starts from an empty horde: requests left waiting by an earlier run would be popped by
    // this run's workers. The database and the R2 stand-in go; the venv stays (setup re-runs initdb).
    await run(join(kit, "bin/stop"), [], env, 120_000);
    await rm(join(env.HORDE_ORACLE_HOME as string, "pgdata"), { recursive: true, force: true });
    await rm(join(env.HORDE_ORACLE_HOME as string, "s3data"), { recursive: true, force: true });
  }
  await run(join(kit, "bin/setup"), [], env);
  const { stdout } = await run(join(kit, "bin/start"), [], env);
  const baseUrl = stdout.trim().split("\n").at(-1)?.trim() ?? "";
  if (!/^http:\/\/127\.0\.0\.1:\d+\/api$/.test(baseUrl)) {
    throw new Error(`oracle bin/start printed no base URL (last line: ${JSON.stringify(baseUrl)})`);
  }
  if (!(await heartbeat(baseUrl))) throw new Error(`oracle at ${baseUrl} does not answer its heartbeat`);
  return {
    baseUrl,
    adminKey: ADMIN_KEY,
    workerKey: WORKER_KEY,
    rateLimits: env.HORDE_ORACLE_NO_RATELIMIT !== "1",
    s3Url: `http://127.0.0.1:${env.HORDE_ORACLE_S3_PORT}`,
    pgPort: Number(env.HORDE_ORACLE_PG_PORT),
  };
}

export async function stopOracle(): Promise<void> {
  await run(join(kitDir(), "bin/stop"), [], oracleEnv(), 120_000);
}

/**
 * Runs one SQL statement on the oracle's database with `psql` (a test that moves a row's time back, so the
 * server's own cleaner acts on it). Never used to change the server's code or behaviour.
 */
export async function oracleSql(oracle: OracleInfo, sql: string): Promise<string> {
  const { stdout } = await run(
    "psql",
    ["-h", "127.0.0.1", "-p", String(oracle.pgPort), "-U", "postgres", "-d", "horde", "-tAc", sql],
    {},
    30_000,
  );
  return stdout.trim();
}
