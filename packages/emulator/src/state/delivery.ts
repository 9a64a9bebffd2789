/**
 * What happens when a worker delivers a job, for image and text alike (§5.3, §6.1): the requester is
 * charged, the worker's owner credited (× the bridge multiplier), records and statistics updated, the
 * worker's speed recorded, and the request kept alive 20 more minutes (§1.5).
 */
import { round2 } from "../rules/kudos.js";
import type { HordeState } from "./horde.js";
import type { Job } from "./jobs.js";
import { type GenRequest, REQUEST_LIFETIME_MS } from "./requests.js";
import type { Worker } from "./workers.js";

export interface Settlement {
  /** The worker's reward (the submit's `reward`). */
  reward: number;
  /** What the requester pays; 0 for censored results. */
  charge: number;
  /** Megapixel-steps (image) or tokens (text) of this job. */
  things: number;
}

export function settleDelivery(
  state: HordeState,
  req: GenRequest,
  job: Job,
  worker: Worker,
  s: Settlement,
): void {
  const now = state.now();
  req.consumedKudos = round2(req.consumedKudos + s.charge);
  const requester = state.users.findById(req.userId);
  if (requester) {
    state.users.debit(requester, s.charge);
    if (req.kind === "image") requester.records.usage.megapixelsteps += s.things;
    else requester.records.usage.tokens += s.things;
  }
  const owner = state.users.findById(worker.ownerId);
  const credited = round2(s.reward * worker.bridge.rewardMultiplier);
  if (owner) {
    state.users.credit(owner, credited);
    owner.records.fulfillment[req.kind] += 1;
    if (req.kind === "image") owner.records.contribution.megapixelsteps += s.things;
    else owner.records.contribution.tokens += s.things;
  }
  worker.fulfilled++;
  worker.kudosGenerated = round2(worker.kudosGenerated + credited);
  if (req.kind === "image") worker.megapixelsteps += s.things;
  else worker.tokens += s.things;
  const seconds = Math.max((now - job.startedAt) / 1000, 0.001);
  state.workers.recordPerformance(worker, (req.kind === "image" ? s.things * 1e6 : s.things) / seconds);
  state.history.record({
    at: now,
    kind: req.kind,
    model: job.model,
    amount: req.kind === "image" ? s.things * 1e6 : s.things,
  });
  req.expiresAt = now + REQUEST_LIFETIME_MS;
}
