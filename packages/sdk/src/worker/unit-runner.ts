// Running one popped unit of work: its deadline (the ttl, minus a margin), its signal, and the context it
// runs in — source downloads, uploads, the user's `generate`, submits and faults.

import { HordeError, HordeJobDeadlineError } from "../core/errors.js";
import { raceAbort } from "../http/signals.js";
import { describe } from "./describe.js";
import type { PoppedUnit, UnitContext } from "./kinds/kind.js";
import { decodeImageText } from "./kinds/reading.js";
import type { WorkerParts } from "./parts.js";
import type { JobReporter } from "./reporter.js";
import type { JobProgress } from "./types.js";

export interface RunnerParts extends Pick<WorkerParts, "name" | "client" | "logger" | "events"> {
  reporter: JobReporter;
  /** Seconds a job has when its pop does not say. */
  defaultTtl: number;
  /** Give up this long before the ttl runs out (never more than half of it). */
  ttlMarginMs: number;
  /** Aborts every job's signal: the worker was stopped without draining. */
  abortJobs: AbortSignal;
}

export class UnitRunner {
  readonly #parts: RunnerParts;

  constructor(parts: RunnerParts) {
    this.#parts = parts;
  }

  /** Run `unit` to its end; whatever it leaves unsettled is released rather than left to go stale. */
  async run(unit: PoppedUnit, receivedAt: number): Promise<void> {
    const { client, logger, name, reporter, abortJobs } = this.#parts;
    const ttlMs = (unit.ttl ?? this.#parts.defaultTtl) * 1000;
    // Give up early enough for the faulted submit to arrive before the server aborts the job itself.
    const deadline = receivedAt + Math.max(ttlMs - this.#parts.ttlMarginMs, ttlMs / 2);
    const controller = new AbortController();
    const timer = new AbortController();
    const onStop = () => controller.abort(abortJobs.reason);
    if (abortJobs.aborted) onStop();
    else abortJobs.addEventListener("abort", onStop, { once: true });
    client.clock.sleep(Math.max(0, deadline - client.clock.now()), timer.signal).then(
      () =>
        controller.abort(
          new HordeJobDeadlineError(
            `job ${unit.ids[0]} ran out of time (ttl ${ttlMs / 1000} s, the worker gives up first)`,
          ),
        ),
      () => {},
    );
    try {
      await unit.run(this.#context(unit.ids, controller.signal, deadline));
    } catch (error) {
      logger.error(`worker ${name}: job ${unit.ids[0]} failed unexpectedly: ${describe(error)}`);
    } finally {
      timer.abort();
      abortJobs.removeEventListener("abort", onStop);
    }
    await Promise.all(
      reporter
        .unsettled(unit.ids)
        .map((id) => reporter.fault(id, "error", new HordeError("the job ended without a result"))),
    );
  }

  #context(ids: string[], signal: AbortSignal, deadline: number): UnitContext {
    const { logger, reporter, events } = this.#parts;
    const progress = (update: JobProgress) => {
      if (signal.aborted) return;
      events.emit("progress", { ...update, id: ids[0] as string, ids: [...ids] });
    };
    return {
      signal,
      deadline,
      logger,
      generateContext: { signal, deadline, logger, progress },
      source: (value, what) => this.#source(value, what, signal),
      upload: (url, bytes) => this.#upload(url, bytes, signal),
      // A job given up on before it started never runs `generate`.
      generate: (run) =>
        signal.aborted
          ? Promise.reject(signal.reason)
          : raceAbort(Promise.resolve().then(run), signal, "generate"),
      submit: (id, request) => reporter.submit(id, request),
      fault: (id, reason, error) => reporter.fault(id, reason, error),
      reasonFor: (_error, fallback) => {
        if (!signal.aborted) return fallback;
        return signal.reason instanceof HordeJobDeadlineError ? "ttl" : "stopped";
      },
    };
  }

  async #source(value: string, what: string, signal: AbortSignal): Promise<Uint8Array> {
    if (!/^https?:\/\//i.test(value)) return decodeImageText(value, what);
    // A plain GET: the client sends no key (nor Client-Agent) to hosts outside the API base URL.
    const response = await this.#parts.client.fetchUrl(value, { signal });
    if (response.status !== 200)
      throw new HordeError(`downloading the ${what} answered HTTP ${response.status}`);
    if (response.bytes.length === 0) throw new HordeError(`the downloaded ${what} is empty`);
    return response.bytes;
  }

  async #upload(url: string, bytes: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void> {
    // A PUT is idempotent: the client repeats it after connection errors and 5xx.
    const response = await this.#parts.client.fetchUrl(url, {
      method: "PUT",
      body: bytes,
      headers: { "Content-Type": "image/webp" },
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new HordeError(`the upload to R2 answered HTTP ${response.status}`);
    }
  }
}
