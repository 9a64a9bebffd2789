/**
 * The one way a worker gets work, for every kind (docs/server/workers.md#pop, docs/server/text.md#text,
 * docs/server/alchemy.md#alchemy): the store is swept, the worker
 * checks in (steps 1–7), the kind hands out its work (steps 8–10), and a worker in maintenance that found
 * nothing is told so. What differs per kind comes in as a `PopKind`.
 */
import { randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import { popMessages } from "../directory/messages.js";
import { nulByteError } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { queuedRequests } from "../queue.js";
import type { Job } from "../store/jobs.js";
import {
  EXTRA_SLOW_LIFETIME_MS,
  type GenKind,
  type GenRequest,
  REQUEST_LIFETIME_MS,
  setRemaining,
} from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import type { Worker, WorkerType } from "../store/workers.js";
import { type CheckInKind, checkInWorker, maintenanceRefusal } from "./checkin.js";
import { declarationFrom } from "./declaration.js";

export interface PopContext {
  /** The models this pop offers: the queue is matched against them, even when the check-in was skipped. */
  models: readonly string[];
  /** The worker's owner and its priority users: served first (docs/server/workers.md#pop step 8). */
  priorityUserIds: ReadonlySet<number>;
  /** Jobs (or forms) the worker asks for at most. */
  amount: number;
  /** Where the worker reached the emulator: its upload and source URLs are minted under it. */
  origin: string;
}

export interface PopKind<A> extends CheckInKind {
  type: WorkerType;
  /** Steps 8–10: the pop's answer, and whether it carries work. */
  take(store: HordeStore, worker: Worker, ctx: PopContext): { found: boolean; answer: A };
}

/** Answers a schema-valid pop body (`name` present) from the caller's worker. */
export function popWork<A>(
  store: HordeStore,
  kind: PopKind<A>,
  body: Record<string, unknown>,
  caller: Caller,
): A {
  sweep(store);
  const decl = declarationFrom(kind.type, body);
  // QUIRK(docs/server/workers.md#pop): the check-in stores the models; the database refuses a NUL byte in one.
  if (decl.models.some((m) => m.includes("\u0000"))) throw nulByteError();
  const { worker, priorityUserIds } = checkInWorker(store, caller.apikey, decl, kind);
  const { found, answer } = kind.take(store, worker, {
    models: decl.models,
    priorityUserIds,
    amount: decl.amount,
    origin: caller.origin,
  });
  if (!found && worker.maintenance) throw maintenanceRefusal(worker);
  // Image and text pops carry the worker's messages (docs/server/directory.md#worker-messages).
  if (typeof answer === "object" && answer !== null && "messages" in answer) {
    Object.assign(answer, { messages: popMessages(store, worker) });
  }
  return answer;
}

/** What an image or text pop brings: its matching, its skip report, and how it starts jobs. */
export interface QueuePopSteps<K extends GenKind, Why extends string, A> {
  kind: K;
  whyNot(
    store: HordeStore,
    worker: Worker,
    req: Extract<GenRequest, { kind: K }>,
    priorityUserIds: ReadonlySet<number>,
  ): Why | null;
  skipReport(skipped: Map<Why, number>): Record<string, number>;
  /** The answer of a pop that found nothing: the kind's full pop shape. */
  idle(skipped: Record<string, number>): A;
  /** The models a worker of this kind may serve (see `CheckInKind`). */
  parseModels?: CheckInKind["parseModels"];
  start(store: HordeStore, worker: Worker, req: Extract<GenRequest, { kind: K }>, ctx: PopContext): A;
}

/**
 * An image or text pop (docs/server/workers.md#pop steps 8–10, docs/server/text.md#text): the kind's queue in
 * priority order; the first request the
 * worker may take starts jobs, else the pop reports why each request was skipped.
 */
export function queuePop<K extends GenKind, Why extends string, A extends { ids: (string | null)[] }>(
  steps: QueuePopSteps<K, Why, A>,
): PopKind<A> {
  return {
    type: steps.kind,
    priorityRc: "InvalidPriorityUsername",
    ...(steps.parseModels ? { parseModels: steps.parseModels } : {}),
    take(store, worker, ctx) {
      const { match, skipped } = firstEligible(
        queuedRequests(store, steps.kind),
        ctx.priorityUserIds,
        (req) => steps.whyNot(store, worker, req, ctx.priorityUserIds),
      );
      if (!match) return { found: false, answer: steps.idle(steps.skipReport(skipped)) };
      const answer = steps.start(store, worker, match, ctx);
      store.logger.debug?.("jobs popped", { worker: worker.name, ids: answer.ids });
      return { found: true, answer };
    },
  };
}

/** The owner's and priority users' requests first, each group in its given order (docs/server/workers.md#pop step 8). */
export function priorityFirst<R extends { userId: number }>(
  requests: readonly R[],
  priorityUserIds: ReadonlySet<number>,
): R[] {
  return [
    ...requests.filter((r) => priorityUserIds.has(r.userId)),
    ...requests.filter((r) => !priorityUserIds.has(r.userId)),
  ];
}

/** The first request the worker may take, in priority order, and how often each reason skipped one. */
export function firstEligible<R extends { userId: number }, Why extends string>(
  queue: readonly R[],
  priorityUserIds: ReadonlySet<number>,
  whyNot: (req: R) => Why | null,
): { match: R | undefined; skipped: Map<Why, number> } {
  const skipped = new Map<Why, number>();
  for (const req of priorityFirst(queue, priorityUserIds)) {
    const why = whyNot(req);
    if (why === null) return { match: req, skipped };
    skipped.set(why, (skipped.get(why) ?? 0) + 1);
  }
  return { match: undefined, skipped };
}

/**
 * Hands `count` jobs of an image or text request to the worker: they leave the queue, and the request
 * lives 20 more minutes (an hour for extra-slow workers, docs/server/image-requests.md#expiry).
 */
export function startJobs(
  store: HordeStore,
  worker: Worker,
  req: GenRequest,
  batch: { count: number; model: string; seed: number; ttl: number },
): Job[] {
  const now = store.now();
  const jobs: Job[] = [];
  for (let i = 0; i < batch.count; i++) {
    const job: Job = {
      id: randomUUID(),
      requestId: req.id,
      kind: req.kind,
      workerId: worker.id,
      workerName: worker.name,
      model: batch.model,
      seed: batch.seed,
      startedAt: now,
      ttl: batch.ttl,
      delivered: null,
      faultedAt: null,
    };
    store.addJob(job);
    jobs.push(job);
  }
  setRemaining(req, req.remaining - batch.count, now);
  req.expiresAt = now + (worker.extraSlow ? EXTRA_SLOW_LIFETIME_MS : REQUEST_LIFETIME_MS);
  return jobs;
}
