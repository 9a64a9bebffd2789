/**
 * Which text worker may take which text request (docs/server/text.md#text pop), and why not. The first
 * failing rule names
 * the `skipped` reason.
 */
import { isValidatedBackend } from "../pricing/text.js";
import { DEFAULT_TEXT_MODEL } from "../reference/models.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";

export type TextSkipReason =
  | "max_length"
  | "max_context_length"
  | "models"
  | "worker_id"
  | "untrusted"
  | "matching_softprompt"
  | "bridge_version"
  | "performance"
  | "blacklist"
  | "kudos";

export function textEligibility(
  store: HordeStore,
  worker: Worker,
  req: TextRequest,
  priorityUserIds?: ReadonlySet<number>,
): TextSkipReason | null {
  if (req.params.max_length > worker.maxLength) return "max_length";
  if (req.params.max_context_length > worker.maxContextLength) return "max_context_length";
  if (req.models.length > 0 && !req.models.some((m) => worker.models.includes(m))) return "models";
  if (req.workers.length > 0 && req.workers.includes(worker.id) === req.workerBlacklist) return "worker_id";
  if (req.trustedWorkers && !store.users.findById(worker.ownerId)?.trusted) return "untrusted";
  if (req.softprompt && !worker.softprompts.includes(req.softprompt)) return "matching_softprompt";
  // validated_backends needs a bridge from the validated list (docs/server/workers.md#bridge-capabilities).
  if (req.validatedBackends && !isValidatedBackend(worker.bridgeAgent)) return "bridge_version";
  if (worker.extraSlow && !req.extraSlowWorkers) return "performance";
  const prompt = req.prompt.toLowerCase();
  if (worker.blacklist.some((word) => word !== "" && prompt.includes(word.toLowerCase()))) return "blacklist";
  if (worker.requireUpfrontKudos) {
    const requester = store.users.findById(req.userId);
    const priority = priorityUserIds?.has(req.userId) ?? false;
    if (requester && !requester.trusted && !priority && requester.kudos - requester.kudosFloor < 20) {
      return "kudos";
    }
  }
  return null;
}

/** The model a text job runs with: the first requested model the worker serves, or the worker's first. */
export function chooseTextModel(worker: Worker, req: TextRequest): string {
  if (req.models.length === 0) return worker.models[0] ?? DEFAULT_TEXT_MODEL;
  return req.models.find((m) => worker.models.includes(m)) ?? (req.models[0] as string);
}
