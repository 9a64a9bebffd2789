// Every error the SDK throws, in one naming scheme:
// - `AIHorde…Error`: the AI Horde answered with an error status (AIHordeRequestError, and one subclass per rc
//   worth branching on);
// - `Horde…Error`: everything the SDK decides itself (bad input, no answer, time out, abort, job outcomes).
// Errors are immutable: every field is set by the constructor (a job's `partial` snapshot included).

/** Every error the SDK throws on purpose is a HordeError, so callers can tell ours from bugs. */
export class HordeError extends Error {
  override readonly name: string = "HordeError";
}

/** One failed check: where (dotted path, e.g. `params.width`) and why. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Input or a server document did not match the contract. Thrown before anything is sent for requests,
 * and when a response cannot be read. `field` is the first offending path.
 */
export class HordeValidationError extends HordeError {
  override readonly name: string = "HordeValidationError";
  readonly issues: readonly ValidationIssue[];
  /** The model that was being validated, e.g. `ImageGenerateAsyncRequest`. */
  readonly model: string;

  constructor(model: string, issues: readonly ValidationIssue[]) {
    const shown = issues
      .slice(0, 5)
      .map((i) => `${i.path || "(root)"}: ${i.message}`)
      .join("; ");
    const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : "";
    super(`Invalid ${model}: ${shown}${more}`);
    this.model = model;
    this.issues = Object.freeze([...issues]);
  }

  /** The first offending path (e.g. `params.width`), or `""` when the document itself is wrong: the field to name in a message. */
  get field(): string {
    return this.issues[0]?.path ?? "";
  }
}

/** What the server answered, as an AIHordeRequestError carries it. */
export interface RequestErrorInit {
  status: number;
  message: string;
  rc?: string | null;
  errors?: Record<string, string> | null;
  method: string;
  url: string;
  retryAfterSeconds?: number | null;
  bodyText?: string;
  /** The answer's headers (lower-case names). */
  headers?: Readonly<Record<string, string>>;
  /** How many times the request was sent before this answer (1 unless it was retried). */
  attempts?: number;
}

/** The server answered with an error status. Carries what the server said, whatever its body looked like. */
export class AIHordeRequestError extends HordeError {
  override readonly name: string = "AIHordeRequestError";
  /** HTTP status, e.g. 400, 404, 429, 502. */
  readonly status: number;
  /** The horde's return code (`RequestNotFound`, `KudosUpfront`, …); `null` when the body had none. */
  readonly rc: string | null;
  /** Field errors of a payload validation failure (`{"params.width": "…"}`), else `null`. */
  readonly errors: Readonly<Record<string, string>> | null;
  /** The HTTP method and URL that failed (without secrets). */
  readonly method: string;
  readonly url: string;
  /** Seconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterSeconds: number | null;
  /** The raw body text, truncated; useful when the body was an HTML proxy page. */
  readonly bodyText: string;
  /** The answer's headers, lower-case names (e.g. `retry-after`, `x-ratelimit-*` behind a proxy). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * How many times the request was sent, this answer's attempt included. Above 1 an earlier attempt may have
   * reached the server: a worker's `DuplicateGen` then means that attempt delivered the result.
   */
  readonly attempts: number;

  constructor(init: RequestErrorInit) {
    super(init.message);
    this.status = init.status;
    this.rc = init.rc ?? null;
    this.errors = init.errors ? Object.freeze({ ...init.errors }) : null;
    this.method = init.method;
    this.url = init.url;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.bodyText = init.bodyText ?? "";
    this.headers = Object.freeze({ ...init.headers });
    this.attempts = init.attempts ?? 1;
  }
}

/** 429 from the server's rate limiter (no rc): the request was not run; wait `retryAfterSeconds`. */
export class AIHordeRateLimitError extends AIHordeRequestError {
  override readonly name: string = "AIHordeRateLimitError";
}
/** 403 KudosUpfront: the request needs kudos up front that the account does not have; lower steps/size/n, or use `allow_downgrade`. */
export class AIHordeKudosUpfrontError extends AIHordeRequestError {
  override readonly name: string = "AIHordeKudosUpfrontError";
}
/** 429 TooManyPrompts: too many images waiting for this account (the concurrency limit). */
export class AIHordeTooManyPromptsError extends AIHordeRequestError {
  override readonly name: string = "AIHordeTooManyPromptsError";
}
/** 401 InvalidAPIKey. */
export class AIHordeInvalidAPIKeyError extends AIHordeRequestError {
  override readonly name: string = "AIHordeInvalidAPIKeyError";
}
/** 404 RequestNotFound: unknown, or expired 20 minutes after its last activity. */
export class AIHordeRequestNotFoundError extends AIHordeRequestError {
  override readonly name: string = "AIHordeRequestNotFoundError";
}
/** The horde is in maintenance mode (the server answers 400, not the 503 its contract documents). */
export class AIHordeMaintenanceModeError extends AIHordeRequestError {
  override readonly name: string = "AIHordeMaintenanceModeError";
}
/** 403 TimeoutIP: this IP has been put in timeout. */
export class AIHordeTimeoutIPError extends AIHordeRequestError {
  override readonly name: string = "AIHordeTimeoutIPError";
}

const RC_ERRORS: Record<string, new (init: RequestErrorInit) => AIHordeRequestError> = {
  KudosUpfront: AIHordeKudosUpfrontError,
  TooManyPrompts: AIHordeTooManyPromptsError,
  InvalidAPIKey: AIHordeInvalidAPIKeyError,
  RequestNotFound: AIHordeRequestNotFoundError,
  MaintenanceMode: AIHordeMaintenanceModeError,
  TimeoutIP: AIHordeTimeoutIPError,
};

/** The most specific AIHordeRequestError for an answer: by rc (trailing dots ignored), then a bare 429 as AIHordeRateLimitError. */
export function requestErrorFor(init: RequestErrorInit): AIHordeRequestError {
  const rc = init.rc?.replace(/\.+$/, "");
  const specific = rc ? RC_ERRORS[rc] : undefined;
  if (specific) return new specific(init);
  if (init.status === 429 && !init.rc) return new AIHordeRateLimitError(init);
  return new AIHordeRequestError(init);
}

/** The request could not reach the server, or no answer came back (DNS, reset, refused, TLS). */
export class HordeConnectionError extends HordeError {
  override readonly name: string = "HordeConnectionError";
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a job that was given up on ended: the status snapshot its cancel returned (what was delivered). */
export interface GiveUpOptions {
  cause?: unknown;
  /** For jobs: the status snapshot the cancel returned; `undefined` when nothing was sent or it failed. */
  partial?: unknown;
}

/** A time limit set by the caller (`timeoutMs`) ran out. */
export class HordeTimeoutError extends HordeError {
  override readonly name: string = "HordeTimeoutError";
  /** For job timeouts: the status snapshot the cancel returned (what was delivered before giving up). */
  readonly partial: unknown;
  constructor(message: string, options: GiveUpOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.partial = options.partial;
  }
}

/** The caller's AbortSignal fired. */
export class HordeAbortError extends HordeError {
  override readonly name: string = "HordeAbortError";
  /** For jobs: the status snapshot the cancel returned (what was delivered before the abort). */
  readonly partial: unknown;
  constructor(message: string, options: GiveUpOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.partial = options.partial;
  }
}

/** A worker was stopped without draining: the reason of each of its jobs' signals. */
export class HordeWorkerStoppedError extends HordeAbortError {
  override readonly name: string = "HordeWorkerStoppedError";
}

/** A worker's job ran out of time (its ttl, minus the margin): the reason of the job's signal. */
export class HordeJobDeadlineError extends HordeTimeoutError {
  override readonly name: string = "HordeJobDeadlineError";
}

/**
 * A worker backend (AUTOMATIC1111/Forge, ComfyUI, KoboldCpp, an OpenAI-compatible server) failed a job, did
 * not answer, or answered something unusable. `status` is its HTTP status (null when it did not answer).
 */
export class HordeBackendError extends HordeError {
  override readonly name: string = "HordeBackendError";
  constructor(
    message: string,
    /** The backend's short name: `a1111`, `comfyui`, `koboldcpp`, `openai`. */
    readonly backend: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A generation finished in a state that yields no result: faulted, impossible, or cancelled elsewhere. */
export class HordeJobError extends HordeError {
  override readonly name: string = "HordeJobError";
  constructor(
    message: string,
    readonly jobId: string,
    readonly reason: "faulted" | "impossible" | "cancelled" | "expired",
  ) {
    super(message);
  }
}

/** A job ended faulted on the server (3 faulted attempts, or a worker failure); any partial results are attached. */
export class HordeJobFaultedError extends HordeJobError {
  override readonly name: string = "HordeJobFaultedError";
  constructor(
    message: string,
    jobId: string,
    /** The final status, with whatever was delivered before the fault. */
    readonly status?: unknown,
  ) {
    super(message, jobId, "faulted");
  }
}

/**
 * A job store could not be read or written: a file that is not a job store, a corrupted one, a lock that
 * could not be taken. `where` names the store (a file path, an IndexedDB database). A store in this state
 * is never overwritten: fix or move it by hand.
 */
export class HordeJobStoreError extends HordeError {
  override readonly name: string = "HordeJobStoreError";
  constructor(
    message: string,
    /** The store: a file path, or `indexeddb:<database>`. */
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A job's submit may have reached the server, but its answer was lost (no answer, an unreadable body, a 5xx)
 * and the new request could not be told apart among the account's generations: it may be running. The job
 * store (when the client has one) keeps it under `key`, so `client.resumeJobs()` can look again later.
 */
export class HordeLostSubmitError extends HordeError {
  override readonly name: string = "HordeLostSubmitError";
  constructor(
    message: string,
    readonly kind: "image" | "text" | "alchemy",
    /** The job store's key of the submit; null when the client has no job store. */
    readonly key: string | null,
    /** The account's requests that could be it (none when the account's requests cannot be listed). */
    readonly candidates: readonly string[],
    /** Why it could not be identified, in words (`2 requests of the account could be it`). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The same give-up error with the job's partial snapshot attached (errors are immutable, so a new one):
 * keeps the class, the message and the cause.
 */
export function withPartial<E extends HordeAbortError | HordeTimeoutError>(error: E, partial: unknown): E {
  const Class = error.constructor as new (message: string, options: GiveUpOptions) => E;
  const copy = new Class(error.message, { cause: error.cause, partial });
  if (error.stack) Object.defineProperty(copy, "stack", { value: error.stack, configurable: true });
  return copy;
}
