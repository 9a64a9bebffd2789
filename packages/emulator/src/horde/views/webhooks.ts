/**
 * What a webhook carries (docs/server/image-requests.md#webhooks): the server's own record of the delivered
 * job — not the status view — plus `request`, `id` and `kudos`; `worker_id` always a string.
 */
import type { AlchemyForm, Interrogation } from "../store/interrogations.js";
import type { Job } from "../store/jobs.js";
import type { GenRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { alchemyFormView, imageField } from "./request-status.js";

/** An image or text job just delivered; `origin` is where R2 URLs are minted. */
export function generationWebhook(
  store: HordeStore,
  req: GenRequest,
  job: Job,
  origin: string,
): Record<string, unknown> {
  const delivery = job.delivered;
  if (!delivery) throw new Error(`job ${job.id} has not been delivered`);
  const common = {
    // The seed is the stored integer here, where the image status shows it as a string.
    seed: job.seed,
    worker_id: job.workerId,
    worker_name: job.workerName,
    model: job.model,
    id: job.id,
  };
  const kindFields =
    req.kind === "image"
      ? { img: imageField(store, req, job.id, origin, store.now()), ...common, censored: delivery.censored }
      : { text: delivery.text ?? "", ...common, state: delivery.state ?? "ok" };
  return { ...kindFields, gen_metadata: delivery.genMetadata, request: req.id, kudos: delivery.reward };
}

/** An alchemy form just delivered. */
export function formWebhook(
  store: HordeStore,
  i: Interrogation,
  form: AlchemyForm,
  origin: string,
): Record<string, unknown> {
  return {
    ...alchemyFormView(store, form, origin),
    worker_id: String(form.workerId),
    worker_name: form.workerId ? (store.workers.findById(form.workerId)?.name ?? null) : null,
    request: i.id,
    id: form.id,
    kudos: form.kudos,
  };
}
