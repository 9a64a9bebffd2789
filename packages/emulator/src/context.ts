import type { Clock } from "horde-sdk";
import type { EmulatorLogger } from "./logger.js";
import type { HordeState } from "./state/horde.js";

/** The server version the emulator answers as (§ header of ai-horde-api.md: HORDE_VERSION 5.1.5). */
export const EMULATED_HORDE_VERSION = "5.1.5";

/** What every route gets: the state, the clock and the logger. */
export interface EmulatorContext {
  state: HordeState;
  clock: Clock;
  logger: EmulatorLogger;
}
