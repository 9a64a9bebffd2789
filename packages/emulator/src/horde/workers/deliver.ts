/**
 * The one way a worker submits an image or text job (docs/server/workers.md#submit steps 1–4,
 * docs/server/text.md#text): find the job, check the
 * caller, handle a reported fault, refuse a second or late submit — then the kind stores the result and
 * settles the books (step 5, a `DeliverKind`).
 */
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { abortJob, requeueReportedFault, sweep } from "../lifecycle.js";
import { type Job, jobState } from "../store/jobs.js";
import type { GenRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { generationWebhook } from "../views/webhooks.js";

/** A submit's body once the schema and the parser accepted it. */
export interface SubmitBody {
  id: string;
  generation: string;
  state?: "ok" | "censored" | "faulted" | "csam";
  seed?: number;
  gen_metadata?: { type: string; value: string; ref?: string }[];
}

export interface DeliverKind<R extends GenRequest> {
  kind: R["kind"];
  /** Whether a submit that says `faulted` is still a delivery (images: censorship in the metadata). */
  deliversFault?(body: SubmitBody): boolean;
  /** Step 5: stores the result, pays the worker, charges the requester; the reward. */
  deliver(store: HordeStore, job: Job, req: R, worker: Worker, body: SubmitBody): number;
}

export function deliverWork<R extends GenRequest>(
  store: HordeStore,
  kind: DeliverKind<R>,
  body: SubmitBody,
  caller: Caller,
): { reward: number } {
  sweep(store);

  // 1. Unknown job (also one whose request expired and was deleted, or a job of the other kind).
  const job = store.findJob(body.id);
  const req = job ? store.requestOf(job) : undefined;
  if (!job || !req || req.kind !== kind.kind)
    throw err.notFound(`Processing Job with ID ${body.id} does not exist.`, "InvalidJobID");

  // 2. QUIRK(docs/server/workers.md#submit): an unknown key should be 401 InvalidAPIKey, but the server's log
  // line reads a
  // parser field that does not exist, so the reply is a bare 500.
  const user = store.users.findByKey(caller.apikey);
  if (!user) {
    store.logger.debug?.("submit with an unknown key: answering 500 like the server");
    throw err.internal();
  }
  const worker = store.workers.findById(job.workerId);
  if (!worker || worker.ownerId !== user.id) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }

  // 3. A worker-reported fault re-queues an image (whatever state the job is in) and aborts a job in
  // flight. For images, censorship in the metadata makes it a delivery instead.
  const s = jobState(job);
  if (body.state === "faulted" && !kind.deliversFault?.(body)) {
    const now = store.now();
    requeueReportedFault(store, req, now);
    if (s === "processing") {
      abortJob(store, req, job, now, "worker");
      store.logger.debug?.("job faulted by its worker", { id: job.id, worker: worker.name });
      return { reward: 0 };
    }
  }

  // 4. Only the first submit counts; a worker in maintenance gets 0 instead of the error, and a fault
  // reported for a job already aborted is simply acknowledged.
  if (s === "finished") {
    if (worker.maintenance) return { reward: 0 };
    throw err.badRequest(`Processing Generation with ID ${job.id} already submitted.`, "DuplicateGen");
  }
  if (s === "faulted") {
    if (body.state === "faulted") return { reward: 0 };
    throw err.badRequest(
      `Processing Generation with ID ${job.id} took too long to process and has been aborted! ` +
        "Please check your worker speed - generations must complete within 150 seconds " +
        "(minimum ~1 it/s, higher for large requests)!",
      "AbortedGen",
    );
  }
  const reward = kind.deliver(store, job, req as R, worker, body);
  // 5. The webhook is queued once the delivery is settled; a slow subscriber never holds up this answer.
  if (req.webhook) {
    store.webhooks.enqueue({
      url: req.webhook,
      body: generationWebhook(store, req, job, store.webhooks.publicOrigin ?? caller.origin),
    });
  }
  return { reward };
}
