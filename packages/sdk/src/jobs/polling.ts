/** What the pacing looks at in a progress snapshot (image /check, text and alchemy /status). */
export interface PaceInput {
  wait_time?: number | null;
  done?: boolean | null;
}

/** How far apart a job's polls may be (the client option `pollPacing`); the pace in between follows `wait_time`. */
export interface PollPacing {
  /** The shortest gap between polls of one job (≥ 1000 ms: the server caches /check for 1 s). */
  minIntervalMs: number;
  /** The longest gap, however far the job is from done. */
  maxIntervalMs: number;
}

/**
 * Adaptive polling: far from done, wait a fraction of the server's own estimate (`wait_time`) so a long queue
 * costs few requests; close to done, poll at the minimum so completion is noticed quickly. The fraction is
 * below 1 because the estimate is rough and can shrink when workers free up; a finish earlier than
 * estimated is noticed at most a quarter of the estimate late (and never later than `maxIntervalMs`).
 */
export function nextPollDelay(snapshot: PaceInput | undefined, pacing: PollPacing): number {
  const remainingMs = Math.max(0, (snapshot?.wait_time ?? 0) * 1000);
  const delay = remainingMs <= 1.5 * pacing.minIntervalMs ? pacing.minIntervalMs : remainingMs * 0.75;
  return Math.round(Math.min(pacing.maxIntervalMs, Math.max(pacing.minIntervalMs, delay)));
}
