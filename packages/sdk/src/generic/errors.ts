/** Every error the SDK throws on purpose is a HordeError, so callers can tell ours from bugs. */
export class HordeError extends Error {
  override name = "HordeError";
}

/** One failed check: where (dotted path, e.g. `params.width`) and why. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * Input or a server document did not match the contract. Thrown before anything is sent for requests,
 * and when a response cannot be read. `field` is the first offending path.
 */
export class HordeValidationError extends HordeError {
  override name = "HordeValidationError";
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
    this.issues = issues;
  }

  get field(): string {
    return this.issues[0]?.path ?? "";
  }
}

/** The server answered with an error status. Carries what the server said, whatever its body looked like. */
export class AIHordeRequestError extends HordeError {
  override name = "AIHordeRequestError";
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

  constructor(init: {
    status: number;
    message: string;
    rc?: string | null;
    errors?: Record<string, string> | null;
    method: string;
    url: string;
    retryAfterSeconds?: number | null;
    bodyText?: string;
  }) {
    super(init.message);
    this.status = init.status;
    this.rc = init.rc ?? null;
    this.errors = init.errors ?? null;
    this.method = init.method;
    this.url = init.url;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.bodyText = init.bodyText ?? "";
  }
}

/** The request could not reach the server, or no answer came back (DNS, reset, refused, TLS). */
export class HordeConnectionError extends HordeError {
  override name = "HordeConnectionError";
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A time limit set by the caller (`timeoutMs`) ran out. */
export class HordeTimeoutError extends HordeError {
  override name = "HordeTimeoutError";
  /** For job timeouts: the status snapshot the cancel returned (what was delivered before giving up). */
  partial: unknown = undefined;
}

/** The caller's AbortSignal fired. */
export class HordeAbortError extends HordeError {
  override name = "HordeAbortError";
  /** For jobs: the status snapshot the cancel returned (what was delivered before the abort). */
  partial: unknown = undefined;
}

/** A generation finished in a state that yields no result: faulted, impossible, or cancelled elsewhere. */
export class HordeJobError extends HordeError {
  override name = "HordeJobError";
  constructor(
    message: string,
    readonly jobId: string,
    readonly reason: "faulted" | "impossible" | "cancelled" | "expired",
  ) {
    super(message);
  }
}

type RequestErrorInit = ConstructorParameters<typeof AIHordeRequestError>[0];

/** 429 from the server's rate limiter (no rc): the request was not run; wait `retryAfterSeconds`. */
export class RateLimitError extends AIHordeRequestError {
  override name = "RateLimitError";
}
/** 403 KudosUpfront: the request needs kudos up front that the account does not have; lower steps/size/n, or use `allow_downgrade`. */
export class KudosUpfrontError extends AIHordeRequestError {
  override name = "KudosUpfrontError";
}
/** 429 TooManyPrompts: too many images waiting for this account (the concurrency limit). */
export class TooManyPromptsError extends AIHordeRequestError {
  override name = "TooManyPromptsError";
}
/** 401 InvalidAPIKey. */
export class InvalidAPIKeyError extends AIHordeRequestError {
  override name = "InvalidAPIKeyError";
}
/** 404 RequestNotFound: unknown, or expired 20 minutes after its last activity. */
export class RequestNotFoundError extends AIHordeRequestError {
  override name = "RequestNotFoundError";
}
/** The horde is in maintenance mode (the server answers 400, not the 503 its contract documents). */
export class MaintenanceModeError extends AIHordeRequestError {
  override name = "MaintenanceModeError";
}
/** 403 TimeoutIP: this IP has been put in timeout. */
export class TimeoutIPError extends AIHordeRequestError {
  override name = "TimeoutIPError";
}

const RC_ERRORS: Record<string, new (init: RequestErrorInit) => AIHordeRequestError> = {
  KudosUpfront: KudosUpfrontError,
  TooManyPrompts: TooManyPromptsError,
  InvalidAPIKey: InvalidAPIKeyError,
  RequestNotFound: RequestNotFoundError,
  MaintenanceMode: MaintenanceModeError,
  TimeoutIP: TimeoutIPError,
};

/** The most specific AIHordeRequestError for an answer: by rc (trailing dots ignored), then a bare 429 as RateLimitError. */
export function requestErrorFor(init: RequestErrorInit): AIHordeRequestError {
  const rc = init.rc?.replace(/\.+$/, "");
  const specific = rc ? RC_ERRORS[rc] : undefined;
  if (specific) return new specific(init);
  if (init.status === 429 && !init.rc) return new RateLimitError(init);
  return new AIHordeRequestError(init);
}

/** A job ended faulted on the server (3 faulted attempts, or a worker failure); any partial results are attached. */
export class JobFaultedError extends HordeJobError {
  override name = "JobFaultedError";
  constructor(
    message: string,
    jobId: string,
    /** The final status, with whatever was delivered before the fault. */
    readonly status?: unknown,
  ) {
    super(message, jobId, "faulted");
  }
}

// Short names, as the issue tracker and other SDKs call them.
export {
  HordeAbortError as AbortError,
  HordeConnectionError as ConnectionError,
  HordeTimeoutError as TimeoutError,
};
