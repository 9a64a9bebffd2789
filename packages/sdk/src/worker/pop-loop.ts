// The pop loop: while threads are free and no stop is asked, pop jobs of the worker's kind, hold them, and
// start them; idle and error waits grow, a pop refused for good ends the loop.

import { AIHordeRequestError, HordeError } from "../core/errors.js";
import { type Backoff, backoffDelay } from "../http/retry.js";
import { describe } from "./describe.js";
import type { PoppedUnit, PopReading } from "./kinds/kind.js";
import type { WorkerParts } from "./parts.js";
import { type JobReporter, rcOf } from "./reporter.js";
import { describeSkipped } from "./skipped.js";
import type { WorkerMessage } from "./types.js";
import type { UnitRunner } from "./unit-runner.js";

export interface PopLoopParts extends WorkerParts {
  reporter: JobReporter;
  runner: UnitRunner;
  threads: number;
  amount: number;
  /** The wait after an empty pop, growing by half each time up to `maxMs`. */
  idle: Backoff;
  /** Say why no jobs come after this long idle, and again every this long (Infinity: never). */
  idleReportMs: number;
  /** Fires when a stop is requested: no more pops, waits end. */
  stop: AbortSignal;
}

/** Waits after a failed pop: 2 s doubling to 60 s. */
const POP_ERROR_BACKOFF: Backoff = { firstMs: 2_000, maxMs: 60_000 };
/** Errors of a pop that are worth waiting out rather than stopping for. */
const TRANSIENT_POP_RCS = new Set(["WorkerMaintenance", "MaintenanceMode", "TimeoutIP", "TooManyNewIPs"]);

export class PopLoop {
  readonly #parts: PopLoopParts;
  readonly #tasks = new Set<Promise<void>>();
  #busy = 0;
  #slotWaiters: (() => void)[] = [];
  readonly #seenMessages = new Set<string>();
  /** Empty pops in the current idle stretch, and when it was last reported. */
  #idlePops = 0;
  #idleReportedAt = 0;

  constructor(parts: PopLoopParts) {
    this.#parts = parts;
  }

  /** Pop until a stop is requested; resolves with the error when the horde refused the pop for good. */
  async run(): Promise<unknown> {
    const { name, logger, events, stats, threads, stop } = this.#parts;
    let idleStep = 1;
    let errorStep = 1;
    while (!stop.aborted) {
      if (this.#busy >= threads) {
        await this.#slotFreed();
        continue;
      }
      let reading: PopReading;
      try {
        reading = await this.#pop(threads - this.#busy);
        errorStep = 1;
      } catch (error) {
        if (isFatalPopError(error)) {
          logger.error(`worker ${name}: the horde refused the pop: ${describe(error)}; stopping`);
          return error;
        }
        stats.counters.popErrors++;
        const wait = backoffDelay(POP_ERROR_BACKOFF, errorStep++);
        if (error instanceof AIHordeRequestError && error.rc === "WorkerMaintenance") {
          logger.warn(`worker ${name} is in maintenance: ${error.message}`);
          events.emit("maintenance", { message: error.message });
        } else {
          logger.warn(`worker ${name}: pop failed (${describe(error)}); next try in ${wait} ms`);
          events.emit("error", { error, phase: "pop" });
        }
        await this.#pause(wait);
        continue;
      }
      this.#onMessages(reading.messages);
      for (const problem of reading.unreportable) {
        logger.error(`worker ${name}: the pop handed out a job that cannot be reported: ${problem}`);
      }
      if (reading.units.length + reading.invalid.length === 0) {
        this.#onEmptyPop(reading.skipped);
        await this.#pause(backoffDelay(this.#parts.idle, idleStep++));
        continue;
      }
      idleStep = 1;
      stats.counters.idleSince = null;
      this.#accept(reading);
      // A pop that handed out only broken jobs must not turn into a tight loop.
      if (reading.units.length === 0) await this.#pause(this.#parts.idle.firstMs);
    }
    return undefined;
  }

  /** Count an empty pop's skip reasons; after `idleReportMs` without a job, say why (and again later). */
  #onEmptyPop(skipped: Record<string, number>): void {
    const { name, logger, events, stats, client, adapter, idleReportMs } = this.#parts;
    const now = client.clock.now();
    const counters = stats.counters;
    counters.emptyPops++;
    counters.skipped = skipped;
    for (const [reason, n] of Object.entries(skipped)) {
      counters.skippedTotal[reason] = (counters.skippedTotal[reason] ?? 0) + n;
    }
    if (counters.idleSince === null) {
      counters.idleSince = now;
      this.#idlePops = 0;
      this.#idleReportedAt = now;
    }
    this.#idlePops++;
    events.emit("skipped", { reasons: { ...skipped } });
    if (now - this.#idleReportedAt < idleReportMs) return;
    this.#idleReportedAt = now;
    const idleMs = now - counters.idleSince;
    const summary = describeSkipped(skipped, adapter.kind);
    const line = `worker ${name}: no jobs for ${Math.round(idleMs / 1000)} s: ${summary}`;
    // Skipped requests are something the operator can change; an empty queue is not.
    if (Object.keys(skipped).length > 0) logger.warn(line);
    else logger.info(line);
    events.emit("idle", { idleMs, pops: this.#idlePops, skipped: { ...skipped }, summary });
  }

  /** Resolves once every started unit and fault has settled. */
  async drained(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Send one pop and read the answer leniently (a malformed job must be faulted, not thrown away). */
  async #pop(freeThreads: number): Promise<PopReading> {
    const { client, adapter, stats, amount } = this.#parts;
    const count = adapter.kind === "image" ? amount : Math.max(1, Math.min(amount, freeThreads));
    stats.counters.pops++;
    // Uninterruptible: a pop that reached the horde may have handed out jobs; they must be seen to be released.
    const raw = await client.submitRequestRaw(adapter.popRequest(count), { uninterruptible: true });
    return adapter.readPop(raw.json());
  }

  /** Take the jobs of a pop: hold every id, fault the invalid ones, start the units. */
  #accept(reading: PopReading): void {
    const { client, reporter, events, stats } = this.#parts;
    const receivedAt = client.clock.now();
    const ids = [...reading.units.flatMap((u) => u.ids), ...reading.invalid.map((j) => j.id)];
    for (const unit of reading.units) reporter.hold(unit.ids, unit.model);
    reporter.hold(
      reading.invalid.map((j) => j.id),
      reading.model,
    );
    stats.counters.popped += ids.length;
    events.emit("popped", {
      ids,
      model: reading.model,
      ttl: reading.ttl,
      ...(reading.forms ? { forms: [...reading.forms] } : {}),
    });
    for (const { id, message } of reading.invalid) {
      this.#track(reporter.fault(id, "invalid", new HordeError(message)));
    }
    for (const unit of reading.units) this.#start(unit, receivedAt);
  }

  #start(unit: PoppedUnit, receivedAt: number): void {
    this.#busy += unit.slots;
    const task = this.#parts.runner.run(unit, receivedAt).finally(() => {
      this.#busy -= unit.slots;
      const waiters = this.#slotWaiters;
      this.#slotWaiters = [];
      for (const wake of waiters) wake();
    });
    this.#track(task);
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.#parts.logger.error(`worker ${this.#parts.name}: unexpected failure: ${describe(error)}`);
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }

  /** Wait until a thread frees up or a stop is requested. */
  #slotFreed(): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = this.#parts.stop;
      const done = () => {
        stop.removeEventListener("abort", done);
        resolve();
      };
      if (stop.aborted) return resolve();
      stop.addEventListener("abort", done, { once: true });
      this.#slotWaiters.push(done);
    });
  }

  /** Sleep on the clock; a stop request wakes it early. */
  async #pause(ms: number): Promise<void> {
    await this.#parts.client.clock.sleep(ms, this.#parts.stop).catch(() => {});
  }

  #onMessages(messages: WorkerMessage[]): void {
    const { name, logger, events, stats } = this.#parts;
    for (const message of messages) {
      if (this.#seenMessages.has(message.id)) continue;
      this.#seenMessages.add(message.id);
      stats.counters.messages.push(message);
      logger.warn(
        `message to worker ${name}${message.origin ? ` from ${message.origin}` : ""}: ${message.message}`,
      );
      events.emit("message", { ...message });
    }
  }
}

/** A pop refused for good: bad key, anonymous, wrong credentials, bad name or models, unknown route. */
function isFatalPopError(error: unknown): boolean {
  if (!(error instanceof AIHordeRequestError)) return false;
  const rc = rcOf(error);
  if (rc && TRANSIENT_POP_RCS.has(rc)) return false;
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
