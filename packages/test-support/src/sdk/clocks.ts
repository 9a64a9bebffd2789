import type { Clock } from "horde-sdk";

/** A clock whose sleeps return at once but are recorded (and move `now` on). */
export function instantClock(start = 1_700_000_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** A clock that stands still and never waits. */
export const frozenClock: Clock = { now: () => 1_700_000_000_000, sleep: async () => {} };
