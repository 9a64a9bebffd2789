// Reporting popped jobs back to the horde: every job the worker holds ends submitted, rejected or faulted
// (released with a faulted submit, so the horde re-queues it now instead of when it goes stale).

import { AIHordeRequestError, HordeError, HordeValidationError } from "../core/errors.js";
import type { HordeRequest } from "../core/messages.js";
import { describe } from "./describe.js";
import type { WorkerParts } from "./parts.js";
import { roundKudos } from "./stats.js";
import type { FaultReason } from "./types.js";

export interface ReporterParts extends WorkerParts {
  maxConsecutiveFaults: number;
  /** Called when `maxConsecutiveFaults` jobs in a row failed in `generate`: the worker should stop. */
  onFaultStreak(error: HordeError): void;
}

interface HeldJob {
  model: string | null;
  settled: boolean;
}

/** Faults that say the backend is broken (rather than the job, the network or the horde). */
const GENERATE_FAULTS: ReadonlySet<FaultReason> = new Set(["error", "result", "ttl"]);

export class JobReporter {
  readonly #parts: ReporterParts;
  readonly #held = new Map<string, HeldJob>();
  #consecutiveFaults = 0;

  constructor(parts: ReporterParts) {
    this.#parts = parts;
  }

  /** Take responsibility for popped job ids. */
  hold(ids: readonly string[], model: string | null): void {
    for (const id of ids) this.#held.set(id, { model, settled: false });
  }

  /** Job ids held and not settled yet. */
  unsettled(ids: Iterable<string> = this.#held.keys()): string[] {
    return [...ids].filter((id) => this.#held.get(id)?.settled === false);
  }

  /**
   * Submit a result. The client repeats a worker submit after a failure that leaves in doubt whether it
   * arrived (the horde stores only the first and answers `DuplicateGen` to the others), so a `DuplicateGen`
   * after a repeat means an earlier attempt got through. A result the horde refuses for good is released
   * with a faulted submit, so the job is re-queued.
   */
  async submit(id: string, build: () => HordeRequest): Promise<void> {
    if (!this.#isOpen(id)) return;
    let request: HordeRequest;
    try {
      request = build();
    } catch (error) {
      await this.fault(id, "result", error);
      return;
    }
    try {
      const response = (await this.#parts.client.submitRequest(request, { uninterruptible: true })) as {
        reward?: number | null;
      };
      this.#completed(id, typeof response.reward === "number" ? response.reward : 0);
    } catch (error) {
      if (error instanceof HordeValidationError) {
        // The horde answered 200 with an unexpected body: the result was taken.
        this.#parts.logger.warn(`submit of ${id}: ${error.message}`);
        this.#completed(id, 0);
        return;
      }
      const rc = rcOf(error);
      if (rc === "DuplicateGen" && (error as AIHordeRequestError).attempts > 1) {
        this.#completed(id, 0);
        return;
      }
      if (isSettledOnServer(error)) {
        this.#rejected(id, rc ?? `HTTP ${(error as AIHordeRequestError).status}`, (error as Error).message);
        return;
      }
      await this.fault(id, "submit", error);
    }
  }

  /** Report a job faulted (once), so the horde re-queues it now instead of when it goes stale. */
  async fault(id: string, reason: FaultReason, error: unknown): Promise<void> {
    const held = this.#held.get(id);
    if (!held || held.settled) return;
    held.settled = true;
    const { name, logger, events, stats } = this.#parts;
    const message = describe(error);
    await this.#release(id);
    this.#held.delete(id);
    stats.counters.faulted++;
    stats.counters.faultedBy[reason] = (stats.counters.faultedBy[reason] ?? 0) + 1;
    logger.warn(`worker ${name}: job ${id} faulted (${reason}): ${message}`);
    events.emit("faulted", { id, reason, message, error });
    if (!GENERATE_FAULTS.has(reason)) return;
    this.#consecutiveFaults++;
    if (this.#consecutiveFaults >= this.#parts.maxConsecutiveFaults) {
      this.#parts.onFaultStreak(
        new HordeError(
          `${this.#consecutiveFaults} jobs in a row failed in generate (last: ${message}); the worker stops`,
        ),
      );
    }
  }

  /** The faulted submit (retried by the client like a result submit); an unknown or settled job needs none. */
  async #release(id: string): Promise<void> {
    const { client, adapter, logger, events, name } = this.#parts;
    try {
      await client.submitRequest(adapter.faultedSubmit(id), { uninterruptible: true });
    } catch (error) {
      // Answered 200 with an odd body: released. Unknown (expired), delivered or aborted: nothing to release.
      if (error instanceof HordeValidationError || isSettledOnServer(error)) return;
      logger.error(`worker ${name}: could not report job ${id} faulted: ${describe(error)}`);
      events.emit("error", { error, phase: "release" });
    }
  }

  #isOpen(id: string): boolean {
    return this.#held.get(id)?.settled === false;
  }

  /** Settle a held job; returns it, or undefined when it was not open. */
  #settle(id: string): HeldJob | undefined {
    const held = this.#held.get(id);
    if (!held || held.settled) return undefined;
    held.settled = true;
    this.#held.delete(id);
    return held;
  }

  #completed(id: string, reward: number): void {
    const held = this.#settle(id);
    if (!held) return;
    const { name, logger, events, stats } = this.#parts;
    this.#consecutiveFaults = 0;
    stats.counters.completed++;
    stats.counters.kudos += reward;
    const total = roundKudos(stats.counters.kudos);
    logger.debug(`worker ${name}: job ${id} submitted (+${reward} kudos)`);
    events.emit("completed", { id, reward, kudos: total, model: held.model });
    events.emit("kudos", { id, reward, total });
  }

  #rejected(id: string, rc: string, message: string): void {
    if (!this.#settle(id)) return;
    const { name, logger, events, stats } = this.#parts;
    stats.counters.rejected++;
    stats.counters.rejectedBy[rc] = (stats.counters.rejectedBy[rc] ?? 0) + 1;
    logger.warn(`worker ${name}: the horde refused the result of ${id} (${rc}): ${message}`);
    events.emit("rejected", { id, rc, message });
  }
}

export function rcOf(error: unknown): string | null {
  return error instanceof AIHordeRequestError && error.rc ? error.rc.replace(/\.+$/, "") : null;
}

/** The horde has no open job under this id: unknown or expired (404), delivered already, or aborted as too slow. */
function isSettledOnServer(error: unknown): boolean {
  if (!(error instanceof AIHordeRequestError)) return false;
  const rc = rcOf(error);
  return error.status === 404 || rc === "DuplicateGen" || rc === "AbortedGen";
}
