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
  /** Limit to routes (`"GET /v2/…"` templates), scenarios or step labels; absent = everywhere. */
  routes?: string[];
  scenarios?: RegExp;
  labels?: RegExp;
  reason: string;
}

const POPS = ["POST /v2/generate/pop", "POST /v2/generate/text/pop", "POST /v2/interrogate/pop"];

/** Operations the emulator answers with 501 on purpose, by group, with the reason (not-emulated.json). */
export interface NotEmulated {
  name: string;
  operations: string[];
  reason: string;
}

export const NOT_EMULATED: NotEmulated[] = JSON.parse(
  readFileSync(new URL("./not-emulated.json", import.meta.url), "utf8"),
).groups;

export const DEVIATIONS: Deviation[] = [
  {
    id: "text-dry-run-of-an-unknown-model",
    diff: /^(status 200 vs 500|message "undefined" vs "Internal Server Error"|message: missing in the emulator|kudos: only in the emulator|value kudos: \d+ vs undefined)$/,
    routes: ["POST /v2/generate/text/async"],
    scenarios: /^text: dry runs$/,
    reason:
      "The server's text dry run crashes (500) when the first model is not in its reference; the emulator " +
      "answers the estimate the server's code means to give (a 2.7B model), docs/server/deviations.md#text-dry-run-of-an-unknown-model.",
  },
  {
    id: "server-crash-leftovers",
    diff: /^(value active_generations\.image\.length: 1 vs 2|active_generations\.text: missing in the emulator)$/,
    routes: ["GET /v2/find_user"],
    scenarios: /^shared keys/,
    reason:
      "Over a shared key's per-job limit without a style, the server stores the request and then fails (500) before it queues it; the half-made request stays in the user's active_generations. The emulator fails the same way but keeps nothing a client could never use (docs/server/deviations.md#server-crash-leftovers).",
  },
  {
    id: "long-worker-names",
    diff: /^(status 400 vs 500|rc TooLongWorkerName vs undefined|message ".*too long.*" vs "Internal Server Error"|rc: only in the emulator)$/,
    routes: POPS,
    labels: /name too long/,
    reason:
      "A worker name over 100 characters makes the server's database refuse the insert, and the server answers " +
      "a bare 500; the emulator never answers 500 to bad input and refuses the name with the server's own " +
      "400 TooLongWorkerName (the one its worker rename gives) (docs/server/deviations.md#long-worker-names).",
  },
  {
    id: "partial-model-reference",
    diff: /.*/,
    routes: ["POST /v2/generate/pop"],
    labels: /unknown model/,
    reason:
      "The server downloads the whole image model reference at start and keeps only the names in it; the " +
      "emulator is offline and carries a sample of it, so it keeps the names a worker offers rather than refuse " +
      "real models it does not know (docs/server/deviations.md#partial-model-reference).",
  },
  {
    id: "nul-bytes-in-params",
    diff: /^(status 400 vs 500|rc NulByteInPayload vs undefined|message "Request payload may not contain NUL \(0x00\) bytes\." vs "Internal Server Error"|rc: only in the emulator)$/,
    routes: ["POST /v2/generate/async", "POST /v2/generate/text/async"],
    labels: /nul byte in params/,
    reason:
      "A NUL byte inside `params` reaches the server's JSON column and crashes the request with a bare 500; " +
      "the emulator gives it the 400 NulByteInPayload that every other NUL byte gets " +
      "(docs/server/deviations.md#nul-bytes-in-params).",
  },
];

export function explain(scenario: string, label: string, route: string, diff: string): Deviation | undefined {
  return DEVIATIONS.find(
    (d) =>
      d.diff.test(diff) &&
      (d.routes === undefined || d.routes.includes(route)) &&
      (d.scenarios === undefined || d.scenarios.test(scenario)) &&
      (d.labels === undefined || d.labels.test(label)),
  );
}
