/**
 * The one way a worker submits an image or text job (docs/server/workers.md#submit steps 1–4,
 * docs/server/text.md#worker-submit): find the job, check the caller, apply what the reported state says
 * (a fault, a censorship), refuse a second or late submit — then the kind stores the result and settles
 * the books (step 5, a `DeliverKind`).
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

/** What differs per kind in a submit. */
export interface DeliverKind<R extends GenRequest> {
  kind: R["kind"];
  /** Whether a submit that says `faulted` is still a delivery (images: censorship in the metadata). */
  deliversFault?(body: SubmitBody): boolean;
  /**
   * Step 3, before the result is stored: what the report changes in a result delivered earlier (text: a
   * censorship report marks it censored, docs/server/text.md#worker-submit).
   */
  amendDelivered?(job: Job, body: SubmitBody): void;
  /** Step 5: stores the result, pays the worker, charges the requester; the reward. */
  deliver(store: HordeStore, job: Job, req: R, worker: Worker, body: SubmitBody): number;
}

/** The most `gen_metadata` entries a submit may carry (docs/server/workers.md#submit). */
const MAX_METADATA_ENTRIES = 50;

/** The answers to a second submit, and to a submit of a job that was aborted (docs/server/workers.md#submit step 4). */
export const duplicateGen = (id: string) =>
  err.badRequest(`Processing Generation with ID ${id} already submitted.`, "DuplicateGen");
export const abortedGen = (id: string) =>
  err.badRequest(
    `Processing Generation with ID ${id} took too long to process and has been aborted! Please check your ` +
      "worker speed - generations must complete within 150 seconds (minimum ~1 it/s, higher for large requests)!",
    "AbortedGen",
  );
/** An unknown job or form id (docs/server/workers.md#submit step 1). */
export const invalidJobId = (id: string) =>
  err.notFound(`Processing Job with ID ${id} does not exist.`, "InvalidJobID");

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
  if (!job || !req || req.kind !== kind.kind) throw invalidJobId(body.id);

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

  // 3. The reported state: a fault aborts a job in flight and re-queues its slot (for images, censorship in
  // the metadata makes it a delivery instead); the kind may amend a result delivered earlier.
  // QUIRK(docs/server/workers.md#submit): the server adds the slot back for every fault report, also on a
  // job already faulted or delivered, but commits it only when something else commits: for text always
  // (its statistics), for images only the abort of a job in flight — so for an ended image job it is lost.
  const s = jobState(job);
  if (s === "finished") kind.amendDelivered?.(job, body);
  if (body.state === "faulted" && !kind.deliversFault?.(body)) {
    const now = store.now();
    if (s === "processing" || req.kind === "text") requeueReportedFault(store, req, now);
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
    throw duplicateGen(job.id);
  }
  if (s === "faulted") {
    if (body.state === "faulted") return { reward: 0 };
    throw abortedGen(job.id);
  }
  const reward = kind.deliver(store, job, req as R, worker, body);
  // 5. The webhook is queued once the delivery is settled; a slow subscriber never holds up this answer.
  if (req.webhook) {
    store.webhooks.enqueue({
      url: req.webhook,
      body: generationWebhook(store, req, job, store.webhooks.publicOrigin ?? caller.origin),
    });
  }
  // QUIRK(docs/server/workers.md#submit): too much metadata is refused only after the result was recorded
  // (and its webhook queued).
  if ((body.gen_metadata ?? []).length > MAX_METADATA_ENTRIES) {
    throw err.badRequest(`Too many metadata fields. Max is ${MAX_METADATA_ENTRIES}.`);
  }
  return { reward };
}
