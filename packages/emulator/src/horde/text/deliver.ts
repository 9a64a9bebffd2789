/** `POST /v2/generate/text/submit` (docs/server/text.md#text): a worker delivers (or gives up on) one text job. */
import type { Caller } from "../caller.js";
import { isValidatedBackend, textCharge, textReward, tokensOf } from "../pricing/text.js";
import { settleDelivery } from "../settlement.js";
import type { TextRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type DeliverKind, deliverWork, type SubmitBody } from "../workers/deliver.js";

const TEXT_DELIVERY: DeliverKind<TextRequest> = {
  kind: "text",
  deliver(store, job, req, worker, body) {
    const genMetadata = body.gen_metadata ?? [];
    // docs/server/text.md#text: `censored` or `csam` (as state or csam metadata) marks the text censored; it
    // is not charged.
    const csam = body.state === "csam" || genMetadata.some((m) => m.value === "csam");
    const censored = csam || body.state === "censored";
    const owner = store.users.findById(worker.ownerId);
    const reward = textReward({
      model: job.model,
      text: body.generation,
      prompt: req.prompt,
      maxLength: req.params.max_length,
      validatedBackend: isValidatedBackend(worker.bridgeAgent),
      trustedWorker: owner?.trusted ?? false,
    });
    job.seed = typeof body.seed === "number" ? body.seed : 0;
    job.delivered = {
      at: store.now(),
      censored,
      genMetadata,
      reward,
      text: body.generation,
      state: csam ? "csam" : censored ? "censored" : "ok",
    };
    settleDelivery(store, req, job, worker, {
      reward,
      charge: censored ? 0 : textCharge(reward),
      things: tokensOf(body.generation, req.params.max_length),
    });
    return reward;
  },
};

/** Answers a schema-valid submit body (`generation` present). */
export function deliverText(store: HordeStore, body: SubmitBody, caller: Caller): { reward: number } {
  return deliverWork(store, TEXT_DELIVERY, body, caller);
}
