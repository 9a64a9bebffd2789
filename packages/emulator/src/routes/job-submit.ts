/**
 * The parts of a worker's submit that image and text share (§5.3 steps 1–4): find the job, check the
 * caller, handle a reported fault, refuse a second or late submit.
 */
import type { Context } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, INTERNAL_SERVER_ERROR } from "../http/errors.js";
import { type Job, jobState } from "../state/jobs.js";
import { abortJob, sweep } from "../state/lifecycle.js";
import type { GenKind, GenRequest } from "../state/requests.js";
import type { Worker } from "../state/workers.js";

export type SubmitTarget =
  | { kind: "deliver"; job: Job; req: GenRequest; worker: Worker }
  | { kind: "reply"; response: Response };

export function resolveSubmit(
  ctx: EmulatorContext,
  c: Context,
  kind: GenKind,
  id: string,
  apikey: string,
  state: string | undefined,
): SubmitTarget {
  const hs = ctx.state;
  sweep(hs);

  // 1. Unknown job (also one whose request expired and was deleted, or a job of the other kind).
  const job = hs.jobs.get(id);
  const req = job ? hs.requests.get(job.requestId) : undefined;
  if (!job || !req || req.kind !== kind)
    throw err.notFound(`Processing Generation with ID ${id} does not exist.`, "InvalidJobID");

  // 2. QUIRK(§5.3): an unknown key should be 401 InvalidAPIKey, but the server's log line reads a
  // parser field that does not exist, so the reply is a bare 500.
  const user = hs.users.findByKey(apikey);
  if (!user) {
    ctx.logger.debug?.("submit with an unknown key: answering 500 like the server");
    return { kind: "reply", response: c.json(INTERNAL_SERVER_ERROR, 500) };
  }
  const worker = hs.workers.findById(job.workerId);
  if (!worker || worker.ownerId !== user.id) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }

  // 3. A worker-reported fault aborts (and maybe re-queues) the job; no reward.
  if (state === "faulted") {
    abortJob(hs, req, job, hs.now(), "worker");
    ctx.logger.debug?.("job faulted by its worker", { id: job.id, worker: worker.name });
    return { kind: "reply", response: c.json({ reward: 0 }, 200) };
  }

  // 4. Only the first submit counts; a worker in maintenance gets 0 instead of the error.
  const s = jobState(job);
  if (s === "finished") {
    if (worker.maintenance) return { kind: "reply", response: c.json({ reward: 0 }, 200) };
    throw err.badRequest(`Processing Generation with ID ${job.id} already submitted.`, "DuplicateGen");
  }
  if (s === "faulted") {
    throw err.badRequest(
      `Processing Generation with ID ${job.id} took too long to process and has been aborted. ` +
        "Please make sure your worker finishes within the job's ttl (at least 150 seconds).",
      "AbortedGen",
    );
  }
  return { kind: "deliver", job, req, worker };
}
