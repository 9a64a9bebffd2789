/** Shapes of the progress the SDK reports, and how the CLI words them. */

/**
 * The progress fields of `GET /v2/generate/check/{id}` (`ImageGenerateCheckResponse`), as the CLI reads
 * them. Every field is optional so any well-formed check (or a partial one) can be rendered.
 */
export interface ProgressCheck {
  finished?: number | null | undefined;
  processing?: number | null | undefined;
  restarted?: number | null | undefined;
  waiting?: number | null | undefined;
  done?: boolean | null | undefined;
  faulted?: boolean | null | undefined;
  wait_time?: number | null | undefined;
  queue_position?: number | null | undefined;
  kudos?: number | null | undefined;
  is_possible?: boolean | null | undefined;
}

/** What `onProgress` receives after each poll. */
export interface ProgressEvent {
  id: string;
  check: ProgressCheck;
}

export type JobState = "submitting" | "waiting" | "processing" | "finished" | "faulted" | "impossible";

export function jobState(check: ProgressCheck): JobState {
  if (check.faulted) return "faulted";
  if (check.done) return "finished";
  if (check.is_possible === false && !(check.processing ?? 0)) return "impossible";
  if ((check.processing ?? 0) > 0) return "processing";
  return "waiting";
}

/** `7s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** `queue 3, eta 12s, 3 kudos` — the details after the state word, without the finished count. */
export function progressDetails(check: ProgressCheck): string[] {
  const parts: string[] = [];
  const state = jobState(check);
  const queue = check.queue_position ?? 0;
  const processing = check.processing ?? 0;
  const waiting = check.waiting ?? 0;
  const restarted = check.restarted ?? 0;
  if (queue > 0 && waiting > 0) parts.push(`queue ${queue}`);
  if (processing > 0 && state !== "processing") parts.push(`${processing} processing`);
  if (waiting > 0 && state === "processing") parts.push(`${waiting} waiting`);
  if (state === "waiting" || state === "processing")
    parts.push(`eta ${formatDuration(check.wait_time ?? 0)}`);
  if (restarted > 0) parts.push(`${restarted} restarted`);
  if (check.kudos !== undefined && check.kudos !== null) parts.push(`${check.kudos} kudos`);
  return parts;
}

/** One plain progress line: `job <id>: waiting — queue 3, eta 12s, 0/2 finished, 3 kudos`. */
export function plainProgressLine(event: ProgressEvent, total: number): string {
  const { check } = event;
  const state = jobState(check);
  const details = progressDetails(check);
  const finished = `${check.finished ?? 0}/${total} finished`;
  const kudosIndex = details.findIndex((d) => d.endsWith(" kudos"));
  if (kudosIndex >= 0) details.splice(kudosIndex, 0, finished);
  else details.push(finished);
  return `job ${event.id}: ${state} — ${details.join(", ")}`;
}

/** What changes in a plain line except the countdown, so plain output prints on change only. */
export function progressKey(check: ProgressCheck): string {
  return [
    jobState(check),
    check.queue_position ?? 0,
    check.waiting ?? 0,
    check.processing ?? 0,
    check.finished ?? 0,
    check.restarted ?? 0,
    check.kudos ?? "",
  ].join("|");
}
