/**
 * Delivered generations over time, for `/v2/stats/*` (docs/server/directory.md#directory) and the "past
 * minute" figures of
 * `/v2/status/performance`. Entries older than a month are folded into the totals.
 */
export interface Delivery {
  at: number;
  kind: "image" | "text";
  model: string;
  /** Pixel-steps for images, tokens for text. */
  amount: number;
}

export type Period = "minute" | "hour" | "day" | "month" | "total";

export const PERIOD_MS: Record<Exclude<Period, "total">, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30 * 86_400_000,
};

interface Totals {
  count: number;
  amount: number;
  byModel: Map<string, number>;
}

const emptyTotals = (): Totals => ({ count: 0, amount: 0, byModel: new Map() });

export class History {
  private recent: Delivery[] = [];
  private totals: Record<"image" | "text", Totals> = { image: emptyTotals(), text: emptyTotals() };

  reset(): void {
    this.recent = [];
    this.totals = { image: emptyTotals(), text: emptyTotals() };
  }

  record(d: Delivery): void {
    this.recent.push(d);
    const t = this.totals[d.kind];
    t.count++;
    t.amount += d.amount;
    t.byModel.set(d.model, (t.byModel.get(d.model) ?? 0) + 1);
  }

  private prune(now: number): void {
    const cutoff = now - PERIOD_MS.month;
    let i = 0;
    while (i < this.recent.length && (this.recent[i] as Delivery).at <= cutoff) i++;
    if (i > 0) this.recent.splice(0, i);
  }

  /** Count and summed amount of the kind's deliveries in the period ending at `now`. */
  totalsFor(kind: "image" | "text", period: Period, now: number): { count: number; amount: number } {
    if (period === "total") return { count: this.totals[kind].count, amount: this.totals[kind].amount };
    this.prune(now);
    const since = now - PERIOD_MS[period];
    let count = 0;
    let amount = 0;
    for (const d of this.recent) {
      if (d.kind !== kind || d.at <= since) continue;
      count++;
      amount += d.amount;
    }
    return { count, amount };
  }

  /** Deliveries per model in the period. */
  modelsFor(kind: "image" | "text", period: "day" | "month" | "total", now: number): Record<string, number> {
    if (period === "total") return Object.fromEntries(this.totals[kind].byModel);
    this.prune(now);
    const since = now - PERIOD_MS[period];
    const out: Record<string, number> = {};
    for (const d of this.recent) {
      if (d.kind === kind && d.at > since) out[d.model] = (out[d.model] ?? 0) + 1;
    }
    return out;
  }
}
