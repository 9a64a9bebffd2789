import type { Logger } from "horde-sdk";

/** A logger that writes every line (level, message, JSON details) into `lines`. */
export function capturingLogger(lines: string[]): Logger {
  const write =
    (level: string) =>
    (message: string, ...details: unknown[]) =>
      lines.push(`${level} ${message} ${details.map((d) => JSON.stringify(d)).join(" ")}`);
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Everything an error would show in a log or a JSON dump: text, stack, own properties, JSON. */
export function dumpError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = Object.fromEntries(Object.getOwnPropertyNames(error).map((k) => [k, (error as never)[k]]));
  return `${String(error)} ${error.stack ?? ""} ${JSON.stringify(own)} ${JSON.stringify(error)}`;
}
