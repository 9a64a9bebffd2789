/**
 * Worker messages as the server marshals them (docs/server/directory.md#worker-messages): the full form
 * (`ResponseModelMessage`; a message for every worker has no `worker_id`) and the short form a pop carries
 * (`ResponseModelMessagePop`). Dates are RFC 822; the sender's id is a string.
 */
import type { WorkerMessage } from "../store/messages.js";
import { rfc822 } from "./marshal.js";

export function workerMessageView(m: WorkerMessage): Record<string, unknown> {
  return {
    ...(m.workerId === null ? {} : { worker_id: m.workerId }),
    user_id: String(m.userId),
    created: rfc822(m.createdAt),
    id: m.id,
    message: m.message,
    origin: m.origin,
    expiry: rfc822(m.expiresAt),
  };
}

export function popMessageView(m: WorkerMessage): Record<string, unknown> {
  return { id: m.id, message: m.message, origin: m.origin, expiry: rfc822(m.expiresAt) };
}
