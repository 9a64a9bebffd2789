/** `POST /v2/interrogate/submit` (docs/server/alchemy.md#worker-submit): an alchemist delivers (or gives up on) one form. */
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { settleForm } from "../settlement.js";
import { abortForm } from "../store/interrogations.js";
import type { HordeStore } from "../store/store.js";
import { formWebhook } from "../views/webhooks.js";
import { duplicateGen, invalidJobId } from "../workers/deliver.js";

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
  if (!form || !interrogation) throw invalidJobId(String(body.id));
  const user = store.users.findByKey(caller.apikey);
  const worker = form.workerId ? store.workers.findById(form.workerId) : undefined;
  // QUIRK(docs/server/alchemy.md#worker-submit): an unknown key, or a form no worker ever popped, makes
  // the server fail on a field that is not there: a bare 500.
  if (!user || !worker) throw err.internal();
  if (worker.ownerId !== user.id) {
    throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
  }
  // Only a processing form can be delivered; a fault puts it back (or faults it for good).
  if (form.state !== "processing") {
    if (worker.maintenance) return { reward: 0 };
    throw duplicateGen(form.id);
  }
  if (body.state === "faulted") {
    abortForm(form);
    return { reward: 0 };
  }
  form.result = body.result ?? {};
  form.deliveredAt = store.now();
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
