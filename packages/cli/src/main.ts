import { readFileSync } from "node:fs";
import { Command, CommanderError, type HelpContext } from "commander";
import { registerAlchemy } from "./commands/alchemy.js";
import { registerConfig } from "./commands/config.js";
import { registerGenerate } from "./commands/generate.js";
import { registerModels, registerUser, registerWorkers } from "./commands/info.js";
import { registerJobs } from "./commands/jobs.js";
import { registerKudos } from "./commands/kudos.js";
import { registerServe } from "./commands/serve.js";
import { registerStoredJobs } from "./commands/stored-jobs.js";
import { registerText } from "./commands/text.js";
import { registerWorker } from "./commands/worker.js";
import { maskApiKey } from "./config.js";
import { type CliDeps, type CommandContext, defaultDeps } from "./context.js";
import { ExitCode } from "./errors.js";
import { type CliIO, redactingIO, withDefaults } from "./io.js";

export type { CliDeps, CliDeps as GenerateDeps, LocalEmulator } from "./context.js";
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

/** `horde kudos` for the kudos command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Our commands. When a command group is called without a command (`horde kudos`) or `help` is asked about an
 * unknown one (`horde help paint`), commander prints the whole help on stderr and exits 0 or 1; like every
 * other usage error, that is one line and exit 2.
 */
class HordeCommand extends Command {
  override createCommand(name?: string): Command {
    return new HordeCommand(name);
  }

  override help(context?: HelpContext): never;
  /** @deprecated commander's old callback form; kept for the signature. */
  override help(cb: (str: string) => string): never;
  override help(context?: HelpContext | ((str: string) => string)): never {
    if (typeof context === "function") return super.help(context);
    if (!context?.error) return super.help(context);
    const path = commandPath(this);
    const [first, second] = this.args;
    const unknown = first === "help" ? second : first;
    const known = this.commands.map((c) => c.name()).filter((n) => n !== "help");
    const message =
      unknown !== undefined
        ? `unknown command '${unknown}' for '${path}' (see '${path} --help')`
        : `'${path}' needs a command: ${known.join(", ")} (see '${path} --help')`;
    return this.error(message, { exitCode: ExitCode.Usage, code: "horde.usage" });
  }
}

function buildProgram(ctx: CommandContext): Command {
  const { io } = ctx;
  const program = new HordeCommand("horde");
  program
    .description(
      "The AI Horde from the command line: images, text and alchemy on aihorde.net or a local emulator",
    )
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
        "Settings (flags > environment > config file, see 'horde config --help'):",
        "  HORDE_URL           API base URL (default https://aihorde.net/api)",
        "  HORDE_API_KEY       API key (default the anonymous key 0000000000); never printed",
        "  HORDE_CLIENT_AGENT  Client-Agent header, name:version:contact",
        "  HORDE_CONFIG        the config file (default ~/.config/horde/config.json); the job store",
        "                      of 'horde generate' is jobs.json beside it (see 'horde jobs')",
        "",
        "Output: a live progress line per job on a terminal, plain lines otherwise (stderr; TERM=dumb too);",
        "--json prints one document on stdout.",
        "",
        "Exit codes:",
        "  0 ok, 1 job failed (faulted, impossible, expired) or not found, 2 usage or bad input (nothing sent),",
        "  3 server or network error (or timeout), 130 interrupted (the job was cancelled)",
      ].join("\n"),
    );
  registerGenerate(program, ctx);
  registerText(program, ctx);
  registerAlchemy(program, ctx);
  registerJobs(program, ctx);
  registerStoredJobs(program, ctx);
  registerModels(program, ctx);
  registerWorkers(program, ctx);
  registerUser(program, ctx);
  registerKudos(program, ctx);
  registerServe(program, ctx);
  registerWorker(program, ctx);
  registerConfig(program, ctx);
  // Every (sub)command reports errors like the program: one line, exit 2.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showSuggestionAfterError(true);
      sub.configureOutput(program.configureOutput());
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Commands and top-level flags: an argv that starts with one is already without `node` and the script. */
function isUserArgs(argv: readonly string[], program: Command): boolean {
  const first = argv[0];
  if (first === undefined) return false;
  // commander keeps its help command apart from the registered ones.
  return first.startsWith("-") || first === "help" || program.commands.some((c) => c.name() === first);
}

/**
 * Runs the `horde` command and resolves to its exit code; never throws. `argv` is `process.argv`-shaped
 * (node and the script first, then the arguments); an argv that starts with a command or a flag
 * (`["generate", "a cat", "--local"]`) is taken as the arguments alone. `io` replaces the process's
 * stdout, stderr, environment and signal handling (tests run the CLI in-process this way).
 */
export async function main(argv: string[], io?: CliIO, deps: CliDeps = defaultDeps): Promise<number> {
  const { io: runtime, addSecret } = redactingIO(withDefaults(io), maskApiKey);
  const ctx: CommandContext = { io: runtime, deps, version: VERSION, exitCode: ExitCode.Ok, addSecret };
  const program = buildProgram(ctx);
  const args = isUserArgs(argv, program) ? argv : argv.slice(2);
  if (args.length === 0) {
    runtime.stderr.write("horde: missing command (try 'horde generate --help' or 'horde --help')\n");
    return ExitCode.Usage;
  }
  // A key given as a flag must not show even in a usage error about another flag.
  args.forEach((arg, i) => {
    if (arg === "--api-key" && args[i + 1] !== undefined) addSecret(args[i + 1] as string);
    if (arg.startsWith("--api-key=")) addSecret(arg.slice("--api-key=".length));
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // "commander.help" is `horde help <command>`; "commander.helpDisplayed" is --help.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return ExitCode.Ok;
      if (err.code === "commander.help") return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
      return ExitCode.Usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    runtime.stderr.write(`horde: unexpected error: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    return ExitCode.JobFailed;
  }
  return ctx.exitCode;
}
