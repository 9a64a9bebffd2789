/**
 * Where the emulator deliberately answers differently from the real server, and why — the one place.
 * A difference found by the differential suite is accepted only when an entry here matches it; FIDELITY.md
 * lists every entry with the steps it explained.
 */
export interface Deviation {
  id: string;
  /** Matched against the comparison's text (e.g. `status 202 vs 400`, `wait_time: …`). */
  diff: RegExp;
  /** Limit to routes (`"GET /v2/…"` templates) or scenarios; absent = everywhere. */
  routes?: string[];
  scenarios?: RegExp;
  reason: string;
}

export const DEVIATIONS: Deviation[] = [];

export function explain(
  scenario: string,
  _label: string,
  route: string,
  diff: string,
): Deviation | undefined {
  return DEVIATIONS.find(
    (d) =>
      d.diff.test(diff) &&
      (d.routes === undefined || d.routes.includes(route)) &&
      (d.scenarios === undefined || d.scenarios.test(scenario)),
  );
}
