import { HordeAPIObject } from "./model.js";
import type { HordeRequest, RequestClass } from "./request.js";

/** Base of every success response (mirrors horde_sdk's HordeResponse). */
export abstract class HordeResponse extends HordeAPIObject {
  /** True when this response is the last one of a follow-up chain (e.g. the final status). */
  static isFinalFollowUp(): boolean {
    return false;
  }

  /** For responses that start a job: the request to poll it with. */
  static getFollowUpDefaultRequestType(): RequestClass | null {
    return null;
  }

  /** For responses that start a job: the request that cancels it when the caller gives up. */
  static getFollowUpFailureCleanupRequestType(): RequestClass | null {
    return null;
  }

  /** For progress responses: the request that fetches the results once the job is complete. */
  static getFinalizeSuccessRequestType(): RequestClass | null {
    return null;
  }

  /** The fields a follow-up request needs (e.g. `[{ id }]`); empty when nothing follows. */
  getFollowUpReturnedParams(): Record<string, unknown>[] {
    return [];
  }

  /** True when this response leaves a job on the server that must be completed or cancelled. */
  requiresFollowUp(): boolean {
    return (this.constructor as typeof HordeResponse).getFollowUpFailureCleanupRequestType() !== null;
  }

  /** The cleanup requests (DELETEs) that would cancel what this response started. */
  cleanupRequests(base: Record<string, unknown> = {}): HordeRequest[] {
    const cleanup = (this.constructor as typeof HordeResponse).getFollowUpFailureCleanupRequestType();
    if (!cleanup) return [];
    return this.getFollowUpReturnedParams().map((params) => new cleanup({ ...base, ...params } as never));
  }
}

/** Progress responses (check/status): completion and possibility, as horde_sdk's ResponseWithProgressMixin. */
export interface ResponseWithProgress {
  isJobComplete(numberOfResultsExpected: number): boolean;
  isJobPossible(): boolean;
}
