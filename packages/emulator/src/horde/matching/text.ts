/**
 * Which text worker may take which text request (docs/server/text.md#pop). The server's pop query already
 * leaves out most requests a worker cannot serve, so they are passed over without a reason; of the
 * reasons it checks afterwards only `untrusted` can occur for text (text workers declare no blacklist, and
 * a request's soft prompt is never stored).
 */
import { isValidatedBackend } from "../pricing/text.js";
import { DEFAULT_TEXT_MODEL, textModelInfo } from "../reference/models.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type Worker, workerSpeed } from "../store/workers.js";

/** `filtered`: left out by the pop's query, never counted in `skipped`. */
export type TextSkipReason = "untrusted" | "filtered";

/** A worker's tokens per second; a worker that has delivered nothing counts as 1 (the server's baseline). */
function tokensPerSecond(worker: Worker): number {
  return workerSpeed(worker) ?? 1;
}

/** The speed a worker needs for a request without slow workers: by its first model's size, 3 (≥ 20B), 4 (≥ 13B) or 5 tokens/s. */
function slowSpeed(worker: Worker): number {
  const first = worker.models[0];
  const p = first === undefined ? 20 : (textModelInfo(first)?.parameters ?? 1);
  return p >= 20 ? 3 : p >= 13 ? 4 : 5;
}

/** What the request and the worker both declare: lengths, models, targeting, the owner's maintenance. */
function fits(worker: Worker, req: TextRequest): boolean {
  if (req.params.max_length > worker.maxLength) return false;
  if (req.params.max_context_length > worker.maxContextLength) return false;
  if (req.models.length > 0 && !req.models.some((m) => worker.models.includes(m))) return false;
  if (req.workers.length > 0 && req.workers.includes(worker.id) === req.workerBlacklist) return false;
  return !worker.maintenance || worker.ownerId === req.userId;
}

const untrusted = (store: HordeStore, worker: Worker, req: TextRequest) =>
  req.trustedWorkers && !store.users.findById(worker.ownerId)?.trusted;

/** The pop's verdict on one queued request: null when the worker may take it. */
export function textPopVerdict(store: HordeStore, worker: Worker, req: TextRequest): TextSkipReason | null {
  if (!fits(worker, req)) return "filtered";
  if (!req.slowWorkers && tokensPerSecond(worker) < slowSpeed(worker)) return "filtered";
  if (req.validatedBackends && !isValidatedBackend(worker.bridgeAgent)) return "filtered";
  return untrusted(store, worker, req) ? "untrusted" : null;
}

/**
 * Whether an active worker could serve the request, null when it could (`is_possible` and the 202's
 * `message`, docs/server/text.md#submit): the pop's rules, except that the speed bar is 2 tokens/s.
 */
export function textEligibility(store: HordeStore, worker: Worker, req: TextRequest): TextSkipReason | null {
  if (!fits(worker, req)) return "filtered";
  if (!req.slowWorkers && tokensPerSecond(worker) < 2) return "filtered";
  if (req.validatedBackends && !isValidatedBackend(worker.bridgeAgent)) return "filtered";
  return untrusted(store, worker, req) ? "untrusted" : null;
}

/** The model a text job runs with: the first requested model the worker serves, or the worker's first. */
export function chooseTextModel(worker: Worker, req: TextRequest): string {
  return req.models.find((m) => worker.models.includes(m)) ?? worker.models[0] ?? DEFAULT_TEXT_MODEL;
}
