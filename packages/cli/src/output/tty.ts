import cliProgress from "cli-progress";
import type { Writer } from "../io.js";
import { jobState, progressDetails } from "./format.js";
import type { JobProgress, ProgressOutput } from "./progress.js";

/** The subset of a Node stream that cli-progress and `readline.cursorTo` use. */
function streamOf(out: Writer): NodeJS.WritableStream {
  const stream = {
    write(chunk: string | Uint8Array): boolean {
      out.write(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      return true;
    },
    get isTTY() {
      return true;
    },
    get columns() {
      return out.columns ?? 80;
    },
  };
  return stream as unknown as NodeJS.WritableStream;
}

function joinDetails(parts: string[]): string {
  return parts.length > 0 ? `· ${parts.join(" · ")}` : "";
}

/** One cli-progress bar per job: finished/n, state, queue position, ETA from `wait_time`, kudos. */
export class TtyProgress implements ProgressOutput {
  private readonly bars: cliProgress.MultiBar;
  private stopped = false;

  constructor(private readonly out: Writer) {
    this.bars = new cliProgress.MultiBar({
      stream: streamOf(out),
      format: "{job} {bar} {value}/{total} {state} {details}",
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      fps: 10,
      barCompleteChar: "█",
      barIncompleteChar: "░",
    });
  }

  startJob(total: number, label: string): JobProgress {
    const bar = this.bars.create(total, 0, {
      job: "........",
      state: "submitting",
      details: joinDetails([label]),
    });
    return {
      submitted(id) {
        bar.update({ job: id.slice(0, 8), state: "submitted" });
      },
      update(event) {
        const { check } = event;
        bar.update(Math.min(check.finished ?? 0, total), {
          job: event.id.slice(0, 8),
          state: jobState(check),
          details: joinDetails(progressDetails(check)),
        });
      },
      finished(id, kudos) {
        bar.update(total, {
          job: id.slice(0, 8),
          state: "finished",
          details: joinDetails(kudos !== undefined ? [`${kudos} kudos`] : []),
        });
      },
      failed(reason) {
        bar.update({ state: reason, details: "" });
      },
    };
  }

  log(line: string): void {
    if (this.stopped) {
      this.out.write(`${line}\n`);
      return;
    }
    // Printed above the bars at the next redraw; redraw now so the line shows even if we stop right after.
    this.bars.log(`${line}\n`);
    this.bars.update();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bars.stop();
  }
}
