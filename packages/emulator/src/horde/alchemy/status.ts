/** Reading an alchemy request (docs/server/alchemy.md#alchemy): `GET /v2/interrogate/status/{id}`. */
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import type { Interrogation } from "../store/interrogations.js";
import type { HordeStore } from "../store/store.js";
import { type AlchemyStatusView, alchemyStatusView } from "../views/request-status.js";

/** Unknown, malformed and expired ids all look the same (docs/server/image-requests.md#expiry). */
export function findInterrogation(store: HordeStore, id: string): Interrogation {
  sweep(store);
  const i = store.findInterrogation(id);
  if (!i) throw err.notFound(`Interrogation with ID '${id}' not found.`, "RequestNotFound");
  return i;
}

/** The forms with their results; R2 download URLs are minted under `origin`. */
export function getAlchemyStatus(store: HordeStore, id: string, origin: string): AlchemyStatusView {
  return alchemyStatusView(store, findInterrogation(store, id), origin);
}
