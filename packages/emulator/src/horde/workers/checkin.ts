/**
 * The part of a pop that image, text and alchemy workers share (docs/server/workers.md#pop steps 1–7), in
 * the server's order and with its messages: the priority usernames, who is asking, which worker this is
 * (created on first sight), and the check-in. Simplified: no profanity filter, no IP checks.
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

/** What differs per worker kind in the check-in. */
export interface CheckInKind {
  /** The rc of a priority username without `#` (it differs per kind). */
  priorityRc: string;
  /**
   * The models the worker may serve, out of those it offered (step 7); none left is a 400. Absent: the
   * offered names are kept as they are.
   */
  parseModels?(offered: readonly string[], user: User): string[];
}

/** The longest worker name the server's database takes (docs/server/deviations.md#long-worker-names). */
export const MAX_WORKER_NAME = 100;

const priorityUsernameError = (rc: string) =>
  err.badRequest(
    "Priority usernames need to be provided in the form of 'alias#number'. Example: 'db0#1'",
    rc,
  );

export function checkInWorker(
  store: HordeStore,
  apikey: string,
  declared: WorkerDeclaration,
  kind: CheckInKind,
): CheckedIn {
  const now = store.now();
  // 1. Priority usernames must look like alias#id (QUIRK(docs/server/errors.md#return-codes): alchemy pops
  // say BadRequest).
  if (declared.priorityUsernames.some((u) => !u.includes("#"))) throw priorityUsernameError(kind.priorityRc);
  // 2. Who is asking.
  const user = apikey ? store.users.findByKey(apikey) : undefined;
  if (!user) throw err.invalidApiKey("prompt pop");
  if (user.deleted) throw err.deletedUser();
  if (user.flagged) {
    throw new HordeError(
      403,
      "WorkerFlaggedMaintenance",
      "Your user has been flagged by our community for suspicious activity. Please contact us on discord: " +
        "https://discord.gg/3DxrhksKzn",
    );
  }
  if (user.anonymous) throw err.anonForbidden("AnonForbiddenWorker");

  // 3. The name as the server stores it; it belongs to one worker type.
  const decl = { ...declared, name: sanitizeText(declared.name) };
  let worker = store.workers.named(decl.name);
  if (worker && worker.type !== decl.type) {
    throw err.badRequest(
      `The specified name '${decl.name}' is already taken by a different type of worker. Please choose a different name!`,
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

  // 7. Check-in (debounced), with the uptime kudos it has earned (counted for its team too).
  if (store.workers.checkInDue(worker, now)) {
    const models = kind.parseModels ? kind.parseModels(decl.models, user) : decl.models;
    const paidBefore = worker.uptimePaidMs;
    const uptime = store.workers.checkIn(worker, { ...decl, models }, now);
    if (uptime > 0) store.users.credit(user, uptime, "recurring");
    if (uptime > 0 && worker.teamId !== null) {
      store.teams.recordUptime(worker.teamId, (worker.uptimePaidMs - paidBefore) / 1000);
    }
  }
  if (decl.priorityUsernames.some((u) => u.split("#").at(-1) === "")) {
    throw priorityUsernameError(kind.priorityRc);
  }
  const priorityUserIds = new Set<number>([user.id]);
  for (const name of decl.priorityUsernames) {
    const u = store.users.findById(Number(name.split("#").at(-1)));
    if (u) priorityUserIds.add(u.id);
  }
  return { worker, user, priorityUserIds };
}

/**
 * The models an image worker may serve (step 7): the first 300 it offers; `name::alias#id` only for that
 * special user. DEVIATION(docs/server/deviations.md#partial-model-reference): names outside the emulator's
 * small reference are kept, where the server keeps only names of its full reference.
 */
export function imageWorkerModels(offered: readonly string[], user: User): string[] {
  const kept = new Set<string>();
  for (const model of offered.slice(0, 300)) {
    const parts = model.split("::");
    if (user.special === true && parts.length === 2) {
      if (user.username !== parts[1]) throw err.badRequest(`This model can only be hosted by ${parts[1]}`);
    }
    kept.add(model);
  }
  if (kept.size === 0) throw unrecognisedModels();
  return [...kept];
}

/** The models a text worker may serve (step 7): the first 200; `name::alias#id` only for that user. */
export function textWorkerModels(offered: readonly string[], user: User): string[] {
  const kept = new Set<string>();
  for (const model of offered.slice(0, 200)) {
    const parts = model.split("::");
    if (parts.length === 2 && user.username !== parts[1]) {
      throw err.badRequest(`This model can only be hosted by ${parts[1]}`);
    }
    kept.add(model);
  }
  if (kept.size === 0) throw unrecognisedModels();
  return [...kept];
}

export const unrecognisedModels = () =>
  err.badRequest("Unfortunately we cannot accept workers serving unrecognised models at this time");

/** docs/server/workers.md#pop step 10: a worker in maintenance that found no job is told so with a 403. */
export function maintenanceRefusal(worker: Worker): HordeError {
  return new HordeError(403, "WorkerMaintenance", worker.maintenanceMsg);
}

/**
 * The checks before a worker is created (docs/server/workers.md#pop step 5), with the server's messages. An
 * untrusted user with more than 3 workers is refused (so the 4th is still accepted); beyond 20, only as
 * many as invited.
 */
function checkNewWorker(store: HordeStore, user: User, decl: WorkerDeclaration): void {
  const banned = /colab|tpu|google/i.exec(decl.name);
  if (banned) {
    throw err.badRequest(
      `To avoid unwanted attention, please do not use '${banned[0]}' in your worker names.`,
    );
  }
  const count = store.workers.ownedBy(user.id).length;
  if (store.modes.inviteOnly && count >= user.workerInvited) throw inviteOnly(count);
  if (!user.trusted && count > 3) {
    throw err.forbidden(
      "To avoid abuse, untrusted users can only have up to 3 distinct workers.",
      "TooManyWorkers",
    );
  }
  if (count > 20 && count > user.workerInvited) {
    throw err.forbidden(
      "To avoid abuse, tou cannot onboard more than 20 workers as a trusted user. Please contact us on Discord to adjust.",
      "TooManyWorkersTrusted",
    );
  }
  // DEVIATION(docs/server/deviations.md#long-worker-names): the server's database refuses the name with a 500.
  if (decl.name.length > MAX_WORKER_NAME) {
    throw err.badRequest(
      `The specified worker name is too long. Please stay below ${MAX_WORKER_NAME}`,
      "TooLongWorkerName",
    );
  }
}

function inviteOnly(count: number): HordeError {
  const message =
    count === 0
      ? "This horde has been switched to worker invite-only mode. " +
        "Please contact us on Discord to allow you to join your worker: https://discord.gg/aG68kk3Qpz "
      : `This horde has been switched to worker invite-only mode and you already have ${count} workers. ` +
        "Please contact us on Discord to allow you to join more workers: https://discord.gg/aG68kk3Qpz ";
  return err.forbidden(message, "WorkerInviteOnly");
}

/**
 * What the server makes of a worker's name or bridge agent before storing it (bleach's `clean`, then the
 * surrounding whitespace stripped): NUL bytes dropped, other control characters replaced by "?", and
 * `&`, `<`, `>` escaped. Simplified: the few HTML tags bleach would keep are escaped too.
 */
export function sanitizeText(text: string): string {
  const controls = Array.from(text, (ch) => {
    const code = ch.charCodeAt(0);
    if (code === 0) return "";
    return code < 32 && ch !== "\t" && ch !== "\n" && ch !== "\r" ? "?" : ch;
  }).join("");
  return controls
    .replace(/&(?!#?[0-9a-zA-Z]+;)/g, "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/^\s+|\s+$/g, "");
}
