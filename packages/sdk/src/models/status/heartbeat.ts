import * as z from "zod";
import { endpoint, HordeResponse } from "../../core/messages.js";
import { BaseAIHordeRequest, commonHeaderShape } from "../base.js";
import { lazySchema } from "../lazy.js";
import { hordeObject } from "../strict.js";

/**
 * The heartbeat of the node that answered (not in the contract: the route is not marshalled). `message` is
 * `OK`, `DOWN` (the node's database check failed) or `OVERLOADED` (its request queue is not empty); the
 * other fields are node metrics and may be absent (older servers send only `message` and `version`).
 */
export interface AIHordeHeartbeatResponse {
  readonly message: "OK" | "DOWN" | "OVERLOADED" | (string & {});
  readonly version?: string;
  readonly queue?: number;
  readonly threads?: number;
  readonly active_count?: number;
  /** The node's database check (its exact form is not documented). */
  readonly db_connection?: unknown;
}
export class AIHordeHeartbeatResponse extends HordeResponse {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      message: z.string(),
      version: z.string().optional(),
      queue: z.number().optional(),
      threads: z.number().optional(),
      active_count: z.number().optional(),
      db_connection: z.unknown().optional(),
    }),
  );

  /** The node answered and said it is healthy. */
  get ok(): boolean {
    return this.message === "OK";
  }
}

/** GET `/v2/status/heartbeat`: is this node up? Not rate-limited. */
export class AIHordeHeartbeatRequest extends BaseAIHordeRequest<AIHordeHeartbeatResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v2/status/heartbeat",
    () => AIHordeHeartbeatResponse,
  );
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    hordeObject({ ...commonHeaderShape }),
  );

  constructor(input: { client_agent?: string; accept?: string } = {}) {
    super(input);
  }
}
