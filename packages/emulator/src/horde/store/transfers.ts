/**
 * What the horde remembers about kudos transfers (docs/server/directory.md#kudos-transfer): who sent to
 * whom in the last minute (the receiver may not send back within it), and the idempotency keys senders
 * used, so a retried transfer is applied once.
 */

/** A transfer blocks the way back for this long. */
const RECENT_MS = 60_000;

export interface RememberedTransfer {
  destId: number;
  amount: number;
}

export class KudosTransfers {
  private recent = new Map<string, number>();
  private byIdempotencyKey = new Map<string, RememberedTransfer>();

  reset(): void {
    this.recent.clear();
    this.byIdempotencyKey.clear();
  }

  /** Whether `fromId` sent kudos to `toId` within the last minute. */
  sentRecently(fromId: number, toId: number, now: number): boolean {
    return (this.recent.get(`${fromId}-${toId}`) ?? 0) > now;
  }

  record(fromId: number, toId: number, now: number, idempotencyKey: string | null, amount: number): void {
    this.recent.set(`${fromId}-${toId}`, now + RECENT_MS);
    if (idempotencyKey !== null)
      this.byIdempotencyKey.set(`${fromId}:${idempotencyKey}`, { destId: toId, amount });
  }

  /** The transfer a sender already made with this key, if any. */
  byKey(fromId: number, idempotencyKey: string): RememberedTransfer | undefined {
    return this.byIdempotencyKey.get(`${fromId}:${idempotencyKey}`);
  }
}
