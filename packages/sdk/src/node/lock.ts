/// <reference types="node" />
// A lock file that processes on one machine take in turn: created with O_EXCL (only one creator wins), it
// names its holder (host, pid, a token) and is removed by the holder when done. A lock whose holder died
// (same host, pid gone) or that is older than `staleMs` is stale: it is removed under a second, short-lived
// "steal" lock, after checking it is still the same stale lock, so two processes recovering at once never
// remove a lock a third has just taken.
import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { HordeJobStoreError } from "../core/errors.js";

/** How long to wait for a lock file, and when a left-over one counts as stale (its holder died). */
export interface LockOptions {
  /** Give up taking the lock after this long (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this is stale whoever holds it (default 30 s; a holder keeps it a few ms). */
  staleMs?: number;
}

interface LockContent {
  host: string;
  pid: number;
  token: string;
  at: number;
}

/** A steal lock older than this was left by a process that died in the middle of recovering. */
const STALE_STEAL_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether process `pid` of this machine runs (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function readLock(path: string): Promise<{ content: LockContent | null; ageMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    let content: LockContent | null = null;
    try {
      content = JSON.parse(text) as LockContent;
    } catch {
      // Created but not written yet (or cut by a crash): judged by its age alone.
    }
    return { content, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

/** Runs `work` while holding the lock file `path`; `where` names the store in errors. */
export async function withLockFile<T>(
  path: string,
  where: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const mine: LockContent = {
    host: hostname(),
    pid: process.pid,
    token: randomBytes(8).toString("hex"),
    at: Date.now(),
  };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(path, JSON.stringify(mine))) break;
    const held = await readLock(path);
    if (held && isStale(held, staleMs)) {
      await removeStale(path, held.content);
      continue;
    }
    if (Date.now() > deadline) {
      const who = held?.content ? ` (held by process ${held.content.pid} on ${held.content.host})` : "";
      throw new HordeJobStoreError(`could not lock the job store ${where}${who}`, where);
    }
    await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
  }
  try {
    return await work();
  } finally {
    const held = await readLock(path).catch(() => null);
    if (held?.content?.token === mine.token) await unlinkIfThere(path);
  }
}

function isStale(held: { content: LockContent | null; ageMs: number }, staleMs: number): boolean {
  if (held.ageMs > staleMs) return true;
  const c = held.content;
  return c !== null && c.host === hostname() && c.pid !== process.pid && !processAlive(c.pid);
}

/** Removes the stale lock `seen`, unless another process replaced it meanwhile. */
async function removeStale(path: string, seen: LockContent | null): Promise<void> {
  const steal = `${path}.steal`;
  if (!(await createExclusive(steal, String(process.pid)))) {
    const other = await readLock(steal);
    if (other && other.ageMs > STALE_STEAL_MS) await unlinkIfThere(steal);
    await sleep(5 + Math.random() * 10);
    return;
  }
  try {
    const now = await readLock(path);
    // Only the steal-lock holder removes another's lock: if the token is unchanged, nobody took it since.
    if (now && now.content?.token === seen?.token) await unlinkIfThere(path);
  } finally {
    await unlinkIfThere(steal);
  }
}
