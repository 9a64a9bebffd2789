/// <reference types="node" />
// The job store for Node: one JSON file, safe for every process of the machine at once. A change takes the
// lock file beside it (lock.ts), reads the file, writes the new text to a temporary file, flushes it and
// renames it over the old one — so a reader sees the old file or the new one, never half of one, and a
// process killed mid-write leaves the old file intact. A file that is not a job store, or is corrupted, is
// an error naming it, and is never overwritten.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { HordeJobStoreError } from "../core/errors.js";
import {
  parseStoreDocument,
  patchInDocument,
  putInDocument,
  recentlyRemovedIn,
  removeFromDocument,
  type StoreDocument,
  serializeStoreDocument,
} from "../store/document.js";
import type { JobStore, StoredJob, StoredJobPatch } from "../store/job-store.js";
import { type LockOptions, processAlive, withLockFile } from "./lock.js";

/** How `FileJobStore` takes its lock file: the same options as `LockOptions`. */
export interface FileJobStoreOptions extends LockOptions {}

export class FileJobStore implements JobStore {
  /** The store's file. */
  readonly path: string;
  /** `host:pid` of this process. */
  readonly holder: string;
  readonly #options: FileJobStoreOptions;
  /** This process's own changes, one after another (the lock file orders them against other processes). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: FileJobStoreOptions = {}) {
    this.path = path;
    this.holder = `${hostname()}:${process.pid}`;
    this.#options = options;
  }

  async list(): Promise<StoredJob[]> {
    return (await this.#read()).jobs;
  }

  put(job: StoredJob): Promise<void> {
    return this.#change((doc) => putInDocument(doc, job));
  }

  update(key: string, patch: StoredJobPatch): Promise<boolean> {
    return this.#change((doc) => patchInDocument(doc, key, patch));
  }

  remove(key: string): Promise<void> {
    return this.#change((doc) => removeFromDocument(doc, key, Date.now()));
  }

  async recentlyRemoved(): Promise<string[]> {
    return recentlyRemovedIn(await this.#read(), Date.now());
  }

  async holderAlive(holder: string): Promise<boolean> {
    if (holder === this.holder) return true;
    const at = holder.lastIndexOf(":");
    const pid = Number(holder.slice(at + 1));
    // Another machine's process cannot be asked: count it as running.
    if (holder.slice(0, at) !== hostname()) return true;
    return Number.isInteger(pid) && pid > 0 && processAlive(pid);
  }

  async #read(): Promise<StoreDocument> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") text = "";
      else {
        throw new HordeJobStoreError(
          `cannot read the job store ${this.path}: ${(error as Error).message}`,
          this.path,
          { cause: error },
        );
      }
    }
    return parseStoreDocument(text, this.path);
  }

  #change<T>(edit: (doc: StoreDocument) => T): Promise<T> {
    const run = async () => {
      await mkdir(dirname(this.path), { recursive: true }).catch((error: Error) => {
        throw new HordeJobStoreError(
          `cannot create the folder of the job store ${this.path}: ${error.message}`,
          this.path,
          { cause: error },
        );
      });
      return withLockFile(`${this.path}.lock`, this.path, this.#options, async () => {
        const doc = await this.#read();
        const result = edit(doc);
        await this.#write(doc);
        return result;
      });
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #write(doc: StoreDocument): Promise<void> {
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const handle = await open(temp, "w", 0o600);
      try {
        await handle.writeFile(serializeStoreDocument(doc));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw new HordeJobStoreError(
        `cannot write the job store ${this.path}: ${(error as Error).message}`,
        this.path,
        { cause: error },
      );
    }
  }
}
