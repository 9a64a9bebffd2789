import type { Writer } from "../io.js";
import { type ProgressEvent, plainProgressLine, progressKey } from "./format.js";
import { TtyProgress } from "./tty.js";

/** The progress of one submitted job (one request of `n` images). */
export interface JobProgress {
  /** The server accepted the job. */
  submitted(id: string): void;
  /** Called after each poll. */
  update(event: ProgressEvent): void;
  /** The job is done and its images are downloaded. */
  finished(id: string, kudos: number | undefined): void;
  /** The job ended without results; `reason` is a short word or phrase. */
  failed(reason: string): void;
}

/** What a job produces, for plain lines: `2 images`, `1 text`, `3 forms`. */
export interface JobUnit {
  one: string;
  many: string;
  /** What happened to the results at the end: `downloaded`, `received`, `done`. */
  done: string;
}

export const IMAGES: JobUnit = { one: "image", many: "images", done: "downloaded" };
export const TEXTS: JobUnit = { one: "text", many: "texts", done: "received" };
export const FORMS: JobUnit = { one: "form", many: "forms", done: "done" };

/** Renders job progress: a live line per job on a terminal, plain lines elsewhere, or nothing. */
export interface ProgressOutput {
  /** A job of `total` results is being submitted; `label` describes it (`512x512, 30 steps`). */
  startJob(total: number, label: string, unit?: JobUnit): JobProgress;
  /** Prints a line without tearing the bars. */
  log(line: string): void;
  /** Stops rendering (restores the cursor). Safe to call twice. */
  stop(): void;
}

export type ProgressMode = "tty" | "plain" | "none";

export function createProgress(mode: ProgressMode, out: Writer): ProgressOutput {
  switch (mode) {
    case "tty":
      return new TtyProgress(out);
    case "plain":
      return new PlainProgress(out);
    case "none":
      return new SilentProgress();
  }
}

/** One line per change of state, for logs and pipes. The countdown alone does not print a line. */
export class PlainProgress implements ProgressOutput {
  constructor(private readonly out: Writer) {}

  startJob(total: number, label: string, unit: JobUnit = IMAGES): JobProgress {
    const out = this.out;
    let lastKey = "";
    return {
      submitted(id) {
        out.write(`job ${id}: submitted — ${total} ${total === 1 ? unit.one : unit.many}, ${label}\n`);
      },
      update(event) {
        const key = progressKey(event.check);
        if (key === lastKey) return;
        lastKey = key;
        out.write(`${plainProgressLine(event, total)}\n`);
      },
      finished(id, kudos) {
        const cost = kudos !== undefined ? `, ${kudos} kudos` : "";
        out.write(`job ${id}: done — ${total}/${total} ${unit.done}${cost}\n`);
      },
      // The error line that follows says it all; a progress line would only repeat it.
      failed() {},
    };
  }

  log(line: string): void {
    this.out.write(`${line}\n`);
  }

  stop(): void {}
}

export class SilentProgress implements ProgressOutput {
  startJob(): JobProgress {
    return { submitted() {}, update() {}, finished() {}, failed() {} };
  }
  log(): void {}
  stop(): void {}
}
