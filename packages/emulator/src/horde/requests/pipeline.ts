/**
 * The one way an image or a text request is accepted (`POST …/async`,
 * docs/server/image-requests.md#submit-order and docs/server/text.md#text): the server runs
 * the same steps in the same order for both kinds (`GenerateTemplate`), so the first error is the same.
 * What differs per kind — the cached dry run, the kind's checks, the upfront rule, the estimate and the
 * request built at activation — comes in as a `RequestKindSteps`.
 */
import type { Caller } from "../caller.js";
import { err, HordeError } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { refuse } from "../refusals.js";
import { chargeRequester } from "../settlement.js";
import {
  type GenKind,
  type GenRequest,
  type GenRequestBase,
  REQUEST_LIFETIME_MS,
} from "../store/requests.js";
import { UNLIMITED } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { Style } from "../store/styles.js";
import type { User } from "../store/users.js";
import { type AcceptedView, acceptedView } from "../views/request-status.js";
import { availableKudos, commonValidation } from "./checks.js";
import type { CommonRequestInput } from "./input.js";
import { sharedKeyLimit } from "./requester.js";
import { type AppliedStyle, resolveStyle } from "./style.js";

/** Step 7 of a request that needs kudos up front (docs/server/kudos.md#upfront-kudos, docs/server/text.md#text). */
export interface Upfront<D> {
  /** What the requester must have available. */
  needed: number;
  /** The `KudosUpfront` message when they do not and the request may not be downgraded. */
  refusal: string;
  /** With `allow_downgrade` (and slow workers): the request made small enough to need nothing up front. */
  downgraded(): D;
}

/** What a shared key must allow for one request (docs/server/directory.md#shared-keys). */
export interface SharedKeyNeeds {
  /** The request's estimate, which a key with a budget must still have. */
  kudos: number;
  /** The refusal when it has not (the wording differs per kind). */
  refusal(left: number): string;
  /** The job's size against the key's per-job limits. */
  pixels?: number;
  steps?: number;
  tokens?: number;
}

/** What one kind brings to the pipeline; `D` is the kind's draft of the request, threaded through the steps. */
export interface RequestKindSteps<D> {
  kind: GenKind;
  common(draft: D): CommonRequestInput;
  /** Step 4: the request with the style's prompt template, models and params. */
  applyStyle(draft: D, style: Style): D;
  /** Step 7: what the draft needs from a shared key that pays for it. */
  sharedKeyNeeds(store: HordeStore, draft: D): SharedKeyNeeds;
  /** Step 3: a cached dry-run estimate, answered before the key is even looked up. */
  cachedDryRun?(store: HordeStore, draft: D): number | undefined;
  /** Step 6: the kind's own checks (throws the first failure); may adjust the draft. */
  validate(store: HordeStore, draft: D, user: User, caller: Caller): D;
  /** Step 7: the upfront rule, or null when this request needs nothing up front. */
  upfront(store: HordeStore, draft: D): Upfront<D> | null;
  /** Step 8: the dry run's estimate. */
  estimate(store: HordeStore, draft: D): number;
  /** Step 9: the new request, its activation tax in `consumedKudos` (source images are stored here). */
  activate(store: HordeStore, draft: D, user: User, caller: Caller, hold: number): Promise<GenRequest>;
}

/** A dry run answers 200 `{kudos}`; a new request 202. */
export type SubmitOutcome = { dryRun: true; body: { kudos: number } } | { dryRun: false; body: AcceptedView };

export async function submitRequest<D>(
  store: HordeStore,
  steps: RequestKindSteps<D>,
  first: D,
  caller: Caller,
): Promise<SubmitOutcome> {
  let start = first;
  const sent = steps.common(start);
  sweep(store);

  // 3. QUIRK(docs/server/image-requests.md#submit-order step 3): a cached dry-run estimate answers before the
  // key is even looked up.
  const cached = sent.dryRun ? steps.cachedDryRun?.(store, first) : undefined;
  if (cached !== undefined) return { dryRun: true, body: { kudos: cached } };

  // 4. A style rewrites the request, and its shared key may pay (docs/server/directory.md#styles-and-collections).
  let styled: AppliedStyle | null = null;
  if (sent.style !== undefined) {
    styled = resolveStyle(store, sent.style, steps.kind);
    start = steps.applyStyle(start, styled.style);
  }
  const input = steps.common(start);

  // 5. Common validation.
  const requester = commonValidation(store, {
    kind: steps.kind,
    apikey: caller.apikey,
    webhook: input.webhook,
    proxiedAccount: input.proxiedAccount,
    extraSourceImages: input.extraSourceImages.length,
    prompt: input.prompt,
    workers: input.workers,
    n: input.n,
    disableBatching: input.disableBatching,
    models: input.models,
    maintenance: store.modes.maintenance || caller.maintenance,
    styleKey: styled?.sharedKey ?? null,
    allowDowngrade: input.allowDowngrade,
  });
  const { user, sharedKey } = requester;
  let lowPriority = requester.downgraded;

  // 6. The kind's own checks.
  let draft = steps.validate(store, start, user, caller);

  // 7. A shared key's budget (a short one lowers the priority when the request may be downgraded)…
  const needs = sharedKey ? steps.sharedKeyNeeds(store, draft) : null;
  if (sharedKey && needs && sharedKey.kudos !== UNLIMITED && needs.kudos > sharedKey.kudos) {
    if (input.allowDowngrade && input.slowWorkers) lowPriority = true;
    else throw new HordeError(403, "SharedKeyInsufficientKudos", needs.refusal(sharedKey.kudos));
  }
  // … upfront kudos, with the downgrade when allowed …
  let hold = 0;
  const upfront = steps.upfront(store, draft);
  if (upfront) {
    if (availableKudos(store, user) >= upfront.needed) hold = upfront.needed;
    else if (input.allowDowngrade && input.slowWorkers) draft = upfront.downgraded();
    else throw new HordeError(403, "KudosUpfront", upfront.refusal);
  }
  // … and the key's per-job limits. QUIRK(docs/server/directory.md#shared-keys): the server looks for the
  // style to let its own key exceed them, and fails when the request has none.
  const overLimit = sharedKey && needs ? sharedKeyLimit(sharedKey, needs) : null;
  if (overLimit !== null) {
    if (!styled) throw err.internal();
    if (styled.style.sharedKeyId !== sharedKey?.id) throw refuse.badRequest(overLimit);
  }

  // 8. Dry run: the estimate.
  if (input.dryRun) return { dryRun: true, body: { kudos: steps.estimate(store, draft) } };

  // 9. Activation: the tax is charged, the priority is the balance before it
  // (docs/server/kudos.md#charge-and-reward, docs/server/kudos.md#queue-order).
  const req = await steps.activate(store, draft, user, caller, hold);
  req.sharedKeyId = sharedKey?.id ?? null;
  // An empty shared key downgraded to anonymous, or a short one, queues with anonymous priority.
  if (lowPriority) req.basePriority = ANONYMOUS_PRIORITY;
  chargeRequester(store, req, req.consumedKudos);
  user.records.request[req.kind] += req.jobCount;
  store.addRequest(req);
  store.logger.debug?.("request queued", {
    kind: req.kind,
    id: req.id,
    user: user.username,
    n: req.jobCount,
  });

  // 10. 202.
  return { dryRun: false, body: acceptedView(store, req, Math.round(req.kudosPerImage)) };
}

/**
 * The fields of a new request that come straight from its input, its requester and the pipeline, with
 * `n` (`jobs`) jobs to pop. The kind adds its own fields, its `kudosPerImage` and its tax.
 */
export function requestBase(
  store: HordeStore,
  input: CommonRequestInput,
  r: { id: string; user: User; caller: Caller; hold: number; jobs: number },
): Omit<GenRequestBase, "kind" | "kudosPerImage" | "consumedKudos"> {
  const now = store.now();
  return {
    id: r.id,
    userId: r.user.id,
    clientAgent: r.caller.clientAgent,
    createdAt: now,
    expiresAt: now + REQUEST_LIFETIME_MS,
    prompt: input.prompt,
    models: input.models,
    trustedWorkers: input.trustedWorkers,
    slowWorkers: input.slowWorkers,
    extraSlowWorkers: input.extraSlowWorkers,
    workers: input.workers,
    workerBlacklist: input.workerBlacklist,
    disableBatching: input.disableBatching,
    webhook: input.webhook,
    remaining: r.jobs,
    jobCount: r.jobs,
    upfrontHold: r.hold,
    basePriority: initialPriority(r.user),
    queuedMs: 0,
    queuedSince: now,
    faulted: false,
    cancelledAt: null,
    sharedKeyId: null,
  };
}

/** The priority of a downgraded request: the anonymous user's (docs/server/kudos.md#queue-order). */
const ANONYMOUS_PRIORITY = -50;

/** `extra_priority` at activation (docs/server/kudos.md#queue-order): the balance, or a small number for flagged users. */
export function initialPriority(user: User): number {
  if (!user.flagged) return user.kudos;
  return user.kudos > 10 ? Math.round(user.kudos / 1000) : -100;
}
