/**
 * `POST /v2/generate/text/pop` (docs/server/text.md#text): scan the text queue in priority order (owner and
 * priority users
 * first), skip what the worker cannot do, and pop one job of the first match.
 *
 * Simplified: one job per pop (`n: 1` in the payload, as the doc shows), whatever `amount` says.
 */
import type { Caller } from "../caller.js";
import { chooseTextModel, textEligibility } from "../matching/text.js";
import type { Job } from "../store/jobs.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { idleTextPop, textPop } from "../views/pop.js";
import { textWorkerModels } from "../workers/checkin.js";
import { popWork, queuePop, startJobs } from "../workers/pop.js";

/** Text jobs always get 150 s (docs/server/progress.md#job-ttl-restarts-and-faulting). */
export const TEXT_JOB_TTL_S = 150;

const TEXT_POP = queuePop({
  kind: "text",
  whyNot: textEligibility,
  // Only the reasons that occurred are reported (inferred: text has no always-present list,
  // docs/server/workers.md#pop is image).
  skipReport: (skipped) => Object.fromEntries(skipped),
  idle: idleTextPop,
  parseModels: textWorkerModels,
  start: startTextJob,
});

export function popText(store: HordeStore, body: Record<string, unknown>, caller: Caller) {
  return popWork(store, TEXT_POP, body, caller);
}

function startTextJob(store: HordeStore, worker: Worker, req: TextRequest) {
  const model = chooseTextModel(worker, req);
  const [job] = startJobs(store, worker, req, { count: 1, model, seed: 0, ttl: TEXT_JOB_TTL_S });
  return textPop(req, (job as Job).id, model, TEXT_JOB_TTL_S);
}
