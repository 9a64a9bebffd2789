/**
 * `POST /v2/generate/text/pop` (docs/server/text.md#pop): scan the text queue in priority order (owner and
 * priority users first), pass over what the worker cannot do, and pop a batch of the first match: up to
 * `amount` jobs, all on the same model.
 */
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { chooseTextModel, type TextSkipReason, textPopVerdict } from "../matching/text.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import type { Worker, WorkerDeclaration } from "../store/workers.js";
import { idleTextPop, textPop } from "../views/pop.js";
import { type PopContext, popWork, queuePop, startJobs } from "../workers/pop.js";

/** Text jobs always get 150 s (docs/server/progress.md#job-ttl-restarts-and-faulting). */
export const TEXT_JOB_TTL_S = 150;

const TEXT_POP = {
  ...queuePop({
    kind: "text",
    whyNot: textPopVerdict,
    // Only the reasons that occurred are reported, and never what the pop's query left out.
    skipReport: (skipped: Map<TextSkipReason, number>) =>
      Object.fromEntries([...skipped].filter(([why]) => why !== "filtered")),
    idle: idleTextPop,
    start: startTextJobs,
  }),
  declare: checkTextModels,
};

/**
 * The models a text worker may declare (docs/server/text.md#pop): any name, but at least one, and a
 * `name::alias#id` model only for the user it names.
 */
function checkTextModels(decl: WorkerDeclaration, user: User): void {
  for (const model of decl.models.slice(0, 200)) {
    const parts = model.split("::");
    if (parts.length === 2 && parts[1] !== user.username) {
      throw err.badRequest(`This model can only be hosted by ${parts[1]}`);
    }
  }
  if (decl.models.length === 0) {
    throw err.badRequest("Unfortunately we cannot accept workers serving unrecognised models at this time");
  }
}

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
