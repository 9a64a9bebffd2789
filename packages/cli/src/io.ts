/** Everything the CLI touches in its process, so tests can run it in-process. */
import { ANONYMOUS_API_KEY } from "horde-sdk/known";

/** A text sink: process.stdout, process.stderr, or a test buffer. */
export interface Writer {
  write(text: string): void;
  /** True when the sink is an interactive terminal (a live progress display instead of plain lines). */
  isTTY?: boolean | undefined;
  /** Terminal width in columns, when known. */
  columns?: number | undefined;
}

/**
 * What `main` may be given instead of the real process. Only `stdout` and `stderr` are required; the rest
 * falls back to the process (`process.env`, SIGINT/SIGTERM, `process.exit`, `process.cwd()`).
 */
export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  /** Environment variables (`HORDE_URL`, `HORDE_API_KEY`, `HORDE_CLIENT_AGENT`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Registers the Ctrl-C handler; returns a function that unregisters it. */
  onSigint?: ((handler: () => void) => () => void) | undefined;
  /** Ends the process right away (a second Ctrl-C). Tests may record the call instead. */
  exit?: ((code: number) => void) | undefined;
  /** The folder relative paths are resolved against; defaults to `process.cwd()`. */
  cwd?: string | undefined;
  /** Reads all of standard input (a prompt from `-`, a key piped to `horde config set api-key`). */
  readStdin?: (() => Promise<string>) | undefined;
}

/** A CliIO with every fallback filled in. */
export type RuntimeIO = Required<Pick<CliIO, "stdout" | "stderr" | "env" | "onSigint" | "exit" | "cwd">> & {
  env: Readonly<Record<string, string | undefined>>;
  onSigint: (handler: () => void) => () => void;
  exit: (code: number) => void;
  cwd: string;
  readStdin: () => Promise<string>;
};

export function withDefaults(io: CliIO | undefined): RuntimeIO {
  const real = processIO();
  if (!io) return real;
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    env: io.env ?? real.env,
    onSigint: io.onSigint ?? real.onSigint,
    exit: io.exit ?? real.exit,
    cwd: io.cwd ?? real.cwd,
    readStdin: io.readStdin ?? (async () => ""),
  };
}

/**
 * The same IO, with every registered secret replaced by its mask in whatever is written: the API key must
 * never reach a terminal or a log, whichever code path prints. Returns the IO and the function that
 * registers a secret.
 */
export function redactingIO(
  io: RuntimeIO,
  mask: (secret: string) => string,
): { io: RuntimeIO; addSecret(secret: string): void } {
  const secrets = new Set<string>();
  const clean = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(mask(secret));
    return out;
  };
  const wrap = (w: Writer): Writer => ({
    write: (text) => w.write(clean(text)),
    get isTTY() {
      return w.isTTY;
    },
    get columns() {
      return w.columns;
    },
  });
  return {
    io: { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) },
    addSecret(secret) {
      // Too short a "secret" would mangle ordinary output; the anonymous key is public.
      if (secret.length >= 6 && secret !== ANONYMOUS_API_KEY) secrets.add(secret);
    },
  };
}

/**
 * Streams whose reader went away (`horde … | head`): further output is dropped instead of crashing the
 * process on EPIPE — a command that is following a job keeps following it, so the job still completes or
 * is cancelled as usual.
 */
const closed = new WeakSet<NodeJS.WriteStream>();
function guard(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  if (stream.listenerCount("error") === 0) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") closed.add(stream);
      else throw error;
    });
  }
  return stream;
}

function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (!closed.has(stream)) guard(stream).write(text);
}

/** A process stream as a Writer; whether it is a terminal, and its width, are read when asked (they change). */
function writer(stream: NodeJS.WriteStream): Writer {
  return {
    write: (text) => writeTo(stream, text),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** The real process: stdout, stderr, `process.env`, SIGINT/SIGTERM and `process.exit`. */
export function processIO(): RuntimeIO {
  return {
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    env: process.env,
    onSigint(handler) {
      const listener = () => handler();
      process.on("SIGINT", listener);
      process.on("SIGTERM", listener);
      return () => {
        process.off("SIGINT", listener);
        process.off("SIGTERM", listener);
      };
    },
    exit(code) {
      process.exit(code);
    },
    cwd: process.cwd(),
    async readStdin() {
      if (process.stdin.isTTY) process.stderr.write("horde: reading standard input; end it with Ctrl-D\n");
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}
