/**
 * The part of a pop that image, text and alchemy workers share (§5.1 steps 1–7): who is asking, which
 * worker this is (created on first sight), and the check-in. Simplified: no profanity filter, no IP
 * checks, no invite-only limits.
 */

import type { EmulatorContext } from "../context.js";
import { err, HordeApiError } from "../http/errors.js";
import type { HordeState } from "../state/horde.js";
import type { User } from "../state/users.js";
import {
  DECLARATION_DEFAULTS,
  type Worker,
  type WorkerDeclaration,
  type WorkerType,
} from "../state/workers.js";

export interface CheckedIn {
  worker: Worker;
  user: User;
  /** The worker's owner and its `priority_usernames` (§5.1 step 8). */
  priorityUserIds: Set<number>;
}

type Json = Record<string, unknown>;

/** The parser's runtime defaults common to every pop (§5.1), plus the type's own fields. */
export function commonDeclaration(type: WorkerType, body: Json): WorkerDeclaration {
  const b = (k: string, d: boolean) => (typeof body[k] === "boolean" ? (body[k] as boolean) : d);
  const n = (k: string, d: number) => (typeof body[k] === "number" ? (body[k] as number) : d);
  const list = (k: string) => (Array.isArray(body[k]) ? (body[k] as string[]) : []);
  const d = DECLARATION_DEFAULTS;
  return {
    ...d,
    type,
    name: body.name as string,
    priorityUsernames: list("priority_usernames"),
    nsfw: b("nsfw", d.nsfw),
    models: list("models"),
    bridgeAgent: typeof body.bridge_agent === "string" ? body.bridge_agent : d.bridgeAgent,
    threads: n("threads", d.threads),
    requireUpfrontKudos: b("require_upfront_kudos", d.requireUpfrontKudos),
    amount: n("amount", d.amount),
    extraSlow: b("extra_slow_worker", d.extraSlow),
    blacklist: list("blacklist"),
  };
}

export function checkInWorker(
  ctx: EmulatorContext,
  apikey: string,
  decl: WorkerDeclaration,
  priorityRc: string,
): CheckedIn {
  const { state } = ctx;
  const now = state.now();
  // 1. Priority usernames must look like alias#id (QUIRK(§8.3): alchemy pops say BadRequest).
  if (decl.priorityUsernames.some((u) => !u.includes("#"))) {
    throw err.badRequest("Priority usernames need to be in the form alias#id.", priorityRc);
  }
  // 2. Who is asking.
  const user = state.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("pop");
  if (user.deleted) throw err.forbidden("This user has been deleted.", "DeletedUser");
  if (user.flagged) {
    throw err.forbidden("This user has been flagged and cannot run workers.", "WorkerFlaggedMaintenance");
  }
  if (user.anonymous) throw err.forbidden("Anonymous users cannot run workers.", "AnonForbiddenWorker");

  // 3. A name belongs to one worker type.
  let worker = state.workers.findByName(decl.name);
  if (worker && worker.type !== decl.type) {
    throw err.badRequest(
      `Worker name '${decl.name}' is already used by a worker of another type.`,
      "PolymorphicNameConflict",
    );
  }
  // 5./6. A new name creates a worker; an existing one must be the caller's.
  if (!worker) {
    checkNewWorker(state, user, decl);
    worker = state.workers.create(user.id, decl, now);
    ctx.logger.info?.("worker registered", { name: worker.name, type: worker.type, owner: user.username });
  } else if (worker.ownerId !== user.id) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }

  // 7. Check-in, with the uptime kudos it has earned.
  const uptime = state.workers.checkIn(worker, decl, now);
  if (uptime > 0) state.users.credit(user, uptime, "recurring");
  const priorityUserIds = new Set<number>([user.id]);
  for (const name of decl.priorityUsernames) {
    const u = state.users.findByUsername(name);
    if (u) priorityUserIds.add(u.id);
  }
  return { worker, user, priorityUserIds };
}

/** §5.1 step 10: a worker in maintenance that found no job is told so with a 403. */
export function maintenanceRefusal(worker: Worker): HordeApiError {
  return new HordeApiError(
    403,
    "WorkerMaintenance",
    `Worker ${worker.name} has been put into maintenance mode by its owner or a moderator.`,
  );
}

/**
 * The checks before a worker is created (§5.1 step 5). An untrusted user may have 3 workers (or as many
 * as invited), a trusted one 20.
 */
function checkNewWorker(state: HordeState, user: User, decl: WorkerDeclaration): void {
  if (/colab|tpu|google/i.test(decl.name)) {
    throw err.badRequest("Worker names cannot contain 'colab', 'tpu' or 'google'.");
  }
  const count = state.workers.ownedBy(user.id).length;
  if (!user.trusted && count >= Math.max(3, user.workerInvited)) {
    throw new HordeApiError(403, "TooManyWorkers", "Untrusted users can only have up to 3 workers.");
  }
  if (user.trusted && count >= Math.max(20, user.workerInvited)) {
    throw new HordeApiError(403, "TooManyWorkersTrusted", "You have reached the maximum number of workers.");
  }
}
