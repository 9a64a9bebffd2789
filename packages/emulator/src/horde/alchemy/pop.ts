/**
 * `POST /v2/interrogate/pop` (docs/server/alchemy.md#alchemy): waiting forms this alchemist can do, owner and
 * priority users first,
 * then by age, up to `amount`.
 */
import type { Caller } from "../caller.js";
import { canDoForm, type FormSkipReason, formEligibility } from "../matching/alchemy.js";
import { REQUEST_LIFETIME_MS } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker } from "../store/workers.js";
import { alchemyPop, idleAlchemyPop, type PoppedForm } from "../views/pop.js";
import { type PopContext, type PopKind, popWork, priorityFirst } from "../workers/pop.js";

type AlchemyPopAnswer = ReturnType<typeof alchemyPop> | ReturnType<typeof idleAlchemyPop>;

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

/** Picks the forms and starts them: each is processing for this worker from now on. */
function pickForms(
  store: HordeStore,
  worker: Worker,
  ctx: PopContext,
): { picked: PoppedForm[]; skipped: Record<string, number> } {
  const amount = ctx.amount > 0 ? ctx.amount : 1;
  const byAge = store.allInterrogations().sort((a, b) => a.createdAt - b.createdAt);
  const now = store.now();
  const picked: PoppedForm[] = [];
  const skipped: Partial<Record<FormSkipReason, number>> = {};
  for (const interrogation of priorityFirst(byAge, ctx.priorityUserIds)) {
    for (const form of interrogation.forms) {
      if (picked.length >= amount) break;
      if (!canDoForm(worker, interrogation, form)) continue;
      const why = formEligibility(store, worker, interrogation);
      if (why) {
        skipped[why] = (skipped[why] ?? 0) + 1;
        continue;
      }
      form.state = "processing";
      form.workerId = worker.id;
      form.poppedAt = now;
      interrogation.expiresAt = now + REQUEST_LIFETIME_MS;
      picked.push({
        form,
        sourceImage: interrogation.sourceKey
          ? store.r2.presign(ctx.origin, "GET", interrogation.sourceKey, now)
          : interrogation.sourceUrl,
        upload: form.resultKey ? store.r2.presign(ctx.origin, "PUT", form.resultKey, now) : undefined,
      });
    }
  }
  return { picked, skipped };
}
