/**
 * `POST /v2/interrogate/pop` (docs/server/alchemy.md#pop): the waiting forms this alchemist can do, by the
 * requester's balance when it asked (highest first), then by age; up to `amount` of them.
 */
import type { Caller } from "../caller.js";
import { type FormSkipReason, formCandidate, formEligibility } from "../matching/alchemy.js";
import { isPostProcessorForm } from "../reference/forms.js";
import { resultKey } from "../store/bucket.js";
import type { AlchemyForm, Interrogation } from "../store/interrogations.js";
import { REQUEST_LIFETIME_MS } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { alchemyPop, idleAlchemyPop, type PoppedForm } from "../views/pop.js";
import type { PopContext, PopKind } from "../workers/pop.js";
import { popWork } from "../workers/pop.js";

type AlchemyPopAnswer = ReturnType<typeof alchemyPop> | ReturnType<typeof idleAlchemyPop>;

/** The server reads at most 100 candidates. */
const CANDIDATES = 100;

const ALCHEMY_POP: PopKind<AlchemyPopAnswer> = {
  type: "interrogation",
  // QUIRK(docs/server/errors.md#return-codes): a bad priority username is plain BadRequest on the alchemy
  // pop.
  priorityRc: "BadRequest",
  take(store, worker, ctx) {
    const { picked, skipped } = pickForms(store, worker, ctx);
    if (picked.length === 0) return { found: false, answer: idleAlchemyPop(skipped) };
    return { found: true, answer: alchemyPop(picked) };
  },
};

export function popAlchemy(
  store: HordeStore,
  body: Record<string, unknown>,
  caller: Caller,
): AlchemyPopAnswer {
  return popWork(store, ALCHEMY_POP, body, caller);
}

/**
 * The forms the server's query finds, in its order. QUIRK(docs/server/alchemy.md#pop): the query meant for
 * the priority users ignores them, and the one meant for everybody else does not leave out what the
 * first found, so the list comes twice (up to 100 in all) and a refusal is counted twice.
 */
function candidates(store: HordeStore, worker: Worker): { i: Interrogation; form: AlchemyForm }[] {
  const found = store
    .allInterrogations()
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt)
    .flatMap((i) => i.forms.filter((form) => formCandidate(worker, i, form)).map((form) => ({ i, form })))
    .slice(0, CANDIDATES);
  return found.length < CANDIDATES ? [...found, ...found.slice(0, CANDIDATES - found.length)] : found;
}

/** Picks the forms and starts them: each is processing for this worker from now on. */
function pickForms(
  store: HordeStore,
  worker: Worker,
  ctx: PopContext,
): { picked: PoppedForm[]; skipped: Record<string, number> } {
  const amount = ctx.amount > 0 ? ctx.amount : 1;
  const now = store.now();
  const picked: PoppedForm[] = [];
  const skipped: Partial<Record<FormSkipReason, number>> = {};
  for (const { i, form } of candidates(store, worker)) {
    if (picked.length >= amount) break;
    const why = formEligibility(store, worker, i);
    if (why) {
      skipped[why] = (skipped[why] ?? 0) + 1;
      continue;
    }
    if (form.state !== "waiting") continue;
    form.state = "processing";
    form.workerId = worker.id;
    form.poppedAt = now;
    i.expiresAt = now + REQUEST_LIFETIME_MS;
    picked.push({
      form,
      sourceImage: i.sourceKey ? store.r2.presign(ctx.origin, "GET", i.sourceKey, now) : i.sourceUrl,
      // Post-processors upload the image they make.
      upload: isPostProcessorForm(form.name)
        ? store.r2.presign(ctx.origin, "PUT", resultKey(form.id), now)
        : undefined,
    });
  }
  return { picked, skipped };
}
