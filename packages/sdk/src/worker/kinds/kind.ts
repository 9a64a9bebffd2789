// The contract between the worker and its kinds (image.ts, text.ts, alchemy.ts): a kind says what to pop,
// how to read the answer into units of work, and how to release a job; the worker runs the units.
import type { Logger } from "../../core/logger.js";
import type { HordeRequest } from "../../core/messages.js";
import type { TypedEmitter } from "../events.js";
import type { FaultReason, GenerateContext, HordeWorkerEvents, WorkerKind, WorkerMessage } from "../types.js";

/** What a popped unit of work may ask of the worker while it runs. */
export interface UnitContext {
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly logger: Logger;
  /** What `generate` gets. */
  readonly generateContext: GenerateContext;
  /** The bytes of a source image given as a URL (plain GET, no key) or base64 (or a data: URL). */
  source(value: string, what: string): Promise<Uint8Array>;
  /** PUT the bytes to a presigned upload URL (retried by the client; no key is sent). */
  upload(url: string, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Run the user's `generate`; rejects as soon as the job's signal aborts, whether or not it listens. */
  generate<T>(run: () => Promise<T> | T): Promise<T>;
  /** Submit a finished job (retried where safe); settles it as completed, rejected or faulted. */
  submit(id: string, request: () => HordeRequest): Promise<void>;
  /** Report the job faulted (a faulted submit, so the horde re-queues it) and settle it. */
  fault(id: string, reason: FaultReason, error: unknown): Promise<void>;
  /** `ttl` or `stopped` when the job's signal fired, else `fallback`. */
  reasonFor(error: unknown, fallback: FaultReason): FaultReason;
}

/** One unit of work from a pop: an image batch (one `generate` for all its ids), one text job, one alchemy form. */
export interface PoppedUnit {
  readonly ids: string[];
  /** Threads it occupies. */
  readonly slots: number;
  /** Seconds the horde gives it (null: not said). */
  readonly ttl: number | null;
  readonly model: string | null;
  run(ctx: UnitContext): Promise<void>;
}

/** A pop answer, read leniently: runnable units, ids to fault as invalid, and the rest of the answer. */
export interface PopReading {
  units: PoppedUnit[];
  invalid: { id: string; message: string }[];
  skipped: Record<string, number>;
  messages: WorkerMessage[];
  model: string | null;
  ttl: number | null;
  forms?: string[];
  /** Problems that name no job id (nothing can be released for them). */
  unreportable: string[];
}

/** The per-kind part of a worker: what to pop, how to read the answer, how to release a job. */
export interface KindAdapter {
  readonly kind: WorkerKind;
  /** Seconds a job has when the pop does not say. */
  readonly defaultTtl: number;
  /** What to do once before the first pop (e.g. read the model reference); never rejects. */
  prepare?(ctx: PrepareContext): Promise<void>;
  popRequest(amount: number): HordeRequest;
  readPop(json: unknown): PopReading;
  faultedSubmit(id: string): HordeRequest;
}

/** What a kind's `prepare` may use. */
export interface PrepareContext {
  readonly name: string;
  readonly logger: Logger;
  readonly events: TypedEmitter<HordeWorkerEvents>;
}

/** The pop fields every kind sends (from the worker's options). */
export interface PopCommon {
  name: string;
  threads: number;
  bridge_agent: string;
  priority_usernames?: string[];
  require_upfront_kudos: boolean;
  extra_slow_worker: boolean;
  apikey?: string;
}
