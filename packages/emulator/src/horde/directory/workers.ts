/** The workers as the API shows them (docs/server/directory.md#directory): `/v2/workers`, `/v2/workers/{id}`, `/v2/workers/name/{name}`. */
import { err } from "../errors.js";
import type { HordeStore } from "../store/store.js";
import type { Worker, WorkerType } from "../store/workers.js";
import { workerDetails } from "../views/workers.js";
import { privilegeOf } from "./privilege.js";

const TYPES: readonly string[] = ["image", "text", "interrogation"];

/** Active workers only (checked in within 300 s); `name` (case-insensitive) wins over `type`. */
export function listWorkers(
  store: HordeStore,
  filter: { name?: string; type?: string },
  callerKey: string | undefined,
) {
  let workers = store.workers.active(store.now());
  const { name, type } = filter;
  if (name !== undefined) workers = workers.filter((w) => w.name.toLowerCase() === name.toLowerCase());
  else if (type !== undefined && TYPES.includes(type))
    workers = workers.filter((w) => w.type === (type as WorkerType));
  return workers.map((w) => workerDetails(store, w, privilege(store, callerKey, w)));
}

/** Single workers are shown whether active or not. */
export function getWorkerById(store: HordeStore, id: string, callerKey: string | undefined) {
  const worker = store.workers.findById(id);
  if (!worker) throw err.notFound(`Worker with ID '${id}' not found.`, "WorkerNotFound");
  return workerDetails(store, worker, privilege(store, callerKey, worker));
}

export function getWorkerByName(store: HordeStore, name: string, callerKey: string | undefined) {
  const worker = store.workers.findByName(name);
  if (!worker) throw err.notFound(`Worker with name '${name}' not found.`, "WorkerNotFound");
  return workerDetails(store, worker, privilege(store, callerKey, worker));
}

/** The owner sees the worker's private fields. */
function privilege(store: HordeStore, apikey: string | undefined, worker: Worker) {
  return privilegeOf(store, apikey, "get worker", (c) => c.id === worker.ownerId);
}
