/** `DELETE /v2/interrogate/status/{id}` (docs/server/alchemy.md#alchemy). */
import { settleForm } from "../settlement.js";
import type { HordeStore } from "../store/store.js";
import { type AlchemyStatusView, alchemyStatusView } from "../views/request-status.js";
import { findInterrogation } from "./status.js";

/** Processing forms are settled as if submitted, waiting ones cancelled for free; the status after it. */
export function cancelAlchemy(store: HordeStore, id: string, origin: string): AlchemyStatusView {
  const i = findInterrogation(store, id);
  for (const form of i.forms) {
    if (form.state === "processing") settleForm(store, i, form);
    if (form.state === "processing" || form.state === "waiting") form.state = "cancelled";
  }
  if (i.cancelledAt === null) i.cancelledAt = store.now();
  return alchemyStatusView(store, i, origin);
}
