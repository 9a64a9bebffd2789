/** `POST /v2/interrogate/submit` (docs/server/alchemy.md#alchemy): an alchemist delivers (or gives up on) one form. */
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { settleForm } from "../settlement.js";
import { abortForm } from "../store/interrogations.js";
import type { HordeStore } from "../store/store.js";
import { formWebhook } from "../views/webhooks.js";

export interface FormSubmitBody {
  id: string;
  result?: Record<string, unknown>;
  state?: string;
}

export async function deliverAlchemy(
  store: HordeStore,
  body: FormSubmitBody,
  caller: Caller,
): Promise<{ reward: number }> {
  sweep(store);
  const form = store.findForm(body.id);
  const interrogation = form ? store.findInterrogation(form.interrogationId) : undefined;
  if (!form || !interrogation) {
    throw err.notFound(`Interrogation Form with ID ${String(body.id)} does not exist.`, "InvalidJobID");
  }
  const user = store.users.findByKey(caller.apikey);
  // QUIRK(docs/server/alchemy.md#alchemy, docs/server/workers.md#submit): an unknown key most likely answers
  // a bare 500 on the server.
  if (!user) throw err.internal();
  const worker = form.workerId ? store.workers.findById(form.workerId) : undefined;
  if (form.state === "processing" && (!worker || worker.ownerId !== user.id)) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }
  if (body.state === "faulted") {
    abortForm(form);
    return { reward: 0 };
  }
  if (form.state !== "processing") {
    if (worker?.maintenance) return { reward: 0 };
    throw err.badRequest(`Interrogation Form with ID ${form.id} is not processing.`, "DuplicateGen");
  }
  form.result = body.result as Record<string, unknown>;
  settleForm(store, interrogation, form);
  form.state = "done";
  // QUIRK(docs/server/alchemy.md#worker-submit): the alchemy webhook is sent while the worker's submit waits for its
  // answer (up to 3 attempts of 3 s), unlike image and text webhooks, which are queued.
  if (interrogation.webhook) {
    await store.webhooks.send({
      url: interrogation.webhook,
      body: formWebhook(store, interrogation, form, store.webhooks.publicOrigin ?? caller.origin),
    });
  }
  return { reward: form.kudos };
}
