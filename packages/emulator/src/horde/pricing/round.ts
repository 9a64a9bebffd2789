/** Kudos are shown and stored with 2 decimals, as the server rounds them. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Python's `round(x)`: to the nearest integer, halves to the even one (the server's answers use it). */
export function pyRound(x: number): number {
  if (Math.abs(x % 1) === 0.5) return 2 * Math.round(x / 2);
  return Math.round(x);
}
