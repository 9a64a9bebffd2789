/**
 * `POST /v2/generate/text/submit` (docs/server/text.md#worker-submit): a worker delivers (or gives up on) one
 * text job, in the server's order — a reported fault re-queues a job first, a censored report marks the
 * text, and only then is a second or late submit refused.
 */
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { abortJob } from "../lifecycle.js";
import { isValidatedBackend, textCharge, textReward, tokensOf } from "../pricing/text.js";
import { settleDelivery } from "../settlement.js";
import { type Job, jobState } from "../store/jobs.js";
import { setRemaining, type TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import {
  abortedGen,
  type DeliverKind,
  deliverWork,
  duplicateGen,
  type SubmitBody,
} from "../workers/deliver.js";

const MAX_METADATA = 50;

const isCsam = (m: { type: string; value: string }) => m.type === "censorship" && m.value === "csam";

function submitText(store: HordeStore, job: Job, req: TextRequest, worker: Worker, body: SubmitBody) {
  const state = body.state ?? "ok";
  const metadata = [...(body.gen_metadata ?? [])];
  if (state === "faulted") {
    // The job goes back to the queue even when it was already aborted or delivered.
    if (jobState(job) === "processing") abortJob(store, req, job, store.now(), "worker");
    else if (req.cancelledAt === null) setRemaining(req, req.remaining + 1, store.now());
  }
  // A censored report marks the text, also one already delivered.
  const censored = state === "censored" || state === "csam" || metadata.some(isCsam);
  if (censored && job.delivered) {
    job.delivered.censored = true;
    job.delivered.state = job.delivered.genMetadata.some(isCsam) ? "csam" : "censored";
  }
  const s = jobState(job);
  if (s === "finished") {
    if (worker.maintenance) return { reward: 0 };
    throw duplicateGen(job.id);
  }
  if (s === "faulted") {
    if (state === "faulted") return { reward: 0 };
    throw abortedGen(job.id);
  }
  if (state === "csam" && !metadata.some(isCsam)) metadata.push({ type: "censorship", value: "csam" });
  const reward = deliver(store, job, req, worker, body.generation, censored, metadata);
  job.seed = typeof body.seed === "number" ? body.seed : 0;
  if (metadata.length > MAX_METADATA) throw err.badRequest("Too many metadata fields. Max is 50.");
  return { reward };
}

/** Stores the text, pays the owner the reward and charges the requester it (only the burn when censored). */
function deliver(
  store: HordeStore,
  job: Job,
  req: TextRequest,
  worker: Worker,
  text: string,
  censored: boolean,
  genMetadata: NonNullable<SubmitBody["gen_metadata"]>,
): number {
  const reward = textReward({
    model: job.model,
    text,
    prompt: req.prompt,
    maxLength: req.params.max_length,
    validatedBackend: isValidatedBackend(worker.bridgeAgent),
    trustedWorker: store.users.findById(worker.ownerId)?.trusted ?? false,
  });
  job.delivered = {
    at: store.now(),
    censored,
    genMetadata,
    reward,
    text: text.replaceAll("\u0000", "\ufffd"),
    state: censored ? (genMetadata.some(isCsam) ? "csam" : "censored") : "ok",
  };
  settleDelivery(store, req, job, worker, {
    reward,
    charge: textCharge(reward, censored),
    things: tokensOf(text, req.params.max_length),
  });
  return reward;
}

const TEXT_DELIVERY: DeliverKind<TextRequest> = { kind: "text", submit: submitText };

/** Answers a schema-valid submit body (`generation` present). */
export function deliverText(store: HordeStore, body: SubmitBody, caller: Caller): { reward: number } {
  return deliverWork(store, TEXT_DELIVERY, body, caller);
}
