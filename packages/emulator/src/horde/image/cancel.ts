/** `DELETE /v2/generate/status/{id}` (docs/server/image-requests.md#cancel): the image request stops; jobs in flight still finish. */
import { cancelRequest } from "../lifecycle.js";
import type { HordeStore } from "../store/store.js";
import { type ImageStatusView, imageStatusView } from "../views/request-status.js";
import { findImageRequest } from "./status.js";

export function cancelImage(store: HordeStore, id: string, origin: string): ImageStatusView {
  const req = findImageRequest(store, id, "Delete");
  // QUIRK(docs/server/image-requests.md#cancel): DELETE returns the snapshot taken before the cancel, so
  // `done` is usually still false.
  const before = imageStatusView(store, req, origin);
  cancelRequest(store, req);
  store.logger.debug?.("request cancelled", { id: req.id });
  return before;
}
