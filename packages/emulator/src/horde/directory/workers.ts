/**
 * The workers as the API shows and changes them (docs/server/directory.md#workers,
 * docs/server/directory.md#worker-edits): `/v2/workers`, `/v2/workers/{id}` (GET, PUT, DELETE),
 * `/v2/workers/name/{name}`.
 */
import { err, HordeError } from "../errors.js";
import { refuse } from "../refusals.js";
import { sanitize } from "../sanitize.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";
import type { Worker, WorkerType } from "../store/workers.js";
import { type WorkerPrivilege, workerDetails } from "../views/workers.js";

const TYPES: readonly string[] = ["image", "text", "interrogation"];
const MAX_INFO = 1000;
const MAX_NAME = 100;

/** Active workers only (checked in within 300 s); `name` (case-insensitive) wins over `type`. */
export function listWorkers(
  store: HordeStore,
  filter: { name?: string; type?: string },
  callerKey: string | undefined,
) {
  let workers = store.workers.active(store.now());
  const { name, type } = filter;
  if (name) workers = workers.filter((w) => w.name.toLowerCase() === name.toLowerCase());
  else if (type) workers = workers.filter((w) => TYPES.includes(type) && w.type === (type as WorkerType));
  const privilege = privilegeOf(store, callerKey);
  return workers.map((w) => workerDetails(store, w, privilege));
}

/** Single workers are shown whether active or not; an id that is no UUID finds nothing. */
export function getWorkerById(store: HordeStore, id: string, callerKey: string | undefined) {
  return workerDetails(store, findWorker(store, id), privilegeOf(store, callerKey));
}

/** QUIRK(docs/server/directory.md#workers): an unknown name is reported as an unknown ID. */
export function getWorkerByName(store: HordeStore, name: string, callerKey: string | undefined) {
  const worker = store.workers.findByName(name, true);
  if (!worker) throw refuse.workerNotFound(name);
  return workerDetails(store, worker, privilegeOf(store, callerKey));
}

export function findWorker(store: HordeStore, id: string): Worker {
  const worker = store.workers.findById(id.toLowerCase());
  if (!worker) throw refuse.workerNotFound(id);
  return worker;
}

/**
 * On the worker routes only a moderator's key counts (2); the owner's own key shows no more than anybody's,
 * and an unknown key is ignored.
 */
function privilegeOf(store: HordeStore, apikey: string | undefined): WorkerPrivilege {
  return apikey && store.users.findByKey(apikey)?.moderator ? 2 : 0;
}

/** The body of `PUT /v2/workers/{id}` after parsing (null: not given). */
export interface WorkerEdit {
  apikey: string;
  maintenance: boolean | null;
  maintenance_msg: string | null;
  paused: boolean | null;
  info: string | null;
  name: string | null;
  team: string | null;
}

/**
 * `PUT /v2/workers/{id}` (docs/server/directory.md#worker-edits): the owner or a moderator sets maintenance,
 * info, name and team; only a moderator pauses. Fields apply in the server's order; a refused one stops
 * the request with those before it applied. The answer names each changed field.
 */
export function modifyWorker(store: HordeStore, worker: Worker, edit: WorkerEdit): Record<string, unknown> {
  const user = store.users.findByKey(edit.apikey);
  if (!user) throw err.invalidApiKey("User action: PUT WorkerSingle");
  const mayEdit = user.moderator || user.id === worker.ownerId;
  const owner = (refusal: () => HordeError) => {
    if (!mayEdit) throw refusal();
    if (user.anonymous) throw refuse.anonForbidden("AnonForbiddenWorker");
  };
  const out: Record<string, unknown> = {};
  if (edit.maintenance !== null) {
    if (!mayEdit) throw refuse.notOwner();
    store.workers.setMaintenance(
      worker,
      edit.maintenance,
      edit.maintenance_msg && sanitize(edit.maintenance_msg),
    );
    out.maintenance = worker.maintenance;
  }
  if (edit.info !== null) {
    owner(refuse.notOwner);
    // QUIRK(docs/server/errors.md#return-codes): a long info is reported with the name's rc.
    if (edit.info.length > MAX_INFO) throw refuse.tooLong("worker info", MAX_INFO, "TooLongWorkerName");
    if (worker.info !== edit.info) worker.info = sanitize(edit.info);
    out.info = worker.info;
  }
  if (edit.paused !== null) {
    if (!user.moderator) throw refuse.notModerator();
    worker.paused = edit.paused;
    out.paused = worker.paused;
  }
  if (edit.name !== null) {
    owner(refuse.notModerator);
    renameWorker(store, worker, edit.name);
    out.name = worker.name;
  }
  if (edit.team !== null) {
    owner(refuse.notModerator);
    if (edit.team === "") {
      worker.teamId = null;
      // The server answers the word None for "no team".
      out.team = "None";
    } else {
      const team = store.teams.find(edit.team);
      if (!team) throw refuse.teamNotFound(edit.team);
      worker.teamId = team.id;
      out.team = team.name;
    }
  }
  if (Object.keys(out).length === 0) {
    throw refuse.nothingToDo("No worker modification selected!", "NoWorkerModSelected");
  }
  return out;
}

function renameWorker(store: HordeStore, worker: Worker, wanted: string): void {
  if (wanted === worker.name) return;
  if (wanted.length > MAX_NAME) throw refuse.tooLong("worker name", MAX_NAME, "TooLongWorkerName");
  const name = sanitize(wanted);
  const taken = store.workers.findByName(name, true);
  if (taken && taken !== worker) throw refuse.nameTaken("worker", wanted, "WorkerNameAlreadyExists");
  worker.name = name;
}

/**
 * `DELETE /v2/workers/{id}`: the owner or a moderator deletes the worker and its statistics; the owner's
 * kudos stay. A worker whose jobs the horde still keeps cannot go yet (423, as the server's database
 * refuses to drop it while a job refers to it).
 */
export function deleteWorker(store: HordeStore, worker: Worker, callerKey: string | undefined) {
  // QUIRK(docs/server/directory.md#worker-edits): without a key the server fails looking up nobody.
  if (!callerKey) throw err.internal();
  const user: User | undefined = store.users.findByKey(callerKey);
  if (!user) throw err.invalidApiKey("User action: PUT WorkerSingle");
  if (!user.moderator && user.id !== worker.ownerId) throw refuse.notModerator();
  if (user.anonymous) throw refuse.anonForbidden("AnonForbiddenWorker");
  const referenced =
    store.allJobs().some((j) => j.workerId === worker.id) ||
    store.allForms().some((f) => f.workerId === worker.id);
  if (referenced) {
    throw new HordeError(
      423,
      "Locked",
      "Could not delete the worker at this point as it's referenced by a job it completed. Please try again after 20 mins.",
    );
  }
  const out = { deleted_id: worker.id, deleted_name: worker.name };
  store.messages.deleteForWorker(worker.id);
  store.workers.delete(worker);
  return out;
}
