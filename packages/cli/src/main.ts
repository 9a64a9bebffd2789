import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import {
  type CommandContext,
  defaultDeps,
  type GenerateDeps,
  registerGenerate,
} from "./commands/generate.js";
import { ExitCode } from "./errors.js";
import { type CliIO, withDefaults } from "./io.js";

export type { GenerateDeps, ImageJobClient, LocalEmulator } from "./commands/generate.js";
export { ExitCode } from "./errors.js";
export type { CliIO, Writer } from "./io.js";

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export const VERSION = readVersion();

/** Commander's `error: …` text (possibly with a suggestion on a second line) as one `horde: …` line. */
function oneErrorLine(text: string): string {
  const line = text
    .replace(/^error:\s*/i, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  return `horde: ${line}\n`;
}

function buildProgram(ctx: CommandContext): Command {
  const { io } = ctx;
  const program = new Command("horde");
  program
    .description("The AI Horde from the command line: generate images on aihorde.net or on a local emulator")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(oneErrorLine(text)),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    })
    .addHelpText(
      "after",
      [
        "",
        "Environment:",
        "  HORDE_URL           API base URL (default https://aihorde.net/api)",
        "  HORDE_API_KEY       API key (default the anonymous key 0000000000)",
        "  HORDE_CLIENT_AGENT  Client-Agent header, name:version:contact",
        "",
        "Exit codes:",
        "  0 ok, 1 job failed (faulted, impossible, expired), 2 usage or bad input,",
        "  3 server or network error (or timeout), 130 interrupted (the job was cancelled)",
      ].join("\n"),
    );
  registerGenerate(program, ctx);
  return program;
}

/** Commands and top-level flags: an argv that starts with one is already without `node` and the script. */
function isUserArgs(argv: readonly string[]): boolean {
  const first = argv[0];
  return first !== undefined && (first.startsWith("-") || first === "generate" || first === "help");
}

/**
 * Runs the `horde` command and resolves to its exit code; never throws. `argv` is `process.argv`-shaped
 * (node and the script first, then the arguments); an argv that starts with a command or a flag
 * (`["generate", "a cat", "--local"]`) is taken as the arguments alone. `io` replaces the process's
 * stdout, stderr, environment and signal handling (tests run the CLI in-process this way).
 */
export async function main(argv: string[], io?: CliIO, deps: GenerateDeps = defaultDeps): Promise<number> {
  const runtime = withDefaults(io);
  const args = isUserArgs(argv) ? argv : argv.slice(2);
  if (args.length === 0) {
    runtime.stderr.write("horde: missing command (try 'horde generate --help' or 'horde --help')\n");
    return ExitCode.Usage;
  }
  const ctx: CommandContext = { io: runtime, deps, version: VERSION, exitCode: ExitCode.Ok };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return ExitCode.Ok;
      return ExitCode.Usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    runtime.stderr.write(`horde: unexpected error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return ExitCode.JobFailed;
  }
  return ctx.exitCode;
}
