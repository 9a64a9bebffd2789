/**
 * What happens to the books when work is delivered (docs/server/workers.md#submit, docs/server/text.md#text,
 * docs/server/alchemy.md#alchemy): the requester is charged, the
 * worker's owner credited, records and statistics updated, the worker's speed recorded, and the request
 * kept alive 20 more minutes (docs/server/image-requests.md#expiry).
 */
import { formCharge } from "./pricing/alchemy.js";
import { round2 } from "./pricing/round.js";
import type { AlchemyForm, Interrogation } from "./store/interrogations.js";
import type { Job } from "./store/jobs.js";
import { type GenRequest, REQUEST_LIFETIME_MS } from "./store/requests.js";
import type { HordeStore } from "./store/store.js";
import { wholeKudos } from "./store/users.js";
import type { Worker } from "./store/workers.js";

export interface Settlement {
  /** The worker's reward (the submit's `reward`). */
  reward: number;
  /** What the requester pays; 0 for censored results. */
  charge: number;
  /** Megapixel-steps (image) or tokens (text) of this job. */
  things: number;
}

const addRecord = (total: number, increment: number) => round2(total + round2(increment));

/** An image or text job delivered: the owner is credited the reward × the bridge multiplier. */
export function settleDelivery(
  store: HordeStore,
  req: GenRequest,
  job: Job,
  worker: Worker,
  s: Settlement,
): void {
  const now = store.now();
  req.consumedKudos = round2(req.consumedKudos + s.charge);
  chargeRequester(store, req, s.charge);
  const requester = store.users.findById(req.userId);
  if (requester) {
    // Every charge counts as a request in the requester's records (the activation did too).
    requester.records.request[req.kind] += 1;
    // The server posts each record increment rounded to 2 decimals (docs/server/directory.md#user-details).
    if (req.kind === "image")
      requester.records.usage.megapixelsteps = addRecord(requester.records.usage.megapixelsteps, s.things);
    else requester.records.usage.tokens += s.things;
  }
  const owner = store.users.findById(worker.ownerId);
  // Only image workers are paid by their bridge's version (docs/server/workers.md#submit, docs/server/text.md#reward).
  const credited = round2(s.reward * (req.kind === "image" ? worker.bridge.rewardMultiplier : 1));
  if (owner) {
    store.users.credit(owner, credited);
    owner.records.fulfillment[req.kind] += 1;
    if (req.kind === "image")
      owner.records.contribution.megapixelsteps = addRecord(
        owner.records.contribution.megapixelsteps,
        s.things,
      );
    else owner.records.contribution.tokens += s.things;
  }
  worker.fulfilled++;
  // The worker's counters are whole numbers, like the balances (docs/server/kudos.md#balances).
  worker.kudosGenerated = wholeKudos(worker.kudosGenerated + credited);
  // An image worker's deliveries count for its team too (docs/server/directory.md#teams).
  if (req.kind === "image" && worker.teamId !== null)
    store.teams.recordDelivery(worker.teamId, s.things, credited);
  if (req.kind === "image") worker.megapixelsteps = wholeKudos(worker.megapixelsteps + round2(s.things));
  else worker.tokens = wholeKudos(worker.tokens + s.things);
  const seconds = Math.max((now - job.startedAt) / 1000, 0.001);
  store.workers.recordPerformance(worker, (req.kind === "image" ? s.things * 1e6 : s.things) / seconds);
  store.history.record({
    at: now,
    kind: req.kind,
    model: job.model,
    amount: req.kind === "image" ? s.things * 1e6 : s.things,
  });
  req.expiresAt = now + REQUEST_LIFETIME_MS;
}

/**
 * What a request costs its requester: their balance, and the shared key that pays for it (its budget
 * shrinks, docs/server/directory.md#shared-keys).
 */
export function chargeRequester(store: HordeStore, req: GenRequest, kudos: number): void {
  const requester = store.users.findById(req.userId);
  if (requester) store.users.debit(requester, kudos);
  const key = req.sharedKeyId === null ? undefined : store.sharedKeys.find(req.sharedKeyId);
  if (key) store.sharedKeys.consume(key, kudos);
}

/**
 * A form that is done, or cancelled while processing (docs/server/alchemy.md#kudos): its worker is paid,
 * the requester charged, and the seconds it took join the worker's performance (seconds per form).
 */
export function settleForm(store: HordeStore, i: Interrogation, form: AlchemyForm): void {
  const worker = form.workerId ? store.workers.findById(form.workerId) : undefined;
  const charge = formCharge(form.kudos, i.slowWorkers);
  i.consumedKudos += charge;
  const requester = store.users.findById(i.userId);
  if (requester) store.users.debit(requester, charge);
  if (worker) {
    const owner = store.users.findById(worker.ownerId);
    if (owner) {
      store.users.credit(owner, form.kudos);
      owner.records.fulfillment.interrogation += 1;
    }
    worker.fulfilled++;
    worker.kudosGenerated = wholeKudos(worker.kudosGenerated + form.kudos);
    if (form.poppedAt !== null) store.workers.recordPerformance(worker, (store.now() - form.poppedAt) / 1000);
  }
  i.expiresAt = store.now() + REQUEST_LIFETIME_MS;
}
