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
}

/** The caller's AbortSignal fired. */
export class HordeAbortError extends HordeError {
  override name = "HordeAbortError";
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
