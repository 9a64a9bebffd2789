/**
 * Messages to workers (docs/server/directory.md#worker-messages): `GET`/`POST /v2/workers/messages`,
 * `GET`/`DELETE /v2/workers/messages/{id}`, and the active ones every pop carries.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import type { WorkerMessage } from "../store/messages.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { popMessageView, workerMessageView } from "../views/messages.js";

const HOUR_MS = 3_600_000;
/** A message lives at most 30 days. */
const MAX_EXPIRY_HOURS = 30 * 24;
const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface MessageQuery {
  apikey: string;
  /** The sender to filter on, as the query string gave it. */
  user_id: string | null;
  worker_id: string | null;
  validity: string;
  page: number;
}

/**
 * A moderator lists anybody's messages; anybody else only the ones they sent (and those for every
 * worker). `page` moves the window by one message, not by a page, as on the server.
 */
export function listMessages(store: HordeStore, q: MessageQuery) {
  const user = store.users.findByKey(q.apikey);
  if (!user) throw err.invalidApiKey("WorkerMessages GET");
  // QUIRK(docs/server/directory.md#worker-messages): the server compares the query's user_id (a string)
  // with the caller's numeric id, so a non-moderator who names even their own id is refused.
  if (!user.moderator && q.user_id !== null) throw refuse.forbidden("You can only view your own messages.");
  const senderId = user.moderator ? q.user_id : String(user.id);
  if (!["active", "expired", "all"].includes(q.validity)) {
    throw refuse.badRequest("validity can only be one of 'active, 'expired', or 'all'");
  }
  const now = store.now();
  const from = Math.max(q.page - 1, 0);
  return store.messages
    .all()
    .filter(
      (m) =>
        (senderId === null || String(m.userId) === senderId.trim() || m.workerId === null) &&
        (q.worker_id === null || m.workerId === q.worker_id.toLowerCase()) &&
        (q.validity === "all" || m.expiresAt > now === (q.validity === "active")),
    )
    .slice(from, from + PAGE_SIZE)
    .map(workerMessageView);
}

export interface NewMessage {
  apikey: string;
  worker_id: string | null;
  expiry: number | null;
  message: string;
  origin: string;
}

/**
 * A moderator writes to any worker or to all of them, with an origin of their choice; anybody else only
 * to their own workers, signed with their user id.
 */
export function createMessage(store: HordeStore, input: NewMessage) {
  const user = store.users.findByKey(input.apikey);
  if (!user) throw err.invalidApiKey("WorkerMessages POST");
  if (user.anonymous) throw refuse.anonForbidden();
  let worker: Worker | undefined;
  if (input.worker_id !== null) {
    worker = store.workers.findById(input.worker_id.toLowerCase());
    if (!worker) throw refuse.workerNotFound(input.worker_id);
  }
  let origin = input.origin;
  if (!user.moderator) {
    origin = String(user.id);
    // QUIRK(docs/server/directory.md#worker-messages): the server fails on a non-moderator's message
    // for every worker (it reads the unset worker).
    if (!worker) throw err.internal();
    if (worker.ownerId !== user.id) {
      throw refuse.forbidden("You can only send messages to your own workers.", "MessagesOnlyOwnWorkers");
    }
  }
  // QUIRK(docs/server/directory.md#worker-messages): the parser has no default for `expiry`, and the
  // server fails on the missing value.
  if (input.expiry === null) throw err.internal();
  const now = store.now();
  const message = store.messages.create({
    workerId: worker?.id ?? null,
    userId: user.id,
    message: input.message,
    origin,
    createdAt: now,
    expiresAt: now + Math.min(input.expiry, MAX_EXPIRY_HOURS) * HOUR_MS,
  });
  return workerMessageView(message);
}

function findMessage(store: HordeStore, id: string): WorkerMessage {
  // QUIRK(docs/server/directory.md#worker-messages): an id that is no UUID fails in the server's database.
  if (!UUID.test(id)) throw err.internal();
  const message = store.messages.find(id.toLowerCase());
  if (!message) throw refuse.thingNotFound("WorkerMessage", id);
  return message;
}

export function getMessage(store: HordeStore, id: string) {
  return workerMessageView(findMessage(store, id));
}

/** The sender or a moderator deletes a message. */
export function deleteMessage(store: HordeStore, id: string, apikey: string) {
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("WorkerMessages DELETE");
  const message = findMessage(store, id);
  if (message.userId !== user.id && !user.moderator) {
    throw refuse.forbidden("You can only delete your own messages.");
  }
  store.messages.delete(message);
  return { message: "OK" };
}

/** What a pop carries: the worker's active messages and those for every worker. */
export function popMessages(store: HordeStore, worker: Worker) {
  const now = store.now();
  return store.messages
    .all()
    .filter((m) => (m.workerId === worker.id || m.workerId === null) && m.expiresAt > now)
    .map(popMessageView);
}
