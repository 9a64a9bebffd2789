// Formatting for people: durations, numbers, ids.

/** "850 ms", "4.2 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

export function num(value: number): string {
  return numberFormat.format(value);
}

/** The first block of a UUID: enough to tell requests apart on screen. */
export function shortId(id: string): string {
  return id.split("-")[0] ?? id;
}

export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString("en-GB", { hour12: false });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
