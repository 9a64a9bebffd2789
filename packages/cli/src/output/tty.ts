/**
 * The live display on a terminal: one line per job, redrawn every {@link FRAME_MS} so it never looks hung
 * while it waits for the next poll, which may be seconds away: a spinner, the elapsed time, the ETA counting down
 * from the server's last `wait_time`, and how long ago that update came. Lines are cut to the terminal's width
 * (in columns) so they never wrap: a wrapped line would throw the redraw off.
 */
import type { Writer } from "../io.js";
import { formatDuration, jobState, type ProgressCheck, progressDetails } from "./format.js";
import type { JobProgress, ProgressOutput } from "./progress.js";
import { truncateTo } from "./width.js";

/** How often the line is redrawn: the spinner turns at this pace, and the clocks tick every second. */
export const FRAME_MS = 100;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const BAR_CELLS = 10;

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";
const CURSOR_UP = "\x1b[1A";

/** What one job's line is made of; the JobProgress calls change it, every frame reads it. */
export interface JobView {
  /** Results expected (at least 1). */
  total: number;
  /** What was asked, shown while submitting: `512x512, 30 steps, on aihorde.net`. */
  label: string;
  /** When the submit started (ms). */
  startedAt: number;
  id?: string;
  /** The newest progress snapshot, and when it arrived (ms). */
  check?: ProgressCheck;
  checkedAt?: number;
  /** How the job ended: `finished`, or why not (`cancelled`, `timed out`, …). */
  ended?: { at: number; ok: boolean; outcome: string; kudos?: number | undefined };
}

const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));

/**
 * One job's line at `now`; `frame` turns the spinner. Between polls the ETA is the last `wait_time` minus the
 * seconds since it arrived (never below 0), so it counts down instead of freezing.
 */
export function jobLine(view: JobView, now: number, frame: number): string {
  const { ended, check, checkedAt } = view;
  const finished = ended?.ok ? view.total : Math.min(check?.finished ?? 0, view.total);
  const mark = ended ? (ended.ok ? "✓" : "✗") : SPINNER[frame % SPINNER.length];
  const filled = Math.round((finished / view.total) * BAR_CELLS);
  const bar = "█".repeat(filled) + "░".repeat(BAR_CELLS - filled);
  const elapsed = formatDuration(seconds(now - view.startedAt));
  let state: string;
  let details: string[];
  if (ended) {
    state = ended.outcome;
    const took = formatDuration(seconds(ended.at - view.startedAt));
    details = [
      ...(ended.kudos !== undefined ? [`${ended.kudos} kudos`] : []),
      `${ended.ok ? "took" : "after"} ${took}`,
    ];
  } else if (check && checkedAt !== undefined) {
    const age = seconds(now - checkedAt);
    const eta = Math.max(0, (check.wait_time ?? 0) - age);
    state = jobState(check);
    // What moves comes first, so an 80-column terminal still shows it when the rest is cut.
    details = [
      ...(state === "waiting" || state === "processing" ? [`eta ${formatDuration(eta)}`] : []),
      `elapsed ${elapsed}`,
      age === 0 ? "updated just now" : `updated ${formatDuration(age)} ago`,
      ...progressDetails(check).filter((part) => !part.startsWith("eta ")),
    ];
  } else if (view.id) {
    state = "submitted";
    details = [`elapsed ${elapsed}`, "waiting for the first update"];
  } else {
    state = "submitting";
    details = [view.label, `elapsed ${elapsed}`];
  }
  const id = view.id ? view.id.slice(0, 8) : "........";
  return `${mark} ${id} ${bar} ${finished}/${view.total} ${state} · ${details.join(" · ")}`;
}

/** The live lines of every job of this command, under the lines already printed. */
export class TtyProgress implements ProgressOutput {
  readonly #out: Writer;
  readonly #jobs: JobView[] = [];
  #frame = 0;
  /** Lines of the live region on the screen now; the cursor sits at the end of the last one. */
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(out: Writer) {
    this.#out = out;
  }

  startJob(total: number, label: string): JobProgress {
    const view: JobView = { total: Math.max(1, total), label, startedAt: Date.now() };
    this.#jobs.push(view);
    if (this.#timer === undefined && !this.#stopped) {
      this.#out.write(HIDE_CURSOR);
      this.#timer = setInterval(() => {
        this.#frame += 1;
        this.#draw();
      }, FRAME_MS);
      // A display must never keep the process alive; stop() ends it in any case.
      this.#timer.unref?.();
    }
    this.#draw();
    const end = (ok: boolean, outcome: string, kudos?: number) => {
      view.ended = { at: Date.now(), ok, outcome, kudos };
      this.#draw();
    };
    return {
      submitted: (id) => {
        view.id = id;
        this.#draw();
      },
      update: (event) => {
        view.id = event.id;
        view.check = event.check;
        view.checkedAt = Date.now();
        this.#draw();
      },
      finished: (id, kudos) => {
        view.id = id;
        end(true, "finished", kudos);
      },
      failed: (reason) => end(false, reason),
    };
  }

  log(line: string): void {
    if (this.#stopped) {
      this.#out.write(`${line}\n`);
      return;
    }
    // The line takes the live region's place; the region is drawn again below it.
    this.#out.write(`${this.#erase()}${line}\n`);
    this.#drawn = 0;
    this.#draw();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#draw();
    this.#stopped = true;
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#out.write(`${this.#drawn > 0 ? "\n" : ""}${SHOW_CURSOR}`);
  }

  /** Moves to the start of the live region, clearing it. */
  #erase(): string {
    if (this.#drawn === 0) return "";
    return `\r${CLEAR_LINE}${`${CURSOR_UP}${CLEAR_LINE}`.repeat(this.#drawn - 1)}`;
  }

  #draw(): void {
    if (this.#stopped || this.#jobs.length === 0) return;
    // One column short of the edge: a line that fills the last column makes some terminals wrap.
    const width = Math.max(10, (this.#out.columns ?? 80) - 1);
    const now = Date.now();
    const lines = this.#jobs.map((view) => truncateTo(jobLine(view, now, this.#frame), width));
    this.#out.write(`${this.#erase()}${lines.join("\n")}`);
    this.#drawn = lines.length;
  }
}
