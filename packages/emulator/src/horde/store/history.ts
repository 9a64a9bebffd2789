/**
 * Delivered generations over time, for `/v2/stats/*` (docs/server/directory.md#directory) and the "past
 * minute" figures of
 * `/v2/status/performance`. The last hour is kept delivery by delivery; older deliveries are folded into
 * one tally per hour (so memory does not grow with traffic), and tallies older than a month are dropped
 * (the all-time totals keep them). DEVIATION(docs/server/deviations.md#records-kept-for-the-admin-views).
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

/** One hour of older deliveries of one kind, starting at `at`. */
interface HourTally extends Totals {
  at: number;
  kind: "image" | "text";
}

export class History {
  private recent: Delivery[] = [];
  private hours: HourTally[] = [];
  private totals: Record<"image" | "text", Totals> = { image: emptyTotals(), text: emptyTotals() };

  reset(): void {
    this.recent = [];
    this.hours = [];
    this.totals = { image: emptyTotals(), text: emptyTotals() };
  }

  /** Deliveries kept one by one, plus hourly tallies (a measure of the memory it holds). */
  get size(): number {
    return this.recent.length + this.hours.length;
  }

  record(d: Delivery): void {
    this.recent.push(d);
    const t = this.totals[d.kind];
    t.count++;
    t.amount += d.amount;
    t.byModel.set(d.model, (t.byModel.get(d.model) ?? 0) + 1);
  }

  /** Folds deliveries older than an hour into hourly tallies and drops tallies older than a month. */
  prune(now: number): void {
    let i = 0;
    for (; i < this.recent.length; i++) {
      const d = this.recent[i] as Delivery;
      if (d.at > now - PERIOD_MS.hour) break;
      const at = d.at - (d.at % PERIOD_MS.hour);
      // Deliveries come in time order: this hour's tallies (one per kind) are the last ones.
      let tally: HourTally | undefined;
      for (let j = this.hours.length - 1; j >= 0 && (this.hours[j] as HourTally).at === at; j--) {
        if ((this.hours[j] as HourTally).kind === d.kind) tally = this.hours[j];
      }
      if (!tally) {
        tally = { at, kind: d.kind, ...emptyTotals() };
        this.hours.push(tally);
      }
      tally.count++;
      tally.amount += d.amount;
      tally.byModel.set(d.model, (tally.byModel.get(d.model) ?? 0) + 1);
    }
    if (i > 0) this.recent.splice(0, i);
    let old = 0;
    while (
      old < this.hours.length &&
      (this.hours[old] as HourTally).at + PERIOD_MS.hour <= now - PERIOD_MS.month
    )
      old++;
    if (old > 0) this.hours.splice(0, old);
  }

  /**
   * Count and summed amount of the kind's deliveries in the period ending at `now`. The minute and the hour
   * are exact; a day or a month counts whole hours at its far edge.
   */
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
    for (const h of this.hours) {
      if (h.kind !== kind || h.at + PERIOD_MS.hour <= since) continue;
      count += h.count;
      amount += h.amount;
    }
    return { count, amount };
  }

  /** Deliveries per model in the period (whole hours at the far edge of a day or a month). */
  modelsFor(kind: "image" | "text", period: "day" | "month" | "total", now: number): Record<string, number> {
    if (period === "total") return Object.fromEntries(this.totals[kind].byModel);
    this.prune(now);
    const since = now - PERIOD_MS[period];
    const out: Record<string, number> = {};
    for (const d of this.recent) {
      if (d.kind === kind && d.at > since) out[d.model] = (out[d.model] ?? 0) + 1;
    }
    for (const h of this.hours) {
      if (h.kind !== kind || h.at + PERIOD_MS.hour <= since) continue;
      for (const [model, n] of h.byModel) out[model] = (out[model] ?? 0) + n;
    }
    return out;
  }
}
