/** Where the emulator reports what it does. Every method is optional; missing ones stay silent. */
export interface EmulatorLogger {
  /** Step by step: a request queued, jobs popped, a request cancelled. */
  debug?(message: string, data?: Record<string, unknown>): void;
  /** Milestones: the server listening, a worker registered. */
  info?(message: string, data?: Record<string, unknown>): void;
  /** Something was refused or went wrong and the emulator went on. */
  warn?(message: string, data?: Record<string, unknown>): void;
  /** Something failed inside the emulator, e.g. a handler that threw. */
  error?(message: string, data?: Record<string, unknown>): void;
}

/** The default: warnings and errors to the console, nothing else. */
export const consoleLogger: EmulatorLogger = {
  warn: (message, data) => console.warn(`[horde-emulator] ${message}`, data ?? ""),
  error: (message, data) => console.error(`[horde-emulator] ${message}`, data ?? ""),
};

/** Reports nothing (`logger: silentLogger`, or `logger: {}`). */
export const silentLogger: EmulatorLogger = {};
