/**
 * Decides, per request, which faults of the current plan fire, and counts what it injected (the
 * reliability tests compare these counts with what clients saw). Randomness comes from a seeded
 * mulberry32, so a plan with the same seed breaks the same requests every run.
 */
import { checkPlan, FAULT_KINDS, type FaultKind, type FaultPlan, type FaultRule } from "./plan.js";

/** One injected fault: when, on which request, of which kind and by which rule. */
export interface FaultEvent {
  seq: number;
  /** Emulator-clock time of the decision. */
  at: number;
  method: string;
  path: string;
  /** The operation's path template when known (e.g. `/v2/generate/check/{id}`), else the path. */
  route: string;
  kind: FaultKind;
  /** Index of the rule in the plan. */
  rule: number;
}

/** What was injected so far (`faults.counts()`). */
export interface FaultCounts {
  total: number;
  byKind: Record<FaultKind, number>;
  /** `"METHOD /route"` → kind → count. */
  byRoute: Record<string, Partial<Record<FaultKind, number>>>;
  /** Per rule of the current plan: requests it matched and times it fired. */
  rules: { matched: number; fired: number }[];
  /** The latest events (at most 1000). */
  events: FaultEvent[];
}

export interface FaultDecision {
  /** Total latency to add before handling. */
  latencyMs: number;
  /** The outcome rule (not latency), if one fired. */
  outcome: FaultRule | null;
}

const MAX_EVENTS = 1000;
const MAINTENANCE_DEFAULT = /^\/v2\/(generate\/async|generate\/text\/async|interrogate\/async)$/;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A route pattern (`{param}` and `*` match one segment; a trailing `/*` matches the rest) as a RegExp. */
function routeRegExp(route: string): RegExp {
  const rest = route.endsWith("/*");
  const head = rest ? route.slice(0, -2) : route;
  const source = head
    .replace(/[.+?^$()|[\]\\]/g, "\\$&")
    .replace(/\{\w+\}/g, "[^/]+")
    .replace(/\*/g, "[^/]+");
  return new RegExp(`^${source}${rest ? "(?:/.*)?" : ""}$`);
}

const emptyByKind = (): Record<FaultKind, number> =>
  Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

export class FaultInjector {
  private plan: FaultPlan = { rules: [] };
  private patterns: (RegExp | null)[] = [];
  private random: () => number = mulberry32(1);
  private state: { matched: number; fired: number }[] = [];
  private totals = { total: 0, byKind: emptyByKind(), byRoute: {} as FaultCounts["byRoute"] };
  private events: FaultEvent[] = [];
  private seq = 0;

  /** Replaces the plan (throws on an invalid one); re-seeds the PRNG and restarts the per-rule counters. */
  set(plan: FaultPlan): void {
    const problem = checkPlan(plan);
    if (problem) throw new TypeError(`invalid fault plan: ${problem}`);
    this.plan = { seed: plan.seed, rules: plan.rules.map((r) => ({ ...r })) };
    this.patterns = this.plan.rules.map((r) => (r.route ? routeRegExp(r.route) : null));
    this.random = mulberry32(plan.seed ?? 1);
    this.state = this.plan.rules.map(() => ({ matched: 0, fired: 0 }));
  }

  /** Removes the plan; counts are kept. */
  clear(): void {
    this.set({ rules: [] });
  }

  current(): FaultPlan {
    return {
      ...(this.plan.seed !== undefined ? { seed: this.plan.seed } : {}),
      rules: this.plan.rules.map((r) => ({ ...r })),
    };
  }

  get active(): boolean {
    return this.plan.rules.length > 0;
  }

  counts(): FaultCounts {
    return {
      total: this.totals.total,
      byKind: { ...this.totals.byKind },
      byRoute: JSON.parse(JSON.stringify(this.totals.byRoute)),
      rules: this.state.map((s) => ({ ...s })),
      events: [...this.events],
    };
  }

  resetCounts(): void {
    this.totals = { total: 0, byKind: emptyByKind(), byRoute: {} };
    this.events = [];
    for (const s of this.state) {
      s.matched = 0;
      s.fired = 0;
    }
  }

  /**
   * `path` is relative to `/api` for API requests (`/v2/…`) and absolute for the bucket (`/_r2/…`);
   * `route` names the operation for the counts.
   */
  decide(method: string, path: string, route: string, now: number): FaultDecision | null {
    if (this.plan.rules.length === 0) return null;
    let latencyMs = 0;
    let outcome: FaultRule | null = null;
    for (const [i, rule] of this.plan.rules.entries()) {
      if (outcome && rule.kind !== "latency") continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      const pattern = this.patterns[i] ?? null;
      if (pattern ? !pattern.test(path) : !defaultScope(rule.kind, path)) continue;
      const s = this.state[i] as { matched: number; fired: number };
      s.matched++;
      if (s.matched <= (rule.skip ?? 0)) continue;
      if (rule.count !== undefined && s.fired >= rule.count) continue;
      const p = rule.probability ?? 1;
      if (p < 1 && this.random() >= p) continue;
      s.fired++;
      this.record(method, path, route, rule.kind, i, now);
      if (rule.kind === "latency") latencyMs += this.latencyOf(rule);
      else outcome = rule;
    }
    return latencyMs > 0 || outcome ? { latencyMs, outcome } : null;
  }

  private latencyOf(rule: FaultRule): number {
    const l = rule.latencyMs ?? 0;
    if (typeof l === "number") return l;
    return Math.round(l[0] + (l[1] - l[0]) * this.random());
  }

  private record(
    method: string,
    path: string,
    route: string,
    kind: FaultKind,
    rule: number,
    at: number,
  ): void {
    this.totals.total++;
    this.totals.byKind[kind]++;
    const key = `${method} ${route}`;
    const perRoute = this.totals.byRoute[key] ?? {};
    this.totals.byRoute[key] = perRoute;
    perRoute[kind] = (perRoute[kind] ?? 0) + 1;
    this.events.push({ seq: ++this.seq, at, method, path, route, kind, rule });
    if (this.events.length > MAX_EVENTS) this.events.shift();
  }
}

/** Without a route, rules apply to every API request (`maintenance` only to the three async routes). */
function defaultScope(kind: FaultKind, path: string): boolean {
  if (!path.startsWith("/v2/")) return false;
  return kind === "maintenance" ? MAINTENANCE_DEFAULT.test(path) : true;
}
