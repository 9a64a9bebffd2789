/**
 * Where the emulator deliberately answers differently from the real server, and why — the one place.
 * A difference found by the differential suite is accepted only when an entry here matches it; FIDELITY.md
 * lists every entry with the steps it explained.
 */
import { readFileSync } from "node:fs";

export interface Deviation {
  id: string;
  /** Matched against the comparison's text (e.g. `status 202 vs 400`, `wait_time: …`). */
  diff: RegExp;
  /** Limit to routes (`"GET /v2/…"` templates) or scenarios; absent = everywhere. */
  routes?: string[];
  scenarios?: RegExp;
  reason: string;
}

export const DEVIATIONS: Deviation[] = [
  {
    id: "server-crash-leftovers",
    diff: /^(value active_generations\.image\.length: 1 vs 2|active_generations\.text: missing in the emulator)$/,
    routes: ["GET /v2/find_user"],
    scenarios: /^shared keys/,
    reason:
      "Over a shared key's per-job limit without a style, the server stores the request and then fails (500) before it queues it; the half-made request stays in the user's active_generations. The emulator fails the same way but keeps nothing a client could never use (docs/server/deviations.md#server-crash-leftovers).",
  },
];

/** Operations the emulator answers with 501 on purpose, by group, with the reason (not-emulated.json). */
export interface NotEmulated {
  name: string;
  operations: string[];
  reason: string;
}

export const NOT_EMULATED: NotEmulated[] = JSON.parse(
  readFileSync(new URL("./not-emulated.json", import.meta.url), "utf8"),
).groups;

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
