// The job store's data on disk (or in any text slot): one JSON document, checked on every read. A document
// that is not ours, or not readable, is an error that names the store and is never overwritten.
import * as z from "zod";
import { HordeJobStoreError } from "../core/errors.js";
import { dottedPath } from "../core/validation.js";
import { REMOVED_MEMORY_MS, type StoredJob, type StoredJobPatch } from "./job-store.js";

/** The document's `format` field: what tells a job store from any other JSON file. */
export const STORE_FORMAT = "horde-sdk/job-store";
/** The document version this SDK writes; a newer one is refused rather than misread. */
export const STORE_VERSION = 1;

const progressSchema = z.object({
  finished: z.number(),
  processing: z.number(),
  waiting: z.number(),
  done: z.boolean(),
  faulted: z.boolean(),
  queue_position: z.number().nullable(),
  wait_time: z.number().nullable(),
});

/** One stored job, as read back (the application's `meta` is any JSON object). */
export const storedJobSchema: z.ZodType<StoredJob> = z.object({
  key: z.string().min(1),
  kind: z.enum(["image", "text", "alchemy"]),
  state: z.enum(["submitting", "unidentified", "running"]),
  id: z.string().min(1).nullable(),
  baseUrl: z.string().min(1),
  account: z.string(),
  holder: z.string().nullable(),
  submittedAt: z.number(),
  updatedAt: z.number(),
  expected: z.number().int().min(1),
  download: z.boolean(),
  progress: progressSchema.nullable(),
  meta: z.record(z.string(), z.unknown()).nullable(),
});

const removedSchema = z.object({ id: z.string(), at: z.number() });

export interface StoreDocument {
  format: typeof STORE_FORMAT;
  version: typeof STORE_VERSION;
  jobs: StoredJob[];
  /** Ids of jobs removed lately (see `JobStore.recentlyRemoved`). */
  removed: { id: string; at: number }[];
}

export function emptyDocument(): StoreDocument {
  return { format: STORE_FORMAT, version: STORE_VERSION, jobs: [], removed: [] };
}

/** Reads a document; `where` names the store in errors. Empty text is an empty store. */
export function parseStoreDocument(text: string, where: string): StoreDocument {
  if (text.trim() === "") return emptyDocument();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HordeJobStoreError(
      `the job store ${where} is corrupted (not JSON: ${(error as Error).message}); it was left as it is`,
      where,
      { cause: error },
    );
  }
  const head = json as { format?: unknown; version?: unknown } | null;
  if (head === null || typeof head !== "object" || Array.isArray(head) || head.format !== STORE_FORMAT) {
    throw new HordeJobStoreError(
      `${where} is not a horde-sdk job store (no "format": "${STORE_FORMAT}"); it was left as it is`,
      where,
    );
  }
  if (head.version !== STORE_VERSION) {
    throw new HordeJobStoreError(
      `the job store ${where} has version ${String(head.version)}; this horde-sdk reads version ${STORE_VERSION} (a newer horde-sdk wrote it?)`,
      where,
    );
  }
  const parsed = z
    .object({ jobs: z.array(storedJobSchema), removed: z.array(removedSchema).default([]) })
    .safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? dottedPath(issue.path) : "";
    throw new HordeJobStoreError(
      `the job store ${where} is corrupted (${path || "(root)"}: ${issue?.message ?? "invalid"}); it was left as it is`,
      where,
    );
  }
  return { format: STORE_FORMAT, version: STORE_VERSION, ...parsed.data };
}

export function serializeStoreDocument(doc: StoreDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// The changes a store makes, on a document: the memory store keeps one, the file store reads and writes one.

/** Adds `job`, or replaces the job with its key. */
export function putInDocument(doc: StoreDocument, job: StoredJob): void {
  doc.jobs = [...doc.jobs.filter((j) => j.key !== job.key), Object.freeze({ ...job })];
}

/** Patches the job with this key; false when there is none. */
export function patchInDocument(doc: StoreDocument, key: string, patch: StoredJobPatch): boolean {
  const index = doc.jobs.findIndex((j) => j.key === key);
  const job = doc.jobs[index];
  if (!job) return false;
  doc.jobs[index] = Object.freeze({ ...job, ...patch });
  return true;
}

/** Removes a job, remembering its id; forgets ids removed longer ago than REMOVED_MEMORY_MS. */
export function removeFromDocument(doc: StoreDocument, key: string, now: number): void {
  const job = doc.jobs.find((j) => j.key === key);
  doc.jobs = doc.jobs.filter((j) => j.key !== key);
  if (job?.id) doc.removed.push({ id: job.id, at: now });
  doc.removed = doc.removed.filter((r) => now - r.at < REMOVED_MEMORY_MS);
}

/** The ids removed less than REMOVED_MEMORY_MS ago. */
export function recentlyRemovedIn(doc: StoreDocument, now: number): string[] {
  return doc.removed.filter((r) => now - r.at < REMOVED_MEMORY_MS).map((r) => r.id);
}
