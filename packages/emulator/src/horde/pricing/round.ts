/** Kudos are shown and stored with 2 decimals, as the server rounds them. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
