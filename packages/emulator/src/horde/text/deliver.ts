/**
 * `POST /v2/generate/text/submit` (docs/server/text.md#worker-submit): a worker delivers (or gives up on) one
 * text job. The common steps apply (a reported fault re-queues the job whatever its state); what is text's
 * own: `censored` and `csam` reports mark the text, also one already delivered, and the requester then pays
 * only the burn.
 */
import type { Caller } from "../caller.js";
import { isValidatedBackend, textCharge, textReward, tokensOf } from "../pricing/text.js";
import { settleDelivery } from "../settlement.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type DeliverKind, deliverWork, type SubmitBody } from "../workers/deliver.js";

type Metadata = NonNullable<SubmitBody["gen_metadata"]>;

const isCsam = (m: { type: string; value: string }) => m.type === "censorship" && m.value === "csam";

/** A `censored` or `csam` state, or a csam metadata entry. */
const reportsCensorship = (body: SubmitBody) =>
  body.state === "censored" || body.state === "csam" || (body.gen_metadata ?? []).some(isCsam);

const censoredState = (metadata: Metadata) => (metadata.some(isCsam) ? "csam" : "censored");

const TEXT_DELIVERY: DeliverKind<TextRequest> = {
  kind: "text",
  amendDelivered(job, body) {
    if (!job.delivered || !reportsCensorship(body)) return;
    job.delivered.censored = true;
    job.delivered.state = censoredState(job.delivered.genMetadata);
  },
  deliver(store, job, req, worker, body) {
    const censored = reportsCensorship(body);
    const genMetadata: Metadata = [...(body.gen_metadata ?? [])];
    // A `csam` state is recorded as csam metadata too, when the worker sent none.
    if (body.state === "csam" && !genMetadata.some(isCsam))
      genMetadata.push({ type: "censorship", value: "csam" });
    const reward = textReward({
      model: job.model,
      text: body.generation,
      prompt: req.prompt,
      maxLength: req.params.max_length,
      validatedBackend: isValidatedBackend(worker.bridgeAgent),
      trustedWorker: store.users.findById(worker.ownerId)?.trusted ?? false,
    });
    job.seed = typeof body.seed === "number" ? body.seed : 0;
    job.delivered = {
      at: store.now(),
      censored,
      genMetadata,
      reward,
      // The server stores NUL characters as U+FFFD.
      text: body.generation.replaceAll("\u0000", "\ufffd"),
      state: censored ? censoredState(genMetadata) : "ok",
    };
    settleDelivery(store, req, job, worker, {
      reward,
      charge: textCharge(reward, censored),
      things: tokensOf(body.generation, req.params.max_length),
    });
    return reward;
  },
};

/** Answers a schema-valid submit body (`generation` present). */
export function deliverText(store: HordeStore, body: SubmitBody, caller: Caller): { reward: number } {
  return deliverWork(store, TEXT_DELIVERY, body, caller);
}
