import type { HordeWorkerStats, WorkerKind, WorkerState } from "./types.js";

/** The worker's counters, kept by its parts; `snapshot()` is what `worker.stats` hands out. */
export class WorkerStats {
  readonly counters: HordeWorkerStats;

  constructor(name: string, kind: WorkerKind) {
    this.counters = {
      name,
      kind,
      state: "idle",
      startedAt: null,
      stoppedAt: null,
      pops: 0,
      emptyPops: 0,
      popErrors: 0,
      popped: 0,
      inFlight: 0,
      completed: 0,
      faulted: 0,
      faultedBy: {},
      rejected: 0,
      rejectedBy: {},
      kudos: 0,
      skipped: {},
      skippedTotal: {},
      idleSince: null,
      messages: [],
    };
  }

  /** A copy that later counting does not change. */
  snapshot(state: WorkerState, inFlight: number): HordeWorkerStats {
    const s = this.counters;
    return {
      ...s,
      state,
      inFlight,
      faultedBy: { ...s.faultedBy },
      rejectedBy: { ...s.rejectedBy },
      kudos: roundKudos(s.kudos),
      skipped: { ...s.skipped },
      skippedTotal: { ...s.skippedTotal },
      messages: s.messages.map((m) => ({ ...m })),
    };
  }
}

/** Kudos to the cent, as they are shown. */
export function roundKudos(kudos: number): number {
  return Math.round(kudos * 100) / 100;
}
