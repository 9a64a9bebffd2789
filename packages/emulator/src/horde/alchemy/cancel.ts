/** `DELETE /v2/interrogate/status/{id}` (docs/server/alchemy.md#cancel). */
import { settleForm } from "../settlement.js";
import type { HordeStore } from "../store/store.js";
import { type AlchemyStatusView, alchemyStatusView } from "../views/request-status.js";
import { findInterrogation } from "./status.js";

/**
 * Every form not done is cancelled (faulted ones too): processing forms are settled as if submitted,
 * waiting ones cancelled for free. Answers the status after it.
 */
export function cancelAlchemy(store: HordeStore, id: string, origin: string): AlchemyStatusView {
  const i = findInterrogation(store, id);
  for (const form of i.forms) {
    if (form.state === "done") continue;
    if (form.state === "processing") settleForm(store, i, form);
    form.state = "cancelled";
    form.result = null;
  }
  if (i.cancelledAt === null) i.cancelledAt = store.now();
  return alchemyStatusView(store, i, origin);
}
