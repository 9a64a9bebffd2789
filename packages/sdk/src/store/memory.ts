import {
  emptyDocument,
  patchInDocument,
  putInDocument,
  recentlyRemovedIn,
  removeFromDocument,
} from "./document.js";
import type { JobStore, StoredJob, StoredJobPatch } from "./job-store.js";

/**
 * A job store in memory: for tests, and for sharing one store between clients of one process. It dies with
 * the process, so it makes nothing durable.
 */
export class MemoryJobStore implements JobStore {
  readonly #doc = emptyDocument();
  readonly #now: () => number;

  /** `now` dates the removed ids (default Date.now; tests pass their virtual clock's). */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async list(): Promise<StoredJob[]> {
    return [...this.#doc.jobs];
  }

  async put(job: StoredJob): Promise<void> {
    putInDocument(this.#doc, job);
  }

  async update(key: string, patch: StoredJobPatch): Promise<boolean> {
    return patchInDocument(this.#doc, key, patch);
  }

  async remove(key: string): Promise<void> {
    removeFromDocument(this.#doc, key, this.#now());
  }

  async recentlyRemoved(): Promise<string[]> {
    return recentlyRemovedIn(this.#doc, this.#now());
  }
}
