import type { HordeRequest } from "../core/messages.js";
import { HordeResponse } from "../core/messages.js";

/**
 * Base of the worker pop responses (image, text, alchemy; mirrors horde_sdk's pop responses with
 * ResponseRequiringFollowUpMixin): a pop that handed out jobs obliges the worker to submit each of them. The
 * follow-up is the submit request; the cleanup, if the worker gives up (error, abort, shutdown), is a
 * *faulted* submit per job, so the server re-queues the work at once instead of waiting for it to go stale.
 * An empty pop (no job; `skipped` says why) requires nothing.
 */
export abstract class JobPopResponse extends HordeResponse {
  /** The ids of the jobs handed out, in order (empty when there was no job). */
  abstract get jobIds(): string[];

  /** The faulted submit that releases job `id` (with the caller's extra fields, e.g. `client_agent`). */
  protected abstract faultedSubmit(id: string, base: Record<string, unknown>): HordeRequest;

  /** No job was handed out. */
  get isEmpty(): boolean {
    return this.jobIds.length === 0;
  }

  /** Only a pop that handed out jobs must be followed up. */
  override requiresFollowUp(): boolean {
    return this.jobIds.length > 0;
  }

  /** One `{ id }` per job, in the order of `jobIds`. */
  override getFollowUpReturnedParams(): Record<string, unknown>[] {
    return this.jobIds.map((id) => ({ id }));
  }

  /** One faulted submit per job, in the order of `jobIds` (what a session sends when it closes unfinished). */
  override cleanupRequests(base: Record<string, unknown> = {}): HordeRequest[] {
    return this.jobIds.map((id) => this.faultedSubmit(id, base));
  }
}
