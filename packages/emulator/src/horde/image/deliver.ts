/** `POST /v2/generate/submit` (docs/server/workers.md#submit): a worker delivers (or gives up on) one image job. */
import type { Caller } from "../caller.js";
import { burn, workerReward } from "../pricing/image.js";
import { thingsPerImage } from "../queue.js";
import { settleDelivery } from "../settlement.js";
import { resultKey } from "../store/bucket.js";
import type { ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type DeliverKind, deliverWork, type SubmitBody } from "../workers/deliver.js";

const censorshipIn = (body: SubmitBody) => (body.gen_metadata ?? []).some((m) => m.type === "censorship");

const IMAGE_DELIVERY: DeliverKind<ImageRequest> = {
  kind: "image",
  deliversFault: censorshipIn,
  deliver(store, job, req, worker, body) {
    // 5. Store the result, pay the worker, charge the requester.
    const now = store.now();
    if (body.generation !== "R2") {
      // The worker sent base64: the server uploads it to R2 itself (with a warning in its log).
      store.r2.put(resultKey(job.id), Buffer.from(body.generation, "base64"), "image/webp", now);
    }
    const genMetadata = body.gen_metadata ?? [];
    // The `censored` flag and `state: censored|csam` are ignored for images: only the metadata counts.
    const censored = censorshipIn(body);
    const reward = workerReward(req.kudosPerImage, job.model, req.params);
    job.seed = body.seed as number;
    job.delivered = { at: now, censored, genMetadata, reward };
    // A censored image costs the requester only the horde's share (docs/server/kudos.md#charge-and-reward).
    const charge = burn(censored ? 0 : reward, {
      sourceImage: req.source !== undefined,
      sourceMask: req.mask !== undefined,
      sourceProcessing: req.sourceProcessing,
      slowWorkers: req.slowWorkers,
      workerBlacklist: req.workerBlacklist,
      postProcessing: req.params.post_processing ?? [],
    });
    settleDelivery(store, req, job, worker, { reward, charge, things: thingsPerImage(req) });
    return reward;
  },
};

/** Answers a schema-valid submit body (`generation` present; the schema requires `seed` for images). */
export function deliverImage(store: HordeStore, body: SubmitBody, caller: Caller): { reward: number } {
  return deliverWork(store, IMAGE_DELIVERY, body, caller);
}
