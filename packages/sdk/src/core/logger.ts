/** The logging surface the SDK writes to: any console-like object fits (pino, winston, console). */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = () => {};

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

export function getModelLogger(): Logger {
  return modelLogger;
}
