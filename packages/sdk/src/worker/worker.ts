// HordeWorker: the pop → download → generate → upload → submit loop of an AI Horde worker
// (docs/server/workers.md#workers, docs/server/README.md#text-and-alchemy), with up to `threads` jobs in
// flight, job ttls, graceful stops and events. fetch only: it runs
// wherever the client runs (Node, Deno, Bun, browsers). Its parts: the pop loop (pop-loop.ts), the unit
// runner (unit-runner.ts), the reporter that settles every job (reporter.ts), the counters (stats.ts) and
// one adapter per kind (kinds/).
import { AIHordeAPIClient } from "../client/client.js";
import { asyncDispose } from "../core/dispose.js";
import { HordeError, HordeValidationError, HordeWorkerStoppedError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { describe } from "./describe.js";
import { TypedEmitter } from "./events.js";
import { alchemyAdapter } from "./kinds/alchemy.js";
import { imageAdapter } from "./kinds/image.js";
import type { KindAdapter } from "./kinds/kind.js";
import { textAdapter } from "./kinds/text.js";
import { popCommonOf, randomWorkerName, resolveOptions, validateOptions } from "./options.js";
import type { WorkerParts } from "./parts.js";
import { PopLoop } from "./pop-loop.js";
import { JobReporter } from "./reporter.js";
import { WorkerStats } from "./stats.js";
import type {
  HordeWorkerEvents,
  HordeWorkerOptions,
  HordeWorkerStats,
  WorkerKind,
  WorkerState,
} from "./types.js";
import { UnitRunner } from "./unit-runner.js";

interface Finished {
  stats: HordeWorkerStats;
  error?: unknown;
}

/**
 * An AI Horde worker: pops jobs of one kind (`image`, `text` or `alchemy`), hands each to your
 * `generate(job, { signal })`, uploads and submits the results, and reports failures as faulted so the
 * horde re-queues them at once.
 *
 * ```ts
 * const worker = new HordeWorker({
 *   apiKey, name: "my-worker", kind: "image", models: ["stable_diffusion"],
 *   generate: async (job, { signal }) => job.ids.map(() => drawWebp(job.prompt, signal)),
 * });
 * worker.on("completed", ({ id, reward }) => console.log(id, reward));
 * worker.start();
 * // later: await worker.stop(); // finishes what is in flight; { drain: false } faults it instead
 * ```
 *
 * Every popped job ends submitted or faulted, whatever happens (errors, ttl, stop): none is left to time
 * out on the server.
 */
export class HordeWorker {
  readonly client: AIHordeAPIClient;
  readonly name: string;
  readonly kind: WorkerKind;
  readonly #events: TypedEmitter<HordeWorkerEvents>;
  readonly #logger: Logger;
  readonly #stats: WorkerStats;
  readonly #reporter: JobReporter;
  readonly #loop: PopLoop;
  readonly #adapter: KindAdapter;
  #state: WorkerState = "idle";
  /** Fires when a stop is requested: no more pops, sleeps wake up. */
  readonly #stopRequested = new AbortController();
  /** Fires on a stop without draining: every job's signal aborts. */
  readonly #abortJobs = new AbortController();
  #fatal: unknown = undefined;
  readonly #finished: Promise<Finished>;
  #resolveFinished!: (value: Finished) => void;

  constructor(given: HordeWorkerOptions) {
    const issues = validateOptions(given);
    if (issues.length > 0) throw new HordeValidationError("HordeWorkerOptions", issues);
    const options = resolveOptions(given);
    const client =
      options.client ??
      new AIHordeAPIClient({
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        clientAgent: options.clientAgent,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        retry: options.retry,
        rateLimit: options.rateLimit,
        clock: options.clock,
        logger: options.logger,
      });
    this.client = client;
    this.kind = options.kind;
    this.name = options.name ?? randomWorkerName();
    const logger = options.logger ?? client.logger;
    this.#logger = logger;
    const threads = options.threads ?? 1;
    const common = popCommonOf(options, this.name, threads);
    const adapter: KindAdapter =
      options.kind === "image"
        ? imageAdapter(options, common)
        : options.kind === "text"
          ? textAdapter(options, common)
          : alchemyAdapter(options, common);
    const events = new TypedEmitter<HordeWorkerEvents>((error, event) => {
      logger.error(`a listener of "${String(event)}" threw: ${describe(error)}`);
      if (event !== "error") events.emit("error", { error, phase: "listener" });
    });
    this.#events = events;
    this.#adapter = adapter;
    const stats = new WorkerStats(this.name, this.kind);
    this.#stats = stats;
    const parts: WorkerParts = { name: this.name, client, adapter, logger, events, stats };
    const reporter = new JobReporter({
      ...parts,
      maxConsecutiveFaults: options.maxConsecutiveFaults ?? 10,
      onFaultStreak: (error) => this.#stopItself(error),
    });
    this.#reporter = reporter;
    const runner = new UnitRunner({
      ...parts,
      reporter,
      defaultTtl: adapter.defaultTtl,
      ttlMarginMs: options.ttlMarginMs ?? 10_000,
      abortJobs: this.#abortJobs.signal,
    });
    // Idle pops every 1 s, then 1.5 s, then every 2 s: prompt for a new request, polite to the horde.
    const popIntervalMs = options.popIntervalMs ?? 1_000;
    this.#loop = new PopLoop({
      ...parts,
      reporter,
      runner,
      threads,
      amount: options.amount ?? 1,
      idle: {
        firstMs: popIntervalMs,
        maxMs: Math.max(popIntervalMs, options.maxPopIntervalMs ?? 2_000),
        factor: 1.5,
      },
      idleReportMs: options.idleReportMs ?? 60_000,
      stop: this.#stopRequested.signal,
    });
    this.#finished = new Promise<Finished>((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  /** `idle` (not started), `running`, `stopping` (finishing or faulting what is in flight), `stopped`. */
  get state(): WorkerState {
    return this.#state;
  }

  /** A snapshot of the counters. */
  get stats(): HordeWorkerStats {
    return this.#stats.snapshot(this.#state, this.#reporter.unsettled().length);
  }

  /** Listen to an event; returns a function that removes the listener. */
  on<E extends keyof HordeWorkerEvents>(
    event: E,
    listener: (data: HordeWorkerEvents[E]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends keyof HordeWorkerEvents>(
    event: E,
    listener: (data: HordeWorkerEvents[E]) => void,
  ): () => void {
    return this.#events.once(event, listener);
  }

  /** Removes a listener added with `on` (or `once`, before it fired). */
  off<E extends keyof HordeWorkerEvents>(event: E, listener: (data: HordeWorkerEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Start popping jobs (in the background). A stopped worker cannot be started again. */
  start(): this {
    if (this.#state === "running") return this;
    if (this.#state !== "idle") {
      throw new HordeError("This worker has been stopped; create a new HordeWorker to run again");
    }
    this.#state = "running";
    this.#stats.counters.startedAt = this.client.clock.now();
    this.#events.emit("start", { name: this.name, kind: this.kind });
    void this.#run();
    return this;
  }

  /**
   * Stop popping. With `drain: true` (the default) every job in flight is finished and submitted; with
   * `drain: false` their `generate` signals abort and they are reported faulted (the horde re-queues them).
   * Either way, no popped job is left to time out on the server. Resolves with the final stats once
   * everything is settled. A later call with `drain: false` turns a draining stop into a fast one.
   */
  stop(options: { drain?: boolean } = {}): Promise<HordeWorkerStats> {
    if (options.drain === false) this.#abortJobs.abort(new HordeWorkerStoppedError("the worker was stopped"));
    this.#stopRequested.abort();
    if (this.#state === "idle") this.#finish();
    else if (this.#state === "running") this.#state = "stopping";
    return this.#finished.then((f) => f.stats);
  }

  /**
   * Resolves with the final stats when the worker has stopped; rejects with the error when it stopped itself
   * (a pop refused for good — bad key, anonymous, wrong credentials —, or too many faults in a row).
   */
  wait(): Promise<HordeWorkerStats> {
    return this.#finished.then((f) => {
      if (f.error !== undefined) throw f.error;
      return f.stats;
    });
  }

  /** `await using worker = new HordeWorker(…)`: stops without draining on scope exit. */
  async [asyncDispose](): Promise<void> {
    await this.stop({ drain: false });
  }

  async #run(): Promise<void> {
    try {
      await this.#prepare();
      const refused = await this.#loop.run();
      if (refused !== undefined) this.#fatal ??= refused;
    } catch (error) {
      this.#fatal ??= error;
      this.#logger.error(`worker ${this.name}: ${describe(error)}`);
    }
    if (this.#state === "running") this.#state = "stopping";
    await this.#loop.drained();
    // Nothing should be left, but whatever is still held is released rather than left to go stale.
    await Promise.all(
      this.#reporter
        .unsettled()
        .map((id) => this.#reporter.fault(id, "stopped", new HordeWorkerStoppedError("the worker stopped"))),
    );
    this.#finish();
  }

  /** The kind's once-before-the-first-pop work; a stop requested meanwhile does not wait for it. */
  async #prepare(): Promise<void> {
    const stop = this.#stopRequested.signal;
    if (!this.#adapter.prepare || stop.aborted) return;
    let onStop = () => {};
    const stopped = new Promise<void>((resolve) => {
      onStop = resolve;
      stop.addEventListener("abort", onStop, { once: true });
    });
    try {
      const context = { name: this.name, logger: this.#logger, events: this.#events };
      await Promise.race([this.#adapter.prepare(context), stopped]);
    } finally {
      stop.removeEventListener("abort", onStop);
    }
  }

  /** A broken backend (too many faults in a row): stop, draining, and report why. */
  #stopItself(error: HordeError): void {
    if (this.#stopRequested.signal.aborted) return;
    this.#fatal ??= error;
    this.#logger.error(`worker ${this.name}: ${describe(error)}`);
    this.#stopRequested.abort();
    if (this.#state === "running") this.#state = "stopping";
  }

  #finish(): void {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#stats.counters.stoppedAt = this.client.clock.now();
    const stats = this.stats;
    const error = this.#fatal;
    this.#events.emit("stop", error === undefined ? { stats } : { stats, error });
    this.#resolveFinished(error === undefined ? { stats } : { stats, error });
  }
}
