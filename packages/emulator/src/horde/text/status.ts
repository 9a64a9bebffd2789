/** Reading a text request (docs/server/text.md#text): `GET /v2/generate/text/status/{id}`. There is no `/text/check`. */
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type TextStatusView, textStatusView } from "../views/request-status.js";

/**
 * Unknown, malformed and expired ids all look the same (docs/server/image-requests.md#expiry); text routes
 * only see text requests. The message names the route: `Status` for GET, `Delete` for DELETE.
 */
export function findTextRequest(
  store: HordeStore,
  id: string,
  route: "Status" | "Delete" = "Status",
): TextRequest {
  sweep(store);
  const req = store.findRequest("text", id);
  if (!req)
    throw err.notFound(`Text Waiting Prompt (${route}) with ID '${id}' not found.`, "RequestNotFound");
  return req;
}

export function getTextStatus(store: HordeStore, id: string): TextStatusView {
  return textStatusView(store, findTextRequest(store, id));
}
