/**
 * The live display on a terminal never looks hung: between polls the ETA counts down, the elapsed time and the
 * age of the last update tick every second, and a spinner turns. The long test runs `horde generate` in-process
 * through the real SDK client against a fake horde whose job takes 60 s, on fake timers.
 */
import { readdir } from "node:fs/promises";
import { AIHordeAPIClient } from "horde-sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CliDeps } from "../src/context.js";
import { formatDuration } from "../src/output/format.js";
import { FRAME_MS, type JobView, jobLine, TtyProgress } from "../src/output/tty.js";
import { displayWidth } from "../src/output/width.js";
import { check, JOB_ID, run, tempDir, testIO } from "./helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

/** A snapshot 40 s from done, second in the queue. */
const waiting = (fields: Record<string, unknown> = {}) =>
  check({ wait_time: 40, queue_position: 2, kudos: 10, ...fields });

describe("jobLine: one job's line at a given moment", () => {
  const base: JobView = { total: 2, label: "512x512, 30 steps, on aihorde.net", startedAt: 0 };

  it("while submitting: the request and the elapsed time", () => {
    expect(jobLine(base, 3_400, 0)).toBe(
      "⠋ ........ ░░░░░░░░░░ 0/2 submitting · 512x512, 30 steps, on aihorde.net · elapsed 3s",
    );
  });

  it("between polls the ETA counts down from the last wait_time, and the update ages", () => {
    const view: JobView = { ...base, id: JOB_ID, check: waiting(), checkedAt: 10_000 };
    expect(jobLine(view, 10_000, 1)).toBe(
      "⠙ 0b7e3c1a ░░░░░░░░░░ 0/2 waiting · eta 40s · elapsed 10s · updated just now · queue 2 · 10 kudos",
    );
    expect(jobLine(view, 13_999, 2)).toBe(
      "⠹ 0b7e3c1a ░░░░░░░░░░ 0/2 waiting · eta 37s · elapsed 13s · updated 3s ago · queue 2 · 10 kudos",
    );
    // An estimate that has run out stays at 0 while the job keeps going.
    expect(jobLine(view, 75_000, 3)).toContain("eta 0s · elapsed 1m15s · updated 1m05s ago · queue 2");
  });

  it("fills the bar with finished results and names the state", () => {
    const view: JobView = {
      ...base,
      id: JOB_ID,
      check: waiting({ finished: 1, processing: 1, waiting: 0, queue_position: 0, wait_time: 4 }),
      checkedAt: 5_000,
    };
    expect(jobLine(view, 5_000, 0)).toMatch(/^⠋ 0b7e3c1a █{5}░{5} 1\/2 processing · eta 4s · elapsed 5s · /);
  });

  it("at the end: a mark instead of the spinner, and how long it took", () => {
    const done: JobView = {
      ...base,
      id: JOB_ID,
      ended: { at: 65_000, ok: true, outcome: "finished", kudos: 13 },
    };
    expect(jobLine(done, 99_000, 7)).toBe("✓ 0b7e3c1a ██████████ 2/2 finished · 13 kudos · took 1m05s");
    const failed: JobView = {
      ...base,
      id: JOB_ID,
      check: waiting({ finished: 1 }),
      checkedAt: 1_000,
      ended: { at: 9_000, ok: false, outcome: "cancelled" },
    };
    expect(jobLine(failed, 99_000, 7)).toBe("✗ 0b7e3c1a █████░░░░░ 1/2 cancelled · after 9s");
  });
});

/** A terminal: what was written, and the screen line the cursor is on after each write. */
function terminal(columns = 100) {
  const writes: { at: number; text: string }[] = [];
  return {
    writer: {
      isTTY: true,
      columns,
      write(text: string) {
        writes.push({ at: Date.now(), text });
      },
    },
    writes,
    /** The live line each write left on the screen (the text after its last line clear). */
    lines: () =>
      writes
        .map((w) => ({
          at: w.at,
          line: (w.text.split("\x1b[2K").at(-1)?.split("\n").at(-1) ?? "")
            .replaceAll("\x1b[?25l", "")
            .replaceAll("\x1b[?25h", ""),
        }))
        .filter((w) => w.line !== ""),
  };
}

describe("TtyProgress", () => {
  it("redraws every frame, so the spinner turns and the clocks tick without any poll", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const term = terminal();
    const progress = new TtyProgress(term.writer);
    const job = progress.startJob(1, "512x512, 30 steps, on aihorde.net");
    job.submitted(JOB_ID);
    job.update({ id: JOB_ID, check: waiting({ wait_time: 30 }) });
    const before = term.lines().length;
    await vi.advanceTimersByTimeAsync(3_000);
    const frames = term.lines().slice(before);
    expect(frames.length).toBeGreaterThanOrEqual(3_000 / FRAME_MS - 1);
    expect(new Set(frames.map((f) => f.line[0])).size).toBe(10); // every spinner frame shows
    expect(frames.at(-1)?.line).toContain("eta 27s · elapsed 3s · updated 3s ago · queue 2 · 10 kudos");
    progress.stop();
    expect(term.writes.at(-1)?.text).toBe("\n\x1b[?25h");
    const after = term.writes.length;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(term.writes.length).toBe(after); // stopped: no more frames
  });

  it("cuts lines to the terminal's width in columns (wide characters count twice), so they never wrap", () => {
    const term = terminal(40);
    const progress = new TtyProgress(term.writer);
    progress.startJob(1, "猫の絵 😺 on a very long description of the request");
    progress.stop();
    const [first] = term.lines();
    expect(first?.line.endsWith("…")).toBe(true);
    expect(displayWidth(first?.line ?? "")).toBe(39);
  });

  it("prints a log line above the live line, which is drawn again below it", () => {
    const term = terminal();
    const progress = new TtyProgress(term.writer);
    const job = progress.startJob(1, "label");
    job.submitted(JOB_ID);
    progress.log("horde: warning: something to know");
    progress.stop();
    const text = term.writes.map((w) => w.text).join("");
    expect(text).toContain("\r\x1b[2Khorde: warning: something to know\n⠋ 0b7e3c1a");
  });
});

/**
 * A horde whose one image job takes `seconds` from its submit: /check reports `wait_time` as the seconds left,
 * /status delivers a base64 image. Records when each /check came.
 */
function slowHorde(seconds: number) {
  let submittedAt = 0;
  const checks: number[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? "GET";
    if (method === "POST" && url.pathname === "/api/v2/generate/async") {
      submittedAt = Date.now();
      return json(202, { id: JOB_ID, kudos: 10 });
    }
    const left = Math.max(0, seconds - (Date.now() - submittedAt) / 1000);
    const done = left === 0;
    const progress = {
      finished: done ? 1 : 0,
      processing: !done && left < seconds / 2 ? 1 : 0,
      restarted: 0,
      waiting: !done && left >= seconds / 2 ? 1 : 0,
      done,
      faulted: false,
      wait_time: Math.ceil(left),
      queue_position: left >= seconds / 2 ? 1 : 0,
      kudos: 10,
      is_possible: true,
    };
    if (method === "GET" && url.pathname === `/api/v2/generate/check/${JOB_ID}`) {
      checks.push(Date.now());
      return json(200, progress);
    }
    if (method === "GET" && url.pathname === `/api/v2/generate/status/${JOB_ID}`) {
      const img = Buffer.from("RIFF\x00\x00\x00\x00WEBPVP8 ").toString("base64");
      const generation = {
        id: "gen-0",
        img,
        seed: "1",
        model: "stable_diffusion",
        worker_id: "9f8e7d6c-5b4a-4321-9876-0fedcba98765",
        worker_name: "Slow Worker",
        censored: false,
        state: "ok",
        gen_metadata: [],
      };
      return json(200, { ...progress, generations: done ? [generation] : [], shared: false });
    }
    if (method === "DELETE") return json(200, { ...progress, generations: [], shared: false });
    return json(404, { message: `no route ${method} ${url.pathname}` });
  };
  return { fetch, checks, submittedAt: () => submittedAt };
}

describe("horde generate on a terminal, a job that waits 60 s", () => {
  it("updates the display at least once a second with a ticking elapsed time and a counting-down ETA", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const horde = slowHorde(60);
    const clientOptions: unknown[] = [];
    const deps: CliDeps = {
      createClient: (options) => {
        clientOptions.push(options);
        return new AIHordeAPIClient({ ...options, fetch: horde.fetch });
      },
      createEmulator: async () => {
        throw new Error("not --local");
      },
    };
    const out = await tempDir();
    const term = terminal();
    const t = testIO({ tty: true });
    t.io.stderr = term.writer;
    const started = Date.now();
    const running = run(["generate", "a slow cat", "--out", out, "--url", "http://horde.test/api"], {
      io: t,
      deps,
    });
    // Real I/O (config, --out folder) comes first; fake time stands still until the job is submitted.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    while (horde.submittedAt() === 0) await turn();
    let settled = false;
    void running.finally(() => {
      settled = true;
    });
    while (!settled && Date.now() - started < 120_000) {
      await vi.advanceTimersByTimeAsync(FRAME_MS);
      await turn(); // lets the file writes at the end complete
    }
    const r = await running;
    expect(r.code).toBe(0);
    expect(await readdir(out)).toContain(`${JOB_ID}-0.webp`);

    const frames = term.lines().map((f) => ({ ...f, second: Math.floor((f.at - started) / 1000) }));
    const submitted = Math.floor((horde.submittedAt() - started) / 1000);
    for (let second = submitted; second < submitted + 60; second++) {
      const these = frames.filter((f) => f.second === second);
      // At least once a second (in fact every FRAME_MS): never a frozen display.
      expect(these.length, `frames in second ${second}`).toBeGreaterThanOrEqual(5);
      expect(these.some((f) => f.line.includes(`elapsed ${formatDuration(second)}`))).toBe(true);
    }
    // The ETA is a live countdown: every second of the wait shows the seconds left, polls or not.
    const etas = new Map<number, Set<string>>();
    for (const f of frames) {
      const eta = /eta (\S+)/.exec(f.line)?.[1];
      if (eta) etas.set(f.second, new Set([...(etas.get(f.second) ?? []), eta]));
    }
    for (let second = submitted + 2; second < submitted + 58; second++) {
      const left = 60 - (second - submitted);
      const shown = [...(etas.get(second) ?? [])];
      expect(shown.length, `an ETA in second ${second}`).toBeGreaterThan(0);
      for (const eta of shown) {
        expect([left - 1, left, left + 1].map(formatDuration), `eta in second ${second}`).toContain(eta);
      }
    }
    expect(frames.at(-1)?.line).toMatch(/^✓ 0b7e3c1a █{10} 1\/1 finished · 10 kudos · took 1m\d\ds$/); // saving runs on real I/O

    // Polls no further apart than the display tolerates, and the CLI asked the SDK for that pace.
    const gaps = horde.checks.slice(1).map((at, i) => at - (horde.checks[i] as number));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5_000 + 100);
    expect(horde.checks.length).toBeLessThan(60); // …and no faster than needed: the SDK still adapts
    expect(clientOptions[0]).toMatchObject({ rateLimit: { maxPollIntervalMs: 5_000 } });
  }, 30_000);
});

describe("plain output", () => {
  it("TERM=dumb gets plain lines, not the live display", async () => {
    const horde = slowHorde(0);
    const deps: CliDeps = {
      createClient: (options) => new AIHordeAPIClient({ ...options, fetch: horde.fetch }),
      createEmulator: async () => {
        throw new Error("not --local");
      },
    };
    const r = await run(["generate", "a cat", "--out", await tempDir(), "--url", "http://horde.test/api"], {
      tty: true,
      env: { TERM: "dumb" },
      deps,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("\x1b");
    expect(r.errLines[0]).toBe(`job ${JOB_ID}: submitted — 1 image, 512x512, 30 steps, on horde.test`);
  });
});
