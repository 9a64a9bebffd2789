/**
 * Handing text jobs to a worker (§6.1 pop): scan the text queue in priority order (owner and priority
 * users first), skip what the worker cannot do, and pop one job of the first match.
 *
 * Simplified: one job per pop (`n: 1` in the payload, as the doc shows), whatever `amount` says.
 */
import { randomUUID } from "node:crypto";
import { schemas } from "horde-sdk";
import type { HordeState } from "./horde.js";
import { type Job, TEXT_JOB_TTL_S } from "./jobs.js";
import { queuedRequests } from "./queue.js";
import { REQUEST_LIFETIME_MS, setRemaining, type TextRequest } from "./requests.js";
import { chooseTextModel, type TextSkipReason, textEligibility } from "./text-matching.js";
import type { Worker } from "./workers.js";

const EXTRA_SLOW_LIFETIME_MS = 60 * 60_000;
/** The payload fields the server marshals (ModelPayloadKobold). */
const PAYLOAD_FIELDS = Object.keys(schemas.ModelPayloadKobold.shape);

export type TextPopResponse =
  | {
      payload: Record<string, unknown>;
      id: string;
      ids: string[];
      skipped: Record<string, never>;
      softprompt?: string;
      model: string;
      ttl: number;
      messages: unknown[];
    }
  | { id: null; ids: []; skipped: Record<string, number>; messages: unknown[] };

export function popTextJob(
  state: HordeState,
  worker: Worker,
  priorityUserIds: ReadonlySet<number>,
): TextPopResponse {
  const queue = queuedRequests(state, "text");
  const ordered = [
    ...queue.filter((r) => priorityUserIds.has(r.userId)),
    ...queue.filter((r) => !priorityUserIds.has(r.userId)),
  ];
  const skipped = new Map<TextSkipReason, number>();
  for (const req of ordered) {
    const why = textEligibility(state, worker, req, priorityUserIds);
    if (why) {
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      continue;
    }
    return startTextJob(state, worker, req);
  }
  // Only the reasons that occurred are reported (inferred: text has no always-present list, §5.1 is image).
  return { id: null, ids: [], skipped: Object.fromEntries(skipped), messages: [] };
}

function startTextJob(state: HordeState, worker: Worker, req: TextRequest): TextPopResponse {
  const now = state.now();
  const model = chooseTextModel(worker, req);
  const job: Job = {
    id: randomUUID(),
    requestId: req.id,
    kind: "text",
    workerId: worker.id,
    workerName: worker.name,
    model,
    seed: 0,
    startedAt: now,
    ttl: TEXT_JOB_TTL_S,
    delivered: null,
    faultedAt: null,
  };
  state.addJob(job);
  setRemaining(req, req.remaining - 1, now);
  req.expiresAt = now + (worker.extraSlow ? EXTRA_SLOW_LIFETIME_MS : REQUEST_LIFETIME_MS);

  const source: Record<string, unknown> = { ...req.params, prompt: req.prompt, n: 1 };
  const payload: Record<string, unknown> = {};
  for (const field of PAYLOAD_FIELDS) if (source[field] !== undefined) payload[field] = source[field];
  return {
    payload,
    id: job.id,
    ids: [job.id],
    skipped: {},
    ...(req.softprompt !== undefined ? { softprompt: req.softprompt } : {}),
    model,
    ttl: TEXT_JOB_TTL_S,
    messages: [],
  };
}
