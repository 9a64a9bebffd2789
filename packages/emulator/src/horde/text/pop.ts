/**
 * `POST /v2/generate/text/pop` (docs/server/text.md#pop): scan the text queue in priority order (owner and
 * priority users first), pass over what the worker cannot do, and pop a batch of the first match: up to
 * `amount` jobs, all on the same model.
 */
import type { Caller } from "../caller.js";
import { chooseTextModel, type TextSkipReason, textPopVerdict } from "../matching/text.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { idleTextPop, textPop } from "../views/pop.js";
import { textWorkerModels } from "../workers/checkin.js";
import { type PopContext, popWork, queuePop, startJobs } from "../workers/pop.js";

/** Text jobs always get 150 s (docs/server/progress.md#job-ttl-restarts-and-faulting). */
export const TEXT_JOB_TTL_S = 150;

const TEXT_POP = queuePop({
  kind: "text",
  whyNot: textPopVerdict,
  // Only the reasons that occurred are reported, and never what the pop's query left out.
  skipReport: (skipped: Map<TextSkipReason, number>) =>
    Object.fromEntries([...skipped].filter(([why]) => why !== "filtered")),
  idle: idleTextPop,
  parseModels: textWorkerModels,
  start: startTextJobs,
});

export function popText(store: HordeStore, body: Record<string, unknown>, caller: Caller) {
  return popWork(store, TEXT_POP, body, caller);
}

function startTextJobs(store: HordeStore, worker: Worker, req: TextRequest, ctx: PopContext) {
  const model = chooseTextModel(worker, req);
  // QUIRK(docs/server/text.md#pop): a text request never stores `disable_batching`, so it batches anyway.
  const count = Math.max(1, Math.min(ctx.amount, req.remaining));
  const jobs = startJobs(store, worker, req, { count, model, seed: 0, ttl: TEXT_JOB_TTL_S });
  return textPop(
    req,
    jobs.map((j) => j.id),
    model,
    TEXT_JOB_TTL_S,
  );
}
