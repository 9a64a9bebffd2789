/**
 * The part of a pop that image, text and alchemy workers share (docs/server/workers.md#pop steps 1–7): who is
 * asking, which
 * worker this is (created on first sight), and the check-in. Simplified: no profanity filter, no IP
 * checks, no invite-only limits.
 */
import { err, HordeError } from "../errors.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import type { Worker, WorkerDeclaration } from "../store/workers.js";

export interface CheckedIn {
  worker: Worker;
  user: User;
  /** The worker's owner and its `priority_usernames` (docs/server/workers.md#pop step 8). */
  priorityUserIds: Set<number>;
}

export function checkInWorker(
  store: HordeStore,
  apikey: string,
  decl: WorkerDeclaration,
  priorityRc: string,
): CheckedIn {
  const now = store.now();
  // 1. Priority usernames must look like alias#id (QUIRK(docs/server/errors.md#return-codes): alchemy pops
  // say BadRequest).
  if (decl.priorityUsernames.some((u) => !u.includes("#"))) {
    throw err.badRequest("Priority usernames need to be in the form alias#id.", priorityRc);
  }
  // 2. Who is asking.
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("pop");
  if (user.deleted) throw err.forbidden("This user has been deleted.", "DeletedUser");
  if (user.flagged) {
    throw err.forbidden("This user has been flagged and cannot run workers.", "WorkerFlaggedMaintenance");
  }
  if (user.anonymous) throw err.forbidden("Anonymous users cannot run workers.", "AnonForbiddenWorker");

  // 3. A name belongs to one worker type.
  let worker = store.workers.findByName(decl.name);
  if (worker && worker.type !== decl.type) {
    throw err.badRequest(
      `Worker name '${decl.name}' is already used by a worker of another type.`,
      "PolymorphicNameConflict",
    );
  }
  // 5./6. A new name creates a worker; an existing one must be the caller's.
  if (!worker) {
    checkNewWorker(store, user, decl);
    worker = store.workers.create(user.id, decl, now);
    store.logger.info?.("worker registered", { name: worker.name, type: worker.type, owner: user.username });
  } else if (worker.ownerId !== user.id) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }

  // 7. Check-in, with the uptime kudos it has earned.
  const paidBefore = worker.uptimePaidMs;
  const uptime = store.workers.checkIn(worker, decl, now);
  if (uptime > 0) store.users.credit(user, uptime, "accumulated");
  if (uptime > 0 && worker.teamId !== null) {
    store.teams.recordUptime(worker.teamId, (worker.uptimePaidMs - paidBefore) / 1000);
  }
  const priorityUserIds = new Set<number>([user.id]);
  for (const name of decl.priorityUsernames) {
    const u = store.users.findByUsername(name);
    if (u) priorityUserIds.add(u.id);
  }
  return { worker, user, priorityUserIds };
}

/** docs/server/workers.md#pop step 10: a worker in maintenance that found no job is told so with a 403. */
export function maintenanceRefusal(worker: Worker): HordeError {
  return new HordeError(403, "WorkerMaintenance", worker.maintenanceMsg);
}

/**
 * The checks before a worker is created (docs/server/workers.md#pop step 5). An untrusted user may have 3
 * workers (or as many
 * as invited), a trusted one 20.
 */
function checkNewWorker(store: HordeStore, user: User, decl: WorkerDeclaration): void {
  if (/colab|tpu|google/i.test(decl.name)) {
    throw err.badRequest("Worker names cannot contain 'colab', 'tpu' or 'google'.");
  }
  const count = store.workers.ownedBy(user.id).length;
  // Worker invite-only mode (docs/server/directory.md#modes): new workers only as many as invited.
  if (store.modes.inviteOnly && count >= user.workerInvited) {
    throw new HordeError(
      403,
      "WorkerInviteOnly",
      count === 0
        ? "This horde has been switched to worker invite-only mode. Please contact us on Discord to allow you to join your worker: https://discord.gg/aG68kk3Qpz "
        : `This horde has been switched to worker invite-only mode and you already have ${count} workers. Please contact us on Discord to allow you to join more workers: https://discord.gg/aG68kk3Qpz `,
    );
  }
  if (!user.trusted && count >= Math.max(3, user.workerInvited)) {
    throw new HordeError(403, "TooManyWorkers", "Untrusted users can only have up to 3 workers.");
  }
  if (user.trusted && count >= Math.max(20, user.workerInvited)) {
    throw new HordeError(403, "TooManyWorkersTrusted", "You have reached the maximum number of workers.");
  }
}
