import { accurateSteps } from "../rules/kudos.js";
import { isHeavyBaseline } from "../rules/models.js";
import type { GenKind, ImageParams } from "./requests.js";

export interface GenMetadata {
  type: string;
  value: string;
  ref?: string;
}

/** A popped image (the server's "processing generation" row). Its state is read from its fields. */
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
  /** Seconds before the job counts as stale (§2.3). */
  ttl: number;
  delivered: {
    at: number;
    censored: boolean;
    genMetadata: GenMetadata[];
    reward: number;
    /** Text only: the generated text, and the state the status reports (§6.1). */
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

/** Text jobs always get 150 s (§2.3). */
export const TEXT_JOB_TTL_S = 150;

/** The job ttl of §2.3, in whole seconds. */
export function jobTtlSeconds(
  params: ImageParams,
  models: readonly string[],
  extraSlowWorker: boolean,
): number {
  let ttl =
    30 + accurateSteps(params.steps, params.sampler_name) * 2 * ((params.width * params.height) / 262144);
  if (params.control_type) ttl *= 2;
  if (models.some(isHeavyBaseline)) ttl *= 3;
  ttl = Math.max(ttl, 150);
  if (extraSlowWorker) ttl *= 3;
  return Math.round(ttl);
}
