/**
 * The rate limits of every operation (docs/server/rate-limits.md#per-route-limits), read from the SDK's
 * generated operation table (the
 * contract's `x-rate-limit`), so the emulator and the SDK cannot disagree about them. Operations with
 * no declared limit get the limiter's default (`90 per minute`, per IP and route,
 * docs/server/rate-limits.md#mechanics); the heartbeat
 * is exempt.
 */
import * as sdk from "horde-sdk";

export type LimitKey = "ip" | "ip+method+path" | "apikey+method+path";

export interface LimitRule {
  /** What flask-limiter prints: "2 per 1 second". */
  text: string;
  count: number;
  windowMs: number;
  key: LimitKey;
  /** The dynamic variants (docs/server/rate-limits.md#mechanics): for whitelisted IPs, and for the anonymous key on per-key limits. */
  whitelistedCount?: number;
  anonymousCount?: number;
}

export interface RouteLimits {
  operationId: string;
  method: string;
  /** The path template: the limiter's scope (one Flask endpoint per resource, all its methods). */
  resource: string;
  pattern: RegExp;
  rules: LimitRule[];
  exempt: boolean;
  /** The server's response cache on this operation (`@cache.cached`, docs/server/directory.md#response-caches). */
  cache?: { timeoutMs: number; queryString: boolean };
}

function rule(text: string, key: LimitKey, whitelisted?: string, anonymous?: string): LimitRule {
  const { count, multiple, unit, windowMs } = sdk.parseRateLimit(text);
  return {
    text: `${count} per ${multiple} ${unit}`,
    count,
    windowMs,
    key,
    ...(whitelisted ? { whitelistedCount: sdk.parseRateLimit(whitelisted).count } : {}),
    ...(anonymous ? { anonymousCount: sdk.parseRateLimit(anonymous).count } : {}),
  };
}

function keyOf(contractKey: string): LimitKey {
  if (contractKey.startsWith("apikey")) return "apikey+method+path";
  return contractKey.includes("path") ? "ip+method+path" : "ip";
}

interface DeclaredLimit {
  limit: string;
  key: string;
  limit_dynamic_whitelisted_ip?: string;
  limit_anonymous_apikey?: string;
}

/** `defaultRateLimit` is read defensively: older builds of the SDK do not export it. */
function defaultLimits(): string[] {
  const exported = (sdk as Record<string, unknown>).defaultRateLimit as
    | { limits?: readonly string[] }
    | undefined;
  return exported?.limits ? [...exported.limits] : ["90 per minute"];
}

export function buildRouteLimits(): RouteLimits[] {
  const defaults = defaultLimits().map((l) => rule(l, "ip"));
  const table: RouteLimits[] = [];
  for (const op of Object.values(sdk.operations)) {
    const declared = op.rateLimits as readonly DeclaredLimit[];
    const rules = declared.length
      ? declared.map((d) =>
          rule(d.limit, keyOf(d.key), d.limit_dynamic_whitelisted_ip, d.limit_anonymous_apikey),
        )
      : defaults;
    const source = op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{\w+\\?\}|\{\w+\}/g, "[^/]+");
    table.push({
      operationId: op.operationId,
      method: op.method,
      resource: op.path,
      pattern: new RegExp(`^${source}$`),
      rules: op.rateLimitExempt ? [] : rules,
      exempt: op.rateLimitExempt,
      ...(op.cache
        ? {
            cache: {
              timeoutMs: op.cache.timeout_seconds * 1000,
              queryString: op.cache.varies_by_query_string,
            },
          }
        : {}),
    });
  }
  // The API document is served outside the contract's operations, under the default limits.
  table.push({
    operationId: "specs",
    method: "GET",
    resource: "/swagger.json",
    pattern: /^\/swagger\.json$/,
    rules: [...defaults],
    exempt: false,
  });
  // flask-limiter evaluates a route's limits shortest window first (a stable sort of the declared order).
  for (const route of table) route.rules.sort((a, b) => a.windowMs - b.windowMs);
  // Literal paths before templated ones, so /v2/workers/messages never matches /v2/workers/{id}.
  const holes = (r: RouteLimits) => (r.resource.match(/\{/g) ?? []).length;
  return table.sort((a, b) => holes(a) - holes(b));
}
