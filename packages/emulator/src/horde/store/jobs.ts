/** Popped image and text jobs (the server's "processing generation" rows). A job's state is read from its fields. */
import type { GenKind } from "./requests.js";

export interface GenMetadata {
  type: string;
  value: string;
  ref?: string;
}

export interface Job {
  id: string;
  requestId: string;
  kind: GenKind;
  workerId: string;
  workerName: string;
  model: string;
  /** The seed sent in the payload; replaced by the seed the worker submits. */
  seed: number;
  startedAt: number;
  /** Seconds before the job counts as stale (docs/server/progress.md#job-ttl-restarts-and-faulting). */
  ttl: number;
  delivered: {
    at: number;
    censored: boolean;
    genMetadata: GenMetadata[];
    reward: number;
    /** Text only: the generated text, and the state the status reports (docs/server/text.md#text). */
    text?: string;
    state?: "ok" | "censored" | "csam";
  } | null;
  /** Set when the job was aborted as stale or reported faulted by its worker. */
  faultedAt: number | null;
}

export type JobState = "processing" | "finished" | "faulted";

export function jobState(job: Job): JobState {
  if (job.delivered) return "finished";
  return job.faultedAt !== null ? "faulted" : "processing";
}

/** Whether a processing job is past its ttl at `now`. `lifecycle.ts` turns that into an abort. */
export function isStale(job: Job, now: number): boolean {
  return jobState(job) === "processing" && now - job.startedAt > job.ttl * 1000;
}
