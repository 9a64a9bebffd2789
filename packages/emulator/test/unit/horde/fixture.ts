/**
 * A horde without HTTP for the domain's unit tests: a store on a manual virtual clock, a requester
 * (alice, 100 kudos), a trusted worker owner (bob), and shorthands for callers and workers.
 */
import { VirtualClock } from "../../../src/clock.js";
import type { Caller } from "../../../src/horde/caller.js";
import { HordeStore } from "../../../src/horde/store/store.js";
import type { User } from "../../../src/horde/store/users.js";
import type { Worker, WorkerType } from "../../../src/horde/store/workers.js";
import { declarationFrom } from "../../../src/horde/workers/declaration.js";
import { silentLogger } from "../../../src/logger.js";

export const REGEN = "AI Horde Worker reGen:9.0.1:https://github.com/Haidra-Org/horde-worker-reGen";
export const KOBOLD = "KoboldCppEmbedWorker:1.0.0:https://github.com/LostRuins/koboldcpp";

export function horde() {
  const clock = new VirtualClock();
  const store = new HordeStore(clock, { anonymousConcurrency: 500, logger: silentLogger });
  const alice = store.users.create({ username: "alice", kudos: 100 });
  const bob = store.users.create({ username: "bob", trusted: true });
  let workers = 0;

  /** The caller as the HTTP layer would hand it over. */
  const caller = (user: User, extra: Partial<Caller> = {}): Caller => ({
    apikey: user.apikey,
    clientAgent: "unit-test:1:none",
    ip: "127.0.0.1",
    origin: "http://horde.local",
    maintenance: false,
    ...extra,
  });

  /** A worker of bob's that checked in just now, declaring `body` (a pop body) over a reGen bridge. */
  const worker = (type: WorkerType, body: Record<string, unknown> = {}, owner: User = bob): Worker =>
    store.workers.create(
      owner.id,
      declarationFrom(type, { name: `w${++workers}`, bridge_agent: REGEN, ...body }),
      clock.now(),
    );

  return { clock, store, alice, bob, caller, worker };
}
