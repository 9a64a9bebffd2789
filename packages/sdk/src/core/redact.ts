/** Field names that carry secrets anywhere in a payload; matched case-insensitively, at any depth. */
export const DEFAULT_SENSITIVE_FIELDS: ReadonlySet<string> = new Set(["apikey"]);

export const REDACTED = "[redacted]";

/**
 * A deep copy of `value` with every key in `sensitive` removed (at any depth) and every top-level key in
 * `exclude` dropped. Used for log lines and dumps: a secret must not survive a nested payload either.
 */
export function redactDeep(
  value: unknown,
  sensitive: ReadonlySet<string>,
  exclude: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const lowered = new Set([...sensitive].map((s) => s.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (lowered.has(k.toLowerCase())) continue;
        out[k] = walk(child);
      }
      return out;
    }
    return v;
  };
  const top = walk(value) as Record<string, unknown>;
  for (const key of exclude) delete top[key];
  return top;
}

/** `abc…xyz`-style mask for showing which key is configured without showing the key. */
export function maskSecret(secret: string): string {
  if (secret.length <= 4) return "*".repeat(secret.length);
  return `${secret.slice(0, 2)}${"*".repeat(Math.min(secret.length - 4, 12))}${secret.slice(-2)}`;
}

/**
 * FNV-1a of a secret: enough to tell keys apart (rate-limit buckets, which account stored a job), useless for
 * recovering the key.
 */
export function fingerprint(secret: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) {
    hash ^= secret.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}
