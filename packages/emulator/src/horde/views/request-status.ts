/**
 * What a requester sees of a request: the ten progress fields (`RequestStatusCheck`,
 * docs/server/progress.md#progress), the full image
 * and text status with their generations (docs/server/image-requests.md#status, docs/server/text.md#text),
 * the alchemy status (docs/server/alchemy.md#alchemy), and the 202 of a new
 * request. Fields are in the server's order.
 */
import { counters, isDone, isPossible } from "../progress.js";
import { type QueueSnapshot, queueSnapshot, waitTimeSeconds } from "../queue.js";
import { WARNING_MESSAGES, type Warning, warning } from "../reference/warnings.js";
import { resultKey } from "../store/bucket.js";
import { type AlchemyForm, type Interrogation, interrogationState } from "../store/interrogations.js";
import { type Job, jobState } from "../store/jobs.js";
import type { GenRequest, ImageRequest, TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";

/** The shape of `RequestStatusCheck`, in the server's field order. */
export interface StatusCheck {
  finished: number;
  processing: number;
  restarted: number;
  waiting: number;
  done: boolean;
  faulted: boolean;
  wait_time: number;
  queue_position: number;
  kudos: number;
  is_possible: boolean;
}

export function statusCheck(store: HordeStore, req: GenRequest, queue?: QueueSnapshot): StatusCheck {
  const c = counters(store, req);
  const snapshot = queue ?? queueSnapshot(store, req.kind);
  const entry = snapshot.entries.get(req.id);
  return {
    ...c,
    done: isDone(req, c),
    faulted: req.faulted,
    wait_time: waitTimeSeconds(store, req, snapshot),
    // A request with nothing left to pop is not in the queue and reports position 0
    // (docs/server/progress.md#queue-position-and-wait-time).
    queue_position: entry ? entry.position : 0,
    kudos: Math.round(req.consumedKudos),
    is_possible: isPossible(store, req, c),
  };
}

type GenMetadataView = { type: string; value: string; ref?: string }[];

/** One generation per delivered job, in job order (docs/server/image-requests.md#status): faulted and in-flight ones are absent. */
function delivered(store: HordeStore, req: GenRequest) {
  const out: { job: Job; delivery: NonNullable<Job["delivered"]>; worker: WorkerFields }[] = [];
  for (const job of store.jobsOf(req)) {
    if (jobState(job) !== "finished" || !job.delivered) continue;
    const worker = { worker_id: job.workerId, worker_name: job.workerName, model: job.model };
    out.push({ job, delivery: job.delivered, worker });
  }
  return out;
}

/** What every generation says about who made it. */
interface WorkerFields {
  worker_id: string;
  worker_name: string;
  model: string;
}

export interface ImageGenerationView extends WorkerFields {
  state: "ok";
  img: string;
  seed: string;
  id: string;
  censored: boolean;
  gen_metadata: GenMetadataView;
}

export interface ImageStatusView extends StatusCheck {
  generations: ImageGenerationView[];
  shared: boolean;
}

/** The full image status (docs/server/image-requests.md#status). */
export function imageStatusView(store: HordeStore, req: ImageRequest, origin: string): ImageStatusView {
  const now = store.now();
  const generations = delivered(store, req).map(({ job, delivery, worker }) => ({
    ...worker,
    // QUIRK(docs/server/image-requests.md#status): the server never sets `state` for images, so it is always
    // the default "ok".
    state: "ok" as const,
    img: imageField(store, req, job.id, origin, now),
    // QUIRK(docs/server/image-requests.md#status): the seed is a string.
    seed: String(job.seed),
    id: job.id,
    censored: delivery.censored,
    gen_metadata: delivery.genMetadata,
  }));
  return { ...statusCheck(store, req), generations, shared: req.shared };
}

/** r2: a fresh presigned GET URL, valid 1800 s from now; otherwise the WebP itself in base64, or "N/A". */
export function imageField(
  store: HordeStore,
  req: ImageRequest,
  jobId: string,
  origin: string,
  now: number,
): string {
  const key = resultKey(jobId);
  if (req.r2) return store.r2.presign(origin, "GET", key, now);
  const obj = store.r2.get(key, now);
  return obj ? Buffer.from(obj.bytes).toString("base64") : "N/A";
}

export interface TextGenerationView extends WorkerFields {
  state: "ok" | "censored" | "csam";
  text: string;
  seed: number;
  gen_metadata: GenMetadataView;
}

export interface TextStatusView extends StatusCheck {
  generations: TextGenerationView[];
}

export function textStatusView(store: HordeStore, req: TextRequest): TextStatusView {
  const generations = delivered(store, req).map(({ job, delivery, worker }) => ({
    ...worker,
    state: delivery.state ?? "ok",
    text: delivery.text ?? "",
    seed: job.seed,
    gen_metadata: delivery.genMetadata,
  }));
  return { ...statusCheck(store, req), generations };
}

export interface AlchemyStatusView {
  state: string;
  forms: { form: string; state: string; result?: Record<string, unknown> }[];
}

/**
 * The alchemy status (docs/server/alchemy.md#status): `result` only once a form has one. Results that say
 * "R2" point at the form's upload (the key a job's image has): a download URL valid 1800 s from the delivery, minted under `origin`.
 */
export function alchemyStatusView(store: HordeStore, i: Interrogation, origin: string): AlchemyStatusView {
  return { state: interrogationState(i), forms: i.forms.map((f) => alchemyFormView(store, f, origin)) };
}

/** One form as the status (and the alchemy webhook) shows it. */
export function alchemyFormView(
  store: HordeStore,
  f: AlchemyForm,
  origin: string,
): AlchemyStatusView["forms"][number] {
  if (f.result === null) return { form: f.name, state: f.state };
  const deliveredAt = f.deliveredAt ?? store.now();
  const result = Object.fromEntries(
    Object.entries(f.result).map(([k, v]) => [
      k,
      v === "R2" ? store.r2.presign(origin, "GET", resultKey(f.id), deliveredAt) : v,
    ]),
  );
  return { form: f.name, state: f.state, result };
}

/**
 * The 202's `message` when no active worker can serve the request (docs/server/image-requests.md#submit-order
 * step 10): the image route's, and the text route's own (docs/server/text.md#submit).
 */
export const NO_WORKER_MESSAGE = WARNING_MESSAGES.NoAvailableWorker;
export const NO_TEXT_WORKER_MESSAGE =
  "Warning: No available workers can fulfill this request. It will expire in 20 minutes. " +
  "Consider reducing the amount of tokens to generate.";

export interface AcceptedView {
  id: string;
  kudos: number;
  message?: string;
  warnings?: Warning[];
}

/**
 * The 202 of a new image or text request (skip_none): `message` only when no worker can serve it (and not in
 * raid mode); an image request then also carries the `NoAvailableWorker` warning beside the model warnings.
 */
export function acceptedView(store: HordeStore, req: GenRequest, kudos: number): AcceptedView {
  const body: AcceptedView = { id: req.id, kudos };
  const warnings = req.kind === "image" ? [...req.warnings] : [];
  if (!store.modes.raid && !isPossible(store, req, counters(store, req))) {
    body.message = req.kind === "image" ? NO_WORKER_MESSAGE : NO_TEXT_WORKER_MESSAGE;
    if (req.kind === "image") warnings.push(warning("NoAvailableWorker"));
  }
  if (warnings.length > 0) body.warnings = warnings;
  return body;
}
