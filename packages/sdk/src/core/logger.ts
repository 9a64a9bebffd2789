/** The logging surface the SDK writes to: any console-like object fits (pino, winston, console). */
export interface Logger {
  /** Chatter for diagnosing: every HTTP request with its status and time. */
  debug(message: string, ...details: unknown[]): void;
  /** Plain news worth a log line, e.g. a worker that has found no jobs for a while. */
  info(message: string, ...details: unknown[]): void;
  /** Something went wrong and the SDK went on: a retry, an odd server document. */
  warn(message: string, ...details: unknown[]): void;
  /** Something failed that the caller may not see in an exception, e.g. a cancel on exit. */
  error(message: string, ...details: unknown[]): void;
}

/** The logger method that drops its line; callers may skip building a line for it. */
export const noop = (): void => {};

/** Drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Warnings and errors to the console; debug/info dropped (a library should be quiet by default). */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, ...details) => console.warn(`[horde-sdk] ${message}`, ...details),
  error: (message, ...details) => console.error(`[horde-sdk] ${message}`, ...details),
};

let modelLogger: Logger = consoleLogger;

/** Where model-level warnings go (e.g. a generation with an empty id). Returns the previous logger. */
export function setModelLogger(logger: Logger): Logger {
  const previous = modelLogger;
  modelLogger = logger;
  return previous;
}

/** Where model-level warnings go now (see `setModelLogger`). */
export function getModelLogger(): Logger {
  return modelLogger;
}
