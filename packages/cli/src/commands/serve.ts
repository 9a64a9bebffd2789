/** `horde serve`: the emulator as an HTTP server, for apps, scripts and test suites that speak HTTP. */
import { type Command, InvalidArgumentError } from "commander";
import type { Emulator, EmulatorOptions } from "horde-emulator";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { fail } from "../follow.js";
import { table } from "../output/table.js";
import { decimalIn, integerIn } from "../parse.js";

export interface SeedUser {
  username: string;
  kudos: number;
  apikey?: string;
}

interface ServeFlags {
  port: number;
  host: string;
  devWorkers: number;
  textWorkers?: number;
  alchemyWorkers?: number;
  speed?: number;
  models?: string[];
  textModels?: string[];
  rateLimits: boolean;
  ui: boolean;
  seedUser?: SeedUser[];
  adminToken?: string;
  json?: boolean;
  verbose?: boolean;
  httpsWebhooksOnly?: boolean;
}

/** The `--json` line `horde serve` prints once it listens. */
export interface ServeJson {
  url: string;
  origin: string;
  port: number;
  admin_url: string;
  /** What the admin API asks for: `Authorization: Bearer <admin_token>`. */
  admin_token: string;
  rate_limits: boolean;
  anonymous_key: string;
  users: { username: string; id: number; apikey: string; kudos: number }[];
  dev_workers: { name: string; type: string }[];
}

/** `--seed-user NAME:KUDOS[:APIKEY]`, repeatable. */
export function seedUser(value: string, previous: SeedUser[] | undefined): SeedUser[] {
  const [name = "", kudos = "", ...rest] = value.split(":");
  const apikey = rest.join(":");
  if (!/^[^#:\s][^#:]*$/.test(name.trim()) || !/^\d+(\.\d+)?$/.test(kudos.trim())) {
    throw new InvalidArgumentError("Must be NAME:KUDOS or NAME:KUDOS:APIKEY, e.g. alice:1000.");
  }
  if (rest.length > 0 && apikey.trim().length < 6) {
    throw new InvalidArgumentError("The API key must have at least 6 characters.");
  }
  const user: SeedUser = { username: name.trim(), kudos: Number(kudos) };
  if (rest.length > 0) user.apikey = apikey.trim();
  return [...(previous ?? []), user];
}

/** `--admin-token`: long enough not to be guessed over the network. */
export function adminToken(value: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(value)) {
    throw new InvalidArgumentError("Must be at least 16 printable characters, without spaces.");
  }
  return value;
}

/** `--models a,b`: comma-separated names (model names contain spaces and parentheses, never commas). */
export function modelList(value: string): string[] {
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (names.length === 0) throw new InvalidArgumentError("Name at least one model, e.g. Deliberate.");
  return names;
}

export function registerServe(program: Command, ctx: CommandContext): Command {
  return program
    .command("serve")
    .description("run a local AI Horde emulator over HTTP, with dev workers, until Ctrl-C")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", integerIn(0, 65535), 7001)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--dev-workers <N>", "image dev workers (draw real WebP pictures)", integerIn(0, 50), 1)
    .option("--text-workers <N>", "text dev workers (default: as many as --dev-workers)", integerIn(0, 50))
    .option(
      "--alchemy-workers <N>",
      "alchemy dev workers (default: as many as --dev-workers)",
      integerIn(0, 50),
    )
    .option(
      "--models <a,b,...>",
      "image models the dev workers serve (default: every model of the AI Horde's image model reference)",
      modelList,
    )
    .option(
      "--text-models <a,b,...>",
      "text models the dev text workers serve (default: koboldcpp/LLaMA2-13B-Psyfighter2)",
      modelList,
    )
    .option("--speed <x>", "make the dev workers this many times faster, 0.01-1000", decimalIn(0.01, 1000))
    .option("--no-rate-limits", "turn off the horde's rate limits (they are on, as on aihorde.net)")
    .option(
      "--no-ui",
      "do not serve the web page at / (it watches the horde and submits prompts with horde-sdk)",
    )
    .option(
      "--seed-user <name:kudos[:apikey]>",
      "create a user (with this API key, if given); repeatable (default: dev:1000)",
      seedUser,
    )
    .option(
      "--admin-token <token>",
      "token the admin API asks for (env HORDE_EMULATOR_TOKEN; default: a random one, printed)",
      adminToken,
    )
    .option(
      "--https-webhooks-only",
      "refuse http:// webhooks on loopback too, as aihorde.net does (by default a local receiver may use http)",
    )
    .option("-v, --verbose", "log the emulator's warnings to stderr")
    .option("--json", "print one JSON line with the URL, users and keys once listening")
    .addHelpText(
      "after",
      [
        "",
        "Prints the base URL and the API keys of the users it created, then serves until Ctrl-C (or SIGTERM).",
        "The emulator's own admin API is under <origin>/_emulator/ (users, stats, faults, clock); it asks for",
        "'Authorization: Bearer <token>' with the admin token printed at start. Other origins get no CORS.",
        "",
        "Examples:",
        "  horde serve",
        '  horde serve --dev-workers 2 --models "AlbedoBase XL (SDXL),Deliberate"',
        "  horde serve --port 0 --seed-user alice:500:alice-test-key-1 --no-rate-limits --json",
        '  HORDE_URL=http://127.0.0.1:7001/api HORDE_API_KEY=<key> horde generate "a cat"',
      ].join("\n"),
    )
    .action(async (flags: ServeFlags) => {
      ctx.exitCode = await runServe(flags, ctx);
    });
}

async function runServe(flags: ServeFlags, ctx: CommandContext): Promise<number> {
  const io = ctx.io;
  const text = flags.textWorkers ?? flags.devWorkers;
  const alchemy = flags.alchemyWorkers ?? flags.devWorkers;
  const devWorkers = [
    ...Array.from({ length: flags.devWorkers }, () => ({ type: "image" as const })),
    ...Array.from({ length: text }, () => ({ type: "text" as const })),
    ...Array.from({ length: alchemy }, () => ({ type: "alchemy" as const })),
  ];
  const users = flags.seedUser ?? [{ username: "dev", kudos: 1000 }];
  const envToken = io.env.HORDE_EMULATOR_TOKEN;
  let token = flags.adminToken;
  if (token === undefined && envToken) {
    try {
      token = adminToken(envToken);
    } catch (e) {
      return fail(ctx, new UsageError(`HORDE_EMULATOR_TOKEN: ${(e as Error).message}`));
    }
  }
  const write = (prefix: string) => (message: string) => io.stderr.write(`emulator: ${prefix}${message}\n`);
  const options = {
    devWorkers,
    rateLimits: flags.rateLimits !== false,
    ui: flags.ui !== false,
    users,
    logger: flags.verbose ? { warn: write("warning: "), error: write("error: "), info: write("") } : {},
    ...(flags.speed !== undefined ? { devWorkerSpeed: flags.speed } : {}),
    ...(flags.httpsWebhooksOnly ? { webhooks: { httpOnLoopback: false } } : {}),
    ...(token !== undefined ? { adminToken: token } : {}),
    ...(flags.models ? { models: flags.models } : {}),
    ...(flags.textModels ? { textModels: flags.textModels } : {}),
  } as EmulatorOptions;

  let emulator: Emulator;
  let beyondThisMachine: boolean;
  try {
    const { createEmulator, isLoopbackHost } = await import("horde-emulator");
    emulator = createEmulator(options);
    beyondThisMachine = !isLoopbackHost(flags.host);
  } catch (err) {
    return fail(
      ctx,
      new CliError(`cannot start the emulator: ${(err as Error).message}`, ExitCode.JobFailed),
    );
  }
  let info: Awaited<ReturnType<Emulator["listen"]>>;
  try {
    info = await emulator.listen({ port: flags.port, host: flags.host });
  } catch (err) {
    await emulator.close().catch(() => {});
    const code = (err as { code?: unknown }).code;
    if (code === "EADDRINUSE") {
      return fail(
        ctx,
        new CliError(
          `port ${flags.port} is in use; pick another with --port (0 picks a free one)`,
          ExitCode.Server,
        ),
      );
    }
    if (code === "EACCES") {
      return fail(
        ctx,
        new CliError(`not allowed to listen on port ${flags.port}; try one above 1024`, ExitCode.Server),
      );
    }
    return fail(
      ctx,
      new CliError(
        `cannot listen on ${flags.host}:${flags.port}: ${(err as Error).message}`,
        ExitCode.Server,
      ),
    );
  }

  const description = emulator.describe();
  const shown = description.users.filter(
    (u) =>
      u.apikey !== description.anonymousKey &&
      u.username !== "DevWorkerOwner" &&
      !u.username.startsWith("DevWorkerOwner#"),
  );
  const doc: ServeJson = {
    url: info.url,
    origin: info.origin,
    port: info.port,
    admin_url: `${info.origin}/_emulator/`,
    admin_token: description.adminToken,
    rate_limits: description.rateLimits,
    anonymous_key: description.anonymousKey,
    users: shown.map((u) => ({ username: u.username, id: u.id, apikey: u.apikey, kudos: u.kudos })),
    dev_workers: description.devWorkers.map((w) => ({ name: w.name, type: w.type })),
  };

  if (beyondThisMachine) {
    io.stderr.write(
      `horde: warning: listening on ${info.origin}, reachable from other machines: anyone who can reach it can use the API (the admin API still needs the token)\n`,
    );
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    const lines = [
      `AI Horde emulator on ${info.url}`,
      `  dev workers:  ${doc.dev_workers.map((w) => `${w.name} (${w.type})`).join(", ") || "none"}`,
      `  image models: ${flags.models?.join(", ") ?? "every model of the AI Horde's reference (stable_diffusion, AlbedoBase XL (SDXL), Deliberate, …; --models to choose)"}`,
      `  rate limits:  ${doc.rate_limits ? "on" : "off"}`,
      `  admin API:    ${doc.admin_url}  (Authorization: Bearer <admin token>)`,
      `  admin token:  ${doc.admin_token}`,
      ...(flags.ui !== false ? [`  web page:     ${info.origin}/?token=${doc.admin_token}`] : []),
      "  users and API keys:",
      ...table(
        [
          ...doc.users.map((u): [string, string, string] => [u.username, `${u.kudos} kudos`, u.apikey]),
          ["anonymous", "", doc.anonymous_key] as [string, string, string],
        ],
        [
          { header: "", value: ([name]) => `   ${name}` },
          { header: "", value: ([, kudos]) => kudos, align: "right" },
          { header: "", value: ([, , key]) => key },
        ],
        { headers: false },
      ).split("\n"),
      "",
      `Try:  HORDE_URL=${info.url} HORDE_API_KEY=${doc.users[0]?.apikey ?? doc.anonymous_key} horde generate "a lighthouse"`,
      "Press Ctrl-C to stop.",
    ];
    io.stdout.write(`${lines.join("\n")}\n`);
  }

  await new Promise<void>((resolveStop) => {
    const unregister = io.onSigint(() => {
      unregister();
      resolveStop();
    });
  });
  if (!flags.json) io.stderr.write("horde: stopping the emulator…\n");
  // The dev workers fault what they are still generating, so no job is left to time out.
  await emulator.close().catch(() => {});
  return ExitCode.Ok;
}
