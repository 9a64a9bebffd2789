import type { AIHordeAPIClient } from "../client/client.js";
import type { Logger } from "../core/logger.js";
import type { TypedEmitter } from "./events.js";
import type { KindAdapter } from "./kinds/kind.js";
import type { WorkerStats } from "./stats.js";
import type { HordeWorkerEvents } from "./types.js";

/** What the parts of a worker (pop loop, unit runner, reporter) share: who it is, how it talks, where it reports. */
export interface WorkerParts {
  name: string;
  client: AIHordeAPIClient;
  adapter: KindAdapter;
  logger: Logger;
  events: TypedEmitter<HordeWorkerEvents>;
  stats: WorkerStats;
}
