/** `DELETE /v2/generate/text/status/{id}` (docs/server/text.md#status-and-cancel, docs/server/image-requests.md#cancel): the text request stops; jobs in flight still finish. */
import { cancelRequest } from "../lifecycle.js";
import type { HordeStore } from "../store/store.js";
import { type TextStatusView, textStatusView } from "../views/request-status.js";
import { findTextRequest } from "./status.js";

export function cancelText(store: HordeStore, id: string): TextStatusView {
  const req = findTextRequest(store, id, "Delete");
  // QUIRK(docs/server/image-requests.md#cancel): the snapshot from before the cancel.
  const before = textStatusView(store, req);
  cancelRequest(store, req);
  store.logger.debug?.("request cancelled", { id: req.id });
  return before;
}
