/** Where the emulator reports what it does. Every method is optional; missing ones stay silent. */
export interface EmulatorLogger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

/** The default: warnings and errors to the console, nothing else. */
export const consoleLogger: EmulatorLogger = {
  warn: (message, data) => console.warn(`[horde-emulator] ${message}`, data ?? ""),
  error: (message, data) => console.error(`[horde-emulator] ${message}`, data ?? ""),
};

export const silentLogger: EmulatorLogger = {};
