/**
 * Fault plans: what to break, where, and how often. A plan is a seeded list of rules; each request that
 * reaches the emulator is matched against them in order. Latency rules add up; the first other rule that
 * fires decides the outcome.
 */
export type FaultKind =
  /** An application 5xx: JSON `{"message": …}` with the status (default 500). The request is not processed. */
  | "error"
  /** A proxy's HTML error page (default an nginx 502), without CORS headers. Not processed. */
  | "html"
  /** The connection drops before an answer; the request is not processed. */
  | "reset"
  /** Sleep on the emulator clock before handling (outside any clock hold). */
  | "latency"
  /** The request is processed, but the body comes back cut in half (not valid JSON). */
  | "malformed"
  /** A 429 `{"message": "2 per 1 second"}` with rate-limit headers (a "429 storm"). Not processed. */
  | "rate-limit"
  /** The horde is in maintenance for this request: the async routes answer 400 MaintenanceMode (docs/server/errors.md#return-codes). */
  | "maintenance"
  /** The request IS processed (a job is created, a result stored), then the connection drops. */
  | "lost-response";

/** Every kind of fault a rule may inject. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "error",
  "html",
  "reset",
  "latency",
  "malformed",
  "rate-limit",
  "maintenance",
  "lost-response",
];

/** One rule of a fault plan: what to inject, on which requests, how often. */
export interface FaultRule {
  kind: FaultKind;
  /**
   * Which requests: an API path relative to `/api` with `{param}` or `*` segments (`/v2/generate/check/{id}`,
   * `/v2/generate/*`), or `/_r2/*` for the local bucket. Default: every API route (for `maintenance`: the
   * three async routes). Admin routes (`/_emulator`) are never faulted.
   */
  route?: string;
  /** Only this HTTP method (default any). */
  method?: string;
  /** Chance per matching request, drawn from the plan's seeded PRNG (default 1: always). */
  probability?: number;
  /** Let this many matching requests through before the rule may fire (default 0). */
  skip?: number;
  /** Fire at most this many times (default: no limit). */
  count?: number;
  /** `error`: the status (default 500); `html`: default 502. */
  status?: number;
  /** `latency`: milliseconds, or a `[min, max]` range drawn from the PRNG. */
  latencyMs?: number | [number, number];
  /** `rate-limit`: the `Retry-After` seconds (default 1) and the message (default "2 per 1 second"). */
  retryAfterS?: number;
  message?: string;
}

/** What to break: rules matched in order against every request, with a seed so a run can be repeated. */
export interface FaultPlan {
  /** Seed of the PRNG behind `probability` and latency ranges (default 1): the same seed, the same run. */
  seed?: number;
  rules: FaultRule[];
}

/** Checks a plan (it may come over HTTP) and returns an error message, or null when it is fine. */
export function checkPlan(plan: unknown): string | null {
  if (plan === null || typeof plan !== "object") return "a fault plan is an object {seed?, rules: []}";
  const p = plan as Record<string, unknown>;
  if (p.seed !== undefined && (typeof p.seed !== "number" || !Number.isFinite(p.seed)))
    return "'seed' must be a number";
  if (!Array.isArray(p.rules)) return "'rules' must be an array";
  for (const [i, r] of p.rules.entries()) {
    if (r === null || typeof r !== "object") return `rules[${i}] must be an object`;
    const rule = r as Record<string, unknown>;
    if (!FAULT_KINDS.includes(rule.kind as FaultKind))
      return `rules[${i}].kind must be one of ${FAULT_KINDS.join(", ")}`;
    if (rule.route !== undefined && (typeof rule.route !== "string" || !rule.route.startsWith("/")))
      return `rules[${i}].route must be a path starting with /`;
    if (rule.method !== undefined && typeof rule.method !== "string")
      return `rules[${i}].method must be a string`;
    const p01 = rule.probability;
    if (p01 !== undefined && (typeof p01 !== "number" || !(p01 >= 0 && p01 <= 1)))
      return `rules[${i}].probability must be between 0 and 1`;
    for (const k of ["skip", "count", "retryAfterS"]) {
      const v = rule[k];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0))
        return `rules[${i}].${k} must be an integer ≥ 0`;
    }
    const status = rule.status;
    if (
      status !== undefined &&
      (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599)
    )
      return `rules[${i}].status must be an HTTP error status`;
    const lat = rule.latencyMs;
    const okNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
    if (
      lat !== undefined &&
      !okNumber(lat) &&
      !(Array.isArray(lat) && lat.length === 2 && okNumber(lat[0]) && okNumber(lat[1]) && lat[0] <= lat[1])
    )
      return `rules[${i}].latencyMs must be a number or [min, max]`;
    if (rule.kind === "latency" && lat === undefined) return `rules[${i}] (latency) needs latencyMs`;
    if (rule.message !== undefined && typeof rule.message !== "string")
      return `rules[${i}].message must be a string`;
  }
  return null;
}
