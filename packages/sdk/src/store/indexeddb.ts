// A job store for browsers: one IndexedDB database, shared by every tab of the origin. Each call is one
// transaction, so tabs never see half a change. A tab names itself with a random `holder` and holds a Web
// Lock of that name while it lives, so another tab (or the page after a reload) can tell a job that a
// living tab still follows from one left behind.
import { HordeJobStoreError } from "../core/errors.js";
import { storedJobSchema } from "./document.js";
import {
  type JobStore,
  newJobKey,
  REMOVED_MEMORY_MS,
  type StoredJob,
  type StoredJobPatch,
} from "./job-store.js";

const JOBS = "jobs";
const REMOVED = "removed";
const LOCK_PREFIX = "horde-sdk-job-holder:";

interface LockManagerLike {
  request(name: string, callback: () => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function locks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IndexedDBJobStore implements JobStore {
  readonly holder: string;
  readonly #name: string;
  readonly #now: () => number;
  #db: Promise<IDBDatabase> | undefined;
  #holding = false;

  /** `database`: the IndexedDB database's name (default `horde-sdk-jobs`). */
  constructor(options: { database?: string; now?: () => number } = {}) {
    this.#name = options.database ?? "horde-sdk-jobs";
    this.#now = options.now ?? Date.now;
    this.holder = `tab:${newJobKey()}`;
  }

  /** The store's name in messages and errors (`indexeddb:<database>`). */
  get where(): string {
    return `indexeddb:${this.#name}`;
  }

  async list(): Promise<StoredJob[]> {
    const rows = await this.#run("readonly", (tx) => done(tx.objectStore(JOBS).getAll()));
    return rows.map((row, i) => {
      const parsed = storedJobSchema.safeParse(row);
      if (!parsed.success) {
        throw new HordeJobStoreError(
          `the job store ${this.where} holds a corrupted job (entry ${i}: ${parsed.error.issues[0]?.message}); it was left as it is`,
          this.where,
        );
      }
      return parsed.data;
    });
  }

  async put(job: StoredJob): Promise<void> {
    this.#holdLock();
    await this.#run("readwrite", (tx) => done(tx.objectStore(JOBS).put({ ...job })));
  }

  async update(key: string, patch: StoredJobPatch): Promise<boolean> {
    this.#holdLock();
    return this.#run("readwrite", async (tx) => {
      const jobs = tx.objectStore(JOBS);
      const job = (await done(jobs.get(key))) as StoredJob | undefined;
      if (!job) return false;
      await done(jobs.put({ ...job, ...patch }));
      return true;
    });
  }

  async remove(key: string): Promise<void> {
    const now = this.#now();
    await this.#run("readwrite", async (tx) => {
      const job = (await done(tx.objectStore(JOBS).get(key))) as StoredJob | undefined;
      await done(tx.objectStore(JOBS).delete(key));
      const removed = tx.objectStore(REMOVED);
      if (job?.id) await done(removed.put({ id: job.id, at: now }));
      for (const old of (await done(removed.getAll())) as { id: string; at: number }[]) {
        if (now - old.at >= REMOVED_MEMORY_MS) await done(removed.delete(old.id));
      }
    });
  }

  async recentlyRemoved(): Promise<string[]> {
    const now = this.#now();
    const rows = await this.#run("readonly", (tx) => done(tx.objectStore(REMOVED).getAll()));
    return (rows as { id: string; at: number }[])
      .filter((r) => now - r.at < REMOVED_MEMORY_MS)
      .map((r) => r.id);
  }

  async holderAlive(holder: string): Promise<boolean> {
    const manager = locks();
    if (!manager || holder === this.holder) return holder === this.holder;
    const { held = [] } = await manager.query();
    return held.some((lock) => lock.name === `${LOCK_PREFIX}${holder}`);
  }

  /** Closes the database (the store opens it again when used). */
  close(): void {
    const db = this.#db;
    this.#db = undefined;
    db?.then((d) => d.close()).catch(() => {});
  }

  /** From the first write on, this page holds its lock until it goes away (a reload, a closed tab). */
  #holdLock(): void {
    if (this.#holding) return;
    this.#holding = true;
    locks()
      ?.request(`${LOCK_PREFIX}${this.holder}`, () => new Promise(() => {}))
      .catch(() => {});
  }

  async #run<T>(mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    const db = await this.#open();
    try {
      const tx = db.transaction([JOBS, REMOVED], mode);
      const finished = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(tx.error);
        tx.onerror = () => reject(tx.error);
      });
      const result = await work(tx);
      await finished;
      return result;
    } catch (error) {
      if (error instanceof HordeJobStoreError) throw error;
      throw new HordeJobStoreError(
        `the job store ${this.where} failed: ${(error as Error)?.message ?? String(error)}`,
        this.where,
        { cause: error },
      );
    }
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = globalThis.indexedDB;
      if (!factory) {
        reject(new HordeJobStoreError(`no IndexedDB here for the job store ${this.where}`, this.where));
        return;
      }
      const request = factory.open(this.#name, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(JOBS, { keyPath: "key" });
        db.createObjectStore(REMOVED, { keyPath: "id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(JOBS) || !db.objectStoreNames.contains(REMOVED)) {
          db.close();
          reject(
            new HordeJobStoreError(
              `the IndexedDB database ${this.#name} is not a horde-sdk job store; it was left as it is`,
              this.where,
            ),
          );
          return;
        }
        resolve(db);
      };
      request.onerror = () =>
        reject(
          new HordeJobStoreError(
            `cannot open the job store ${this.where}: ${request.error?.message ?? "unknown error"}`,
            this.where,
            { cause: request.error },
          ),
        );
    });
    this.#db.catch(() => {
      this.#db = undefined;
    });
    return this.#db;
  }
}
