// HordeWorker: the pop → download → generate → upload → submit loop of an AI Horde worker (ai-horde-api
// §5, §6), with up to `threads` jobs in flight, job ttls, graceful stops and events. fetch only: it runs
// wherever the client runs (Node, Deno, Bun, browsers).
import { AIHordeAPIClient } from "../client/client.js";
import { errorFromResponse } from "../client/transport.js";
import type { Clock } from "../generic/clock.js";
import {
  AIHordeRequestError,
  HordeConnectionError,
  HordeError,
  HordeTimeoutError,
  HordeValidationError,
  type ValidationIssue,
} from "../generic/errors.js";
import type { Logger } from "../generic/logger.js";
import type { HordeRequest } from "../generic/request.js";
import { VERSION } from "../version.js";
import { alchemyAdapter } from "./alchemy.js";
import { TypedEmitter } from "./events.js";
import { imageAdapter, type PopCommon } from "./image.js";
import {
  decodeImageText,
  describe,
  JobDeadlineError,
  type KindAdapter,
  type PoppedUnit,
  type PopReading,
  type UnitContext,
  WorkerStoppedError,
} from "./internal.js";
import { textAdapter } from "./text.js";
import type {
  FaultReason,
  HordeWorkerEvents,
  HordeWorkerOptions,
  HordeWorkerStats,
  WorkerKind,
  WorkerMessage,
  WorkerState,
} from "./types.js";

/**
 * The default bridge agent of image workers. The horde decides from the agent what a worker can do
 * (ai-horde-api §5.5) and gives an unknown agent no `r2` request — that is, none of the default ones — so
 * image workers declare the capability set of reGen 9 (img2img, inpainting, post-processing, hires-fix,
 * r2, LoRA/TI support when allowed, …). Set `bridgeAgent` to what your `generate` really supports.
 */
export const DEFAULT_IMAGE_BRIDGE_AGENT =
  "AI Horde Worker reGen:9.0.1:https://www.npmjs.com/package/horde-sdk";
/** The default bridge agent of text and alchemy workers. */
export const DEFAULT_BRIDGE_AGENT = `horde-sdk-ts worker:${VERSION}:https://www.npmjs.com/package/horde-sdk`;

/** Errors of a pop that are worth waiting out rather than stopping for. */
const TRANSIENT_POP_RCS = new Set(["WorkerMaintenance", "MaintenanceMode", "TimeoutIP", "TooManyNewIPs"]);
/** Waits after a failed pop: 2 s doubling to 60 s. */
const POP_ERROR_BACKOFF = { firstMs: 2_000, maxMs: 60_000 };
/** A result submit (or a faulted one) is sent at most this many times; 1 s, 2 s, 4 s apart. */
const SUBMIT_ATTEMPTS = 4;

interface HeldJob {
  model: string | null;
  settled: boolean;
}

interface Finished {
  stats: HordeWorkerStats;
  error?: unknown;
}

/** Symbol.asyncDispose where the runtime has it, else the well-known fallback key compilers look up. */
const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

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
  readonly #adapter: KindAdapter;
  readonly #events: TypedEmitter<HordeWorkerEvents>;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #threads: number;
  readonly #amount: number;
  readonly #popIntervalMs: number;
  readonly #maxPopIntervalMs: number;
  readonly #ttlMarginMs: number;
  readonly #maxConsecutiveFaults: number;

  #state: WorkerState = "idle";
  readonly #stats: HordeWorkerStats;
  readonly #held = new Map<string, HeldJob>();
  readonly #tasks = new Set<Promise<void>>();
  #busy = 0;
  #slotWaiters: (() => void)[] = [];
  /** Fires when a stop is requested: no more pops, sleeps wake up. */
  readonly #stopRequested = new AbortController();
  /** Fires on a stop without draining: every job's signal aborts. */
  readonly #abortJobs = new AbortController();
  #fatal: unknown = undefined;
  #consecutiveFaults = 0;
  readonly #seenMessages = new Set<string>();
  readonly #finished: Promise<Finished>;
  #resolveFinished!: (value: Finished) => void;

  constructor(options: HordeWorkerOptions) {
    const issues = validateOptions(options);
    if (issues.length > 0) throw new HordeValidationError("HordeWorkerOptions", issues);
    this.client =
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
    this.kind = options.kind;
    this.name = options.name ?? `horde-sdk-worker-${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}`;
    this.#logger = options.logger ?? this.client.logger;
    this.#clock = this.client.clock;
    this.#threads = options.threads ?? 1;
    this.#amount = options.amount ?? 1;
    this.#popIntervalMs = options.popIntervalMs ?? 1_000;
    this.#maxPopIntervalMs = Math.max(this.#popIntervalMs, options.maxPopIntervalMs ?? 10_000);
    this.#ttlMarginMs = options.ttlMarginMs ?? 10_000;
    this.#maxConsecutiveFaults = options.maxConsecutiveFaults ?? 10;
    const common: PopCommon = {
      name: this.name,
      threads: this.#threads,
      bridge_agent:
        options.bridgeAgent ?? (options.kind === "image" ? DEFAULT_IMAGE_BRIDGE_AGENT : DEFAULT_BRIDGE_AGENT),
      require_upfront_kudos: options.requireUpfrontKudos ?? false,
      extra_slow_worker: options.extraSlowWorker ?? false,
      ...(options.priorityUsernames ? { priority_usernames: options.priorityUsernames } : {}),
      ...(options.client && options.apiKey ? { apikey: options.apiKey } : {}),
    };
    this.#adapter =
      options.kind === "image"
        ? imageAdapter(options, common)
        : options.kind === "text"
          ? textAdapter(options, common)
          : alchemyAdapter(options, common);
    this.#events = new TypedEmitter<HordeWorkerEvents>((error, event) => {
      this.#logger.error(`a listener of "${String(event)}" threw: ${describe(error)}`);
      if (event !== "error") this.#events.emit("error", { error, phase: "listener" });
    });
    this.#stats = {
      name: this.name,
      kind: this.kind,
      state: "idle",
      startedAt: null,
      stoppedAt: null,
      pops: 0,
      emptyPops: 0,
      popErrors: 0,
      popped: 0,
      inFlight: 0,
      completed: 0,
      faulted: 0,
      faultedBy: {},
      rejected: 0,
      rejectedBy: {},
      kudos: 0,
      skipped: {},
      messages: [],
    };
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
    const s = this.#stats;
    return {
      ...s,
      state: this.#state,
      inFlight: [...this.#held.values()].filter((h) => !h.settled).length,
      faultedBy: { ...s.faultedBy },
      rejectedBy: { ...s.rejectedBy },
      kudos: Math.round(s.kudos * 100) / 100,
      skipped: { ...s.skipped },
      messages: s.messages.map((m) => ({ ...m })),
    };
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
    this.#stats.startedAt = this.#clock.now();
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
    if (options.drain === false) this.#abortJobs.abort(new WorkerStoppedError("the worker was stopped"));
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

  // ------------------------------------------------------------------------------------------- the loop

  async #run(): Promise<void> {
    try {
      await this.#popLoop();
    } catch (error) {
      this.#fatal ??= error;
      this.#logger.error(`worker ${this.name}: ${describe(error)}`);
    }
    if (this.#state === "running") this.#state = "stopping";
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    // Nothing should be left, but whatever is still held is released rather than left to go stale.
    const left = [...this.#held.entries()].filter(([, h]) => !h.settled).map(([id]) => id);
    await Promise.all(
      left.map((id) => this.#fault(id, "stopped", new WorkerStoppedError("the worker stopped"))),
    );
    this.#finish();
  }

  #finish(): void {
    if (this.#state === "stopped") return;
    this.#state = "stopped";
    this.#stats.stoppedAt = this.#clock.now();
    const stats = this.stats;
    const error = this.#fatal;
    this.#events.emit("stop", error === undefined ? { stats } : { stats, error });
    this.#resolveFinished(error === undefined ? { stats } : { stats, error });
  }

  get #stopping(): boolean {
    return this.#stopRequested.signal.aborted;
  }

  async #popLoop(): Promise<void> {
    let idleMs = this.#popIntervalMs;
    let errorMs = POP_ERROR_BACKOFF.firstMs;
    while (!this.#stopping) {
      if (this.#busy >= this.#threads) {
        await this.#slotFreed();
        continue;
      }
      let reading: PopReading;
      try {
        reading = await this.#pop(this.#threads - this.#busy);
        errorMs = POP_ERROR_BACKOFF.firstMs;
      } catch (error) {
        if (isFatalPopError(error)) {
          this.#fatal = error;
          this.#logger.error(`worker ${this.name}: the horde refused the pop: ${describe(error)}; stopping`);
          return;
        }
        this.#stats.popErrors++;
        if (error instanceof AIHordeRequestError && error.rc === "WorkerMaintenance") {
          this.#logger.warn(`worker ${this.name} is in maintenance: ${error.message}`);
          this.#events.emit("maintenance", { message: error.message });
        } else {
          this.#logger.warn(
            `worker ${this.name}: pop failed (${describe(error)}); next try in ${errorMs} ms`,
          );
          this.#events.emit("error", { error, phase: "pop" });
        }
        await this.#pause(errorMs);
        errorMs = Math.min(errorMs * 2, POP_ERROR_BACKOFF.maxMs);
        continue;
      }
      this.#onMessages(reading.messages);
      for (const problem of reading.unreportable) {
        this.#logger.error(
          `worker ${this.name}: the pop handed out a job that cannot be reported: ${problem}`,
        );
      }
      const jobCount = reading.units.length + reading.invalid.length;
      if (jobCount === 0) {
        this.#stats.emptyPops++;
        this.#stats.skipped = reading.skipped;
        this.#events.emit("skipped", { reasons: { ...reading.skipped } });
        await this.#pause(idleMs);
        idleMs = Math.min(Math.round(idleMs * 1.5), this.#maxPopIntervalMs);
        continue;
      }
      idleMs = this.#popIntervalMs;
      this.#accept(reading);
      // A pop that handed out only broken jobs must not turn into a tight loop.
      if (reading.units.length === 0) await this.#pause(this.#popIntervalMs);
    }
  }

  /** Send one pop and read the answer leniently (a malformed job must be faulted, not thrown away). */
  async #pop(freeThreads: number): Promise<PopReading> {
    const amount = this.kind === "image" ? this.#amount : Math.max(1, Math.min(this.#amount, freeThreads));
    const request = this.#adapter.popRequest(amount);
    const spec = request.toHttp(this.client.baseUrl);
    this.#stats.pops++;
    // Uninterruptible: a pop that reached the horde may have handed out jobs; they must be seen to be released.
    const raw = await this.client.transport.send({
      method: spec.method,
      url: spec.url,
      headers: spec.headers,
      body: spec.body,
      authenticate: true,
      uninterruptible: true,
    });
    if (raw.status !== 200) throw errorFromResponse(raw, this.#clock.now());
    let json: unknown;
    try {
      json = JSON.parse(raw.text());
    } catch {
      throw new HordeError(`the pop answered ${raw.status} with a body that is not JSON`);
    }
    return this.#adapter.readPop(json);
  }

  /** Take the jobs of a pop: hold every id, fault the invalid ones, start the units. */
  #accept(reading: PopReading): void {
    const receivedAt = this.#clock.now();
    const ids = [...reading.units.flatMap((u) => u.ids), ...reading.invalid.map((j) => j.id)];
    for (const unit of reading.units) {
      for (const id of unit.ids) this.#held.set(id, { model: unit.model, settled: false });
    }
    for (const { id } of reading.invalid) this.#held.set(id, { model: reading.model, settled: false });
    this.#stats.popped += ids.length;
    this.#events.emit("popped", {
      ids,
      model: reading.model,
      ttl: reading.ttl,
      ...(reading.forms ? { forms: [...reading.forms] } : {}),
    });
    for (const { id, message } of reading.invalid) {
      this.#track(this.#fault(id, "invalid", new HordeError(message)));
    }
    for (const unit of reading.units) this.#startUnit(unit, receivedAt);
  }

  #startUnit(unit: PoppedUnit, receivedAt: number): void {
    this.#busy += unit.slots;
    const task = this.#runUnit(unit, receivedAt).finally(() => {
      this.#busy -= unit.slots;
      const waiters = this.#slotWaiters;
      this.#slotWaiters = [];
      for (const wake of waiters) wake();
    });
    this.#track(task);
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.#logger.error(`worker ${this.name}: unexpected failure: ${describe(error)}`);
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }

  async #runUnit(unit: PoppedUnit, receivedAt: number): Promise<void> {
    const ttlMs = (unit.ttl ?? this.#adapter.defaultTtl) * 1000;
    // Give up early enough for the faulted submit to arrive before the server aborts the job itself.
    const deadline = receivedAt + Math.max(ttlMs - this.#ttlMarginMs, ttlMs / 2);
    const controller = new AbortController();
    const timer = new AbortController();
    const onStop = () => controller.abort(this.#abortJobs.signal.reason);
    if (this.#abortJobs.signal.aborted) onStop();
    else this.#abortJobs.signal.addEventListener("abort", onStop, { once: true });
    this.#clock.sleep(Math.max(0, deadline - this.#clock.now()), timer.signal).then(
      () =>
        controller.abort(
          new JobDeadlineError(
            `job ${unit.ids[0]} ran out of time (ttl ${ttlMs / 1000} s, the worker gives up first)`,
          ),
        ),
      () => {},
    );
    const ctx = this.#unitContext(controller.signal, deadline);
    try {
      await unit.run(ctx);
    } catch (error) {
      this.#logger.error(`worker ${this.name}: job ${unit.ids[0]} failed unexpectedly: ${describe(error)}`);
    } finally {
      timer.abort();
      this.#abortJobs.signal.removeEventListener("abort", onStop);
    }
    // A job the unit did not settle is released rather than left to go stale.
    await Promise.all(
      unit.ids
        .filter((id) => this.#held.get(id)?.settled === false)
        .map((id) => this.#fault(id, "error", new HordeError("the job ended without a result"))),
    );
  }

  #unitContext(signal: AbortSignal, deadline: number): UnitContext {
    const logger = this.#logger;
    return {
      signal,
      deadline,
      logger,
      generateContext: { signal, deadline, logger },
      source: (value, what) => this.#source(value, what, signal),
      upload: (url, bytes) => this.#upload(url, bytes, signal),
      generate: (run) => raceSignal(run, signal),
      submit: (id, request) => this.#submit(id, request),
      fault: (id, reason, error) => this.#fault(id, reason, error),
      reasonFor: (_error, fallback) => {
        if (!signal.aborted) return fallback;
        return signal.reason instanceof JobDeadlineError ? "ttl" : "stopped";
      },
    };
  }

  /** Wait until a thread frees up or a stop is requested. */
  #slotFreed(): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = this.#stopRequested.signal;
      const done = () => {
        stop.removeEventListener("abort", done);
        resolve();
      };
      if (stop.aborted) return resolve();
      stop.addEventListener("abort", done, { once: true });
      this.#slotWaiters.push(done);
    });
  }

  /** Sleep on the clock; a stop request wakes it early. */
  async #pause(ms: number): Promise<void> {
    await this.#clock.sleep(ms, this.#stopRequested.signal).catch(() => {});
  }

  #onMessages(messages: WorkerMessage[]): void {
    for (const message of messages) {
      if (this.#seenMessages.has(message.id)) continue;
      this.#seenMessages.add(message.id);
      this.#stats.messages.push(message);
      this.#logger.warn(
        `message to worker ${this.name}${message.origin ? ` from ${message.origin}` : ""}: ${message.message}`,
      );
      this.#events.emit("message", { ...message });
    }
  }

  // ---------------------------------------------------------------------------------- transfers, submits

  async #source(value: string, what: string, signal: AbortSignal): Promise<Uint8Array> {
    if (!/^https?:\/\//i.test(value)) return decodeImageText(value, what);
    // A plain GET: the transport sends no key (nor Client-Agent) to hosts outside the API base URL.
    const response = await this.client.transport.send({
      method: "GET",
      url: value,
      signal,
      authenticate: false,
    });
    if (response.status !== 200)
      throw new HordeError(`downloading the ${what} answered HTTP ${response.status}`);
    if (response.bytes.length === 0) throw new HordeError(`the downloaded ${what} is empty`);
    return response.bytes;
  }

  async #upload(url: string, bytes: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void> {
    // PUT is idempotent: the transport retries it (backoff) on connection errors and 5xx.
    const response = await this.client.transport.send({
      method: "PUT",
      url,
      body: bytes,
      headers: { "Content-Type": "image/webp" },
      signal,
      authenticate: false,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new HordeError(`the upload to R2 answered HTTP ${response.status}`);
    }
  }

  /**
   * Submit a result. A worker submit may be repeated safely: the horde stores only the first one and
   * answers `DuplicateGen` to the others, so network failures and 5xx are retried, and a `DuplicateGen`
   * after a retry means an earlier attempt got through. A result the horde refuses for good is released with
   * a faulted submit, so the job is re-queued.
   */
  async #submit(id: string, build: () => HordeRequest): Promise<void> {
    const held = this.#held.get(id);
    if (!held || held.settled) return;
    let request: HordeRequest;
    try {
      request = build();
    } catch (error) {
      await this.#fault(id, "result", error);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const response = (await this.client.submitRequest(request, { uninterruptible: true })) as {
          reward?: number | null;
        };
        this.#completed(id, typeof response.reward === "number" ? response.reward : 0);
        return;
      } catch (error) {
        if (error instanceof HordeValidationError) {
          // The horde answered 200 with an unexpected body: the result was taken.
          this.#logger.warn(`submit of ${id}: ${error.message}`);
          this.#completed(id, 0);
          return;
        }
        const rc = rcOf(error);
        if (rc === "DuplicateGen" && attempt > 1) {
          this.#completed(id, 0);
          return;
        }
        if (
          error instanceof AIHordeRequestError &&
          (rc === "DuplicateGen" || rc === "AbortedGen" || error.status === 404)
        ) {
          this.#rejected(id, rc ?? `HTTP ${error.status}`, error.message);
          return;
        }
        if (attempt < SUBMIT_ATTEMPTS && isRetryable(error)) {
          await this.#clock.sleep(1000 * 2 ** (attempt - 1));
          continue;
        }
        await this.#fault(id, "submit", error);
        return;
      }
    }
  }

  /** Report a job faulted (once), so the horde re-queues it now instead of when it goes stale. */
  async #fault(id: string, reason: FaultReason, error: unknown): Promise<void> {
    const held = this.#held.get(id);
    if (!held || held.settled) return;
    held.settled = true;
    const message = describe(error);
    await this.#release(id);
    this.#held.delete(id);
    this.#stats.faulted++;
    this.#stats.faultedBy[reason] = (this.#stats.faultedBy[reason] ?? 0) + 1;
    this.#logger.warn(`worker ${this.name}: job ${id} faulted (${reason}): ${message}`);
    this.#events.emit("faulted", { id, reason, message, error });
    if (reason === "error" || reason === "result" || reason === "ttl") {
      this.#consecutiveFaults++;
      if (this.#consecutiveFaults >= this.#maxConsecutiveFaults && !this.#stopping) {
        this.#fatal ??= new HordeError(
          `${this.#consecutiveFaults} jobs in a row failed in generate (last: ${message}); the worker stops`,
        );
        this.#logger.error(`worker ${this.name}: ${describe(this.#fatal)}`);
        this.#stopRequested.abort();
        if (this.#state === "running") this.#state = "stopping";
      }
    }
  }

  /** The faulted submit, retried like a result submit; an unknown or settled job needs no release. */
  async #release(id: string): Promise<void> {
    const request = this.#adapter.faultedSubmit(id);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.submitRequest(request, { uninterruptible: true });
        return;
      } catch (error) {
        if (error instanceof HordeValidationError) return; // answered 200: released
        // Unknown (expired), already delivered or already aborted: nothing left to release.
        const rc = rcOf(error);
        if (
          error instanceof AIHordeRequestError &&
          (error.status === 404 || rc === "DuplicateGen" || rc === "AbortedGen")
        ) {
          return;
        }
        if (attempt < SUBMIT_ATTEMPTS && isRetryable(error)) {
          await this.#clock.sleep(1000 * 2 ** (attempt - 1));
          continue;
        }
        this.#logger.error(`worker ${this.name}: could not report job ${id} faulted: ${describe(error)}`);
        this.#events.emit("error", { error, phase: "release" });
        return;
      }
    }
  }

  #completed(id: string, reward: number): void {
    const held = this.#held.get(id);
    if (!held || held.settled) return;
    held.settled = true;
    this.#held.delete(id);
    this.#consecutiveFaults = 0;
    this.#stats.completed++;
    this.#stats.kudos += reward;
    const total = Math.round(this.#stats.kudos * 100) / 100;
    this.#logger.debug(`worker ${this.name}: job ${id} submitted (+${reward} kudos)`);
    this.#events.emit("completed", { id, reward, kudos: total, model: held.model });
    this.#events.emit("kudos", { id, reward, total });
  }

  #rejected(id: string, rc: string, message: string): void {
    const held = this.#held.get(id);
    if (!held || held.settled) return;
    held.settled = true;
    this.#held.delete(id);
    this.#stats.rejected++;
    this.#stats.rejectedBy[rc] = (this.#stats.rejectedBy[rc] ?? 0) + 1;
    this.#logger.warn(`worker ${this.name}: the horde refused the result of ${id} (${rc}): ${message}`);
    this.#events.emit("rejected", { id, rc, message });
  }
}

/** Run `work`, rejecting as soon as `signal` aborts (a `generate` that ignores its signal is left behind). */
function raceSignal<T>(work: () => Promise<T> | T, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const running = Promise.resolve().then(work);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    running.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function rcOf(error: unknown): string | null {
  return error instanceof AIHordeRequestError && error.rc ? error.rc.replace(/\.+$/, "") : null;
}

/** Connection failures, timeouts, 5xx and 429 are worth another try. */
function isRetryable(error: unknown): boolean {
  if (error instanceof HordeConnectionError || error instanceof HordeTimeoutError) return true;
  return (
    error instanceof AIHordeRequestError &&
    (error.status >= 500 || error.status === 429 || error.status === 408)
  );
}

/** A pop refused for good: bad key, anonymous, wrong credentials, bad name or models, unknown route. */
function isFatalPopError(error: unknown): boolean {
  if (!(error instanceof AIHordeRequestError)) return false;
  const rc = rcOf(error);
  if (rc && TRANSIENT_POP_RCS.has(rc)) return false;
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

function validateOptions(options: HordeWorkerOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const o = options as unknown as Record<string, unknown>;
  if (o.kind !== "image" && o.kind !== "text" && o.kind !== "alchemy") {
    issues.push({ path: "kind", message: 'must be "image", "text" or "alchemy"' });
  }
  if (typeof o.generate !== "function") issues.push({ path: "generate", message: "must be a function" });
  if (o.name !== undefined && (typeof o.name !== "string" || o.name.trim() === "")) {
    issues.push({ path: "name", message: "must be a non-empty string" });
  }
  const maxThreads = o.kind === "alchemy" ? 100 : 50;
  const int = (key: string, min: number, max: number) => {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      issues.push({ path: key, message: `must be an integer from ${min} to ${max}` });
    }
  };
  int("threads", 1, maxThreads);
  int("amount", 1, 20);
  int("maxPixels", 64 * 64, Number.MAX_SAFE_INTEGER);
  int("maxTiles", 1, 256);
  for (const key of ["popIntervalMs", "maxPopIntervalMs", "ttlMarginMs"]) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
      issues.push({ path: key, message: "must be a number of milliseconds ≥ 0" });
    }
  }
  const faults = o.maxConsecutiveFaults;
  if (faults !== undefined && !(typeof faults === "number" && faults >= 1)) {
    issues.push({ path: "maxConsecutiveFaults", message: "must be ≥ 1 (Infinity: never stop)" });
  }
  if (o.client === undefined && o.apiKey === undefined) {
    // Anonymous cannot run workers (403 AnonForbiddenWorker): say so before the first pop.
    issues.push({
      path: "apiKey",
      message: "is required (anonymous users cannot run workers), or pass a client",
    });
  }
  return issues;
}
