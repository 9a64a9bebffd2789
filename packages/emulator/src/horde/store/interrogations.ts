/**
 * Alchemy (interrogation) requests and their forms (docs/server/alchemy.md). A request is a source
 * image and a list of
 * forms; each form is popped, processed and submitted on its own. The request's state is read from its
 * forms.
 */

export type FormState = "waiting" | "processing" | "done" | "cancelled" | "faulted";
export type InterrogationState = "waiting" | "processing" | "done" | "faulted" | "partial";

export interface AlchemyForm {
  id: string;
  interrogationId: string;
  name: string;
  payload?: Record<string, string>;
  state: FormState;
  result: Record<string, unknown> | null;
  workerId: string | null;
  poppedAt: number | null;
  /** Aborted pops so far; the 4th abort faults the form (docs/server/alchemy.md#alchemy). */
  aborts: number;
  /** The form's kudos value: what the worker earns (docs/server/alchemy.md#kudos). */
  kudos: number;
  /** When the worker delivered it: a result in R2 can be downloaded for 1800 s from then. */
  deliveredAt?: number;
}

export interface Interrogation {
  id: string;
  userId: number;
  clientAgent: string;
  createdAt: number;
  expiresAt: number;
  /** The source as the worker gets it: a URL the client gave, or a local R2 key (base64 sources). */
  sourceUrl?: string;
  sourceKey?: string;
  /** 512² tiles of the source, which price the post-processor forms. */
  tiles: number;
  width: number;
  height: number;
  slowWorkers: boolean;
  trustedWorkers: boolean;
  webhook?: string;
  forms: AlchemyForm[];
  consumedKudos: number;
  /** The requester's balance when it asked: the queue's order, highest first (docs/server/alchemy.md#pop). */
  priority: number;
  cancelledAt: number | null;
}

/** A popped form has 3 min to finish; the 60 s cleaner aborts it after that (docs/server/alchemy.md#timeouts). */
export const FORM_TIMEOUT_MS = 3 * 60_000;
/** A form is faulted on its 4th abort (docs/server/alchemy.md#timeouts). */
export const MAX_FORM_ABORTS = 4;

/** The request state from its forms (docs/server/alchemy.md#status); a request without forms reads `faulted`. */
export function interrogationState(i: Interrogation): InterrogationState {
  const states = i.forms.map((f) => f.state);
  if (states.every((s) => s === "faulted")) return "faulted";
  if (states.every((s) => s === "done")) return "done";
  if (states.includes("processing")) return "processing";
  if (states.includes("waiting")) return "waiting";
  return "partial";
}

/** Whether nothing is left to do: no form waiting or processing. */
export function isInterrogationFinished(i: Interrogation): boolean {
  return i.forms.every((f) => f.state !== "waiting" && f.state !== "processing");
}

/**
 * Puts a processing form back to waiting, or faults it on its 4th abort. It stays its last worker's: only
 * that worker's owner may still submit it (docs/server/alchemy.md#worker-submit).
 */
export function abortForm(form: AlchemyForm): void {
  if (form.state !== "processing") return;
  form.aborts++;
  form.poppedAt = null;
  form.state = form.aborts >= MAX_FORM_ABORTS ? "faulted" : "waiting";
}
