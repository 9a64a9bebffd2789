import type { Clock } from "horde-sdk";

export type { Clock } from "horde-sdk";
export { systemClock } from "horde-sdk";

/** One real macrotask: lets pending I/O callbacks and every queued microtask run. */
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Sleeper {
  wakeAt: number;
  seq: number;
  resolve: () => void;
}

/** How a `VirtualClock` starts: at which time, and whether it moves by itself when everyone sleeps. */
export interface VirtualClockOptions {
  /** Start time in ms since the epoch (default: 2026-01-01T00:00:00Z, so runs are reproducible). */
  startMs?: number;
  /**
   * When true, a real tick jumps time to the earliest pending wake-up whenever nothing is in progress
   * (like sinon's `shouldAdvanceTime`, but jumping instead of following wall time), so a client and a
   * dev worker that both sleep on this clock run hours of protocol in milliseconds.
   */
  autoAdvance?: boolean;
}

/**
 * A clock whose time only moves when told to (`advance`) or, in auto mode, whenever everybody is asleep.
 *
 * Real asynchronous work that must finish "in zero virtual time" (an emulator request being handled, a
 * dev worker encoding a WebP on sharp's thread pool) is wrapped in `hold()`: while a hold is open, time
 * does not move, so a poller cannot race ahead by hundreds of virtual seconds during a 20 ms encode.
 * Never sleep on this clock inside a hold: with auto-advance that would wait forever.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  private holds = 0;
  private auto: boolean;
  private tickScheduled = false;

  constructor(options: VirtualClockOptions = {}) {
    this.t = options.startMs ?? Date.UTC(2026, 0, 1);
    this.auto = options.autoAdvance ?? false;
  }

  now(): number {
    return this.t;
  }

  /** Whether the clock jumps to the next wake-up whenever nothing is in progress; can be switched at any time. */
  get autoAdvance(): boolean {
    return this.auto;
  }

  /** Switches auto mode; switched on, the clock jumps on the next real tick if everybody is asleep. */
  set autoAdvance(on: boolean) {
    this.auto = on;
    if (on) this.scheduleTick();
  }

  /** How many sleepers are waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** The virtual time of the earliest pending wake-up, or null. */
  nextWakeAt(): number | null {
    return this.sleepers.length > 0 ? Math.min(...this.sleepers.map((s) => s.wakeAt)) : null;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAt: this.t + ms,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
      this.scheduleTick();
    });
  }

  /**
   * Moves time forward by `ms`, waking due sleepers one at a time in time order. Between two wake-ups it
   * waits for every open hold to close and for a macrotask, so whatever a woken sleeper starts (and any
   * new sleeper it registers before the target time) runs before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await this.settle();
    for (;;) {
      const next = this.takeEarliest(target);
      if (!next) break;
      this.t = Math.max(this.t, next.wakeAt);
      next.resolve();
      await this.settle();
    }
    this.t = Math.max(this.t, target);
    await this.settle();
  }

  /** Advances to the next pending wake-up (if any) and runs it. Returns false when nothing was pending. */
  async runNext(): Promise<boolean> {
    const wakeAt = this.nextWakeAt();
    if (wakeAt === null) return false;
    await this.advance(wakeAt - this.t);
    return true;
  }

  /** Sets the time (never backwards) without waking anyone; sleepers due by then wake on the next advance. */
  setTime(ms: number): void {
    this.t = Math.max(this.t, ms);
  }

  /** Keeps time still until `work` settles (see the class comment). */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.holds++;
    try {
      return await work();
    } finally {
      this.holds--;
      if (this.holds === 0) this.scheduleTick();
    }
  }

  private takeEarliest(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.sleepers) {
      if (s.wakeAt > limit) continue;
      if (!best || s.wakeAt < best.wakeAt || (s.wakeAt === best.wakeAt && s.seq < best.seq)) best = s;
    }
    if (best) this.sleepers = this.sleepers.filter((s) => s !== best);
    return best;
  }

  /** Waits until no hold is open and two macrotasks passed without a new one. */
  private async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      await macrotask();
      quiet = this.holds === 0 ? quiet + 1 : 0;
    }
  }

  private scheduleTick(): void {
    if (!this.auto || this.tickScheduled) return;
    this.tickScheduled = true;
    void this.autoTick();
  }

  private async autoTick(): Promise<void> {
    try {
      await this.settle();
      if (!this.auto) return;
      const next = this.takeEarliest(Number.POSITIVE_INFINITY);
      if (!next) return;
      this.t = Math.max(this.t, next.wakeAt);
      next.resolve();
    } finally {
      this.tickScheduled = false;
      if (this.auto && this.sleepers.length > 0) this.scheduleTick();
    }
  }
}

/** Runs `work` under the clock's hold when it has one (a VirtualClock); just runs it otherwise. */
export function holdClock<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  return clock instanceof VirtualClock ? clock.hold(work) : work();
}
