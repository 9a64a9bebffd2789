// The client's read cache (opt-in): a dashboard polling the models or the workers list would otherwise spend
// the server's default limit (90/minute per route, docs/server/rate-limits.md#mechanics) on answers that
// change slowly (the server rebuilds its model counts from a snapshot, docs/server/directory.md#models). Identical GETs in flight share one request
// whether or not their endpoint has a TTL. Answers are frozen models, so sharing them is safe.
import type { Clock } from "../core/clock.js";

/** Seconds-scale TTLs by path template; an endpoint not listed is only de-duplicated while in flight. */
export const DEFAULT_READ_TTL_MS: Readonly<Record<string, number>> = {
  "/v2/status/models": 60_000,
  "/v2/status/models/{model_name}": 60_000,
  "/v2/workers": 60_000,
  "/v2/workers/{worker_id}": 60_000,
  "/v2/status/news": 600_000,
  "/v2/status/performance": 10_000,
  "/v2/status/modes": 60_000,
  "/v2/teams": 60_000,
  "/v2/styles/image": 60_000,
  "/v2/styles/text": 60_000,
};

/** The client option `readCache`: how long slowly-changing GET answers are reused, to spare the server's per-route limits. */
export interface ReadCacheOptions {
  /**
   * TTL in milliseconds per path template (`"/v2/workers"`), merged over DEFAULT_READ_TTL_MS; 0 turns caching
   * off for that endpoint (identical concurrent GETs still share one request).
   */
  ttlMs?: Record<string, number>;
  /** Most answers kept at once (default 500); the oldest go first. */
  maxEntries?: number;
}

interface Entry {
  /** Epoch ms on the client's clock until which a settled answer is served; Infinity while in flight. */
  until: number;
  value: Promise<unknown>;
}

export class ReadCache {
  readonly #clock: Clock;
  readonly #ttl: Record<string, number>;
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, options: ReadCacheOptions = {}) {
    this.#clock = clock;
    this.#ttl = { ...DEFAULT_READ_TTL_MS, ...options.ttlMs };
    this.#max = options.maxEntries ?? 500;
  }

  /** The answer for `key`: a fresh cached one, the one in flight, or `load()`'s (kept for its template's TTL). */
  get<T>(key: string, template: string, load: () => Promise<T>): Promise<T> {
    const now = this.#clock.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    this.#entries.delete(key);
    const ttl = this.#ttl[template] ?? 0;
    const entry: Entry = { until: Number.POSITIVE_INFINITY, value: load() };
    entry.value.then(
      () => {
        if (this.#entries.get(key) !== entry) return;
        if (ttl > 0) entry.until = this.#clock.now() + ttl;
        else this.#entries.delete(key);
      },
      () => {
        // A failure is never served again: the next call asks the server.
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    this.#entries.set(key, entry);
    this.#evict(now);
    return entry.value as Promise<T>;
  }

  /** Forget every cached answer (in-flight requests still resolve their callers). */
  clear(): void {
    this.#entries.clear();
  }

  #evict(now: number): void {
    if (this.#entries.size <= this.#max) return;
    for (const [key, entry] of this.#entries) {
      if (entry.until <= now) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(key);
    }
  }
}
