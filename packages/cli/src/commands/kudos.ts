/** `horde kudos transfer <user> <amount>`: move kudos to another account, safely repeatable. */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { ANONYMOUS_API_KEY } from "../config.js";
import { addConnectionOptions, type ConnectionFlags, withConnection } from "../connection.js";
import type { CommandContext } from "../context.js";
import { CliError, ExitCode, toCliError, UsageError } from "../errors.js";
import { loadSdk } from "../lazy.js";
import { neverSent } from "../network-errors.js";
import { kudosAmount, nonEmptyText } from "../parse.js";

interface TransferFlags extends ConnectionFlags {
  idempotencyKey?: string;
}

/** The `--json` document of `horde kudos transfer`. */
export interface TransferJson {
  username: string;
  transferred: number;
  idempotency_key: string;
}

export function registerKudos(program: Command, ctx: CommandContext): Command {
  const kudos = program.command("kudos").description("move kudos to another account (horde kudos transfer)");
  const transfer = kudos
    .command("transfer")
    .description("transfer kudos from your account to another one")
    .argument("<username>", "the receiving account, as alias#id (e.g. alice#1234)")
    .argument("<amount>", "whole kudos to send", kudosAmount)
    .option(
      "--idempotency-key <key>",
      "repeat a transfer safely: the server moves the kudos only once per key (default: a new one)",
      nonEmptyText,
    );
  addConnectionOptions(transfer, { timeout: true, json: "print one JSON document on stdout" })
    .addHelpText(
      "after",
      [
        "",
        "A transfer is never retried automatically (it could move kudos twice). If the connection fails,",
        "run the same command again with the --idempotency-key printed in the error: the server moves the",
        "kudos at most once per key.",
        "",
        "Examples:",
        "  horde kudos transfer alice#1234 100",
        "  horde kudos transfer alice#1234 100 --idempotency-key 2b7c…   # the retry of a failed transfer",
      ].join("\n"),
    )
    .action(async (username: string, amount: number, flags: TransferFlags) => {
      const key = flags.idempotencyKey ?? randomUUID();
      ctx.exitCode = await withConnection(
        ctx,
        flags,
        {
          timeoutSeconds: flags.timeout,
          prepare: async (config) => {
            if (!/^.+#\d+$/.test(username.trim())) {
              throw new UsageError(
                `the receiver must be a username with its number, like alice#1234 (got '${username}')`,
              );
            }
            if (config.apiKey === ANONYMOUS_API_KEY) {
              throw new UsageError(
                "the anonymous key has no kudos to transfer: set HORDE_API_KEY or --api-key",
              );
            }
          },
        },
        async (conn) => {
          const { AIHordeRequestError, HordeConnectionError, HordeTimeoutError, KudosTransferRequest } =
            await loadSdk();
          const request = new KudosTransferRequest({
            username: username.trim(),
            amount,
            idempotency_key: key,
          });
          let transferred: number;
          try {
            const response = await conn.client.submitRequest(request, { signal: conn.signal });
            transferred = response.transferred ?? amount;
          } catch (err) {
            if (err instanceof HordeConnectionError && neverSent(err)) {
              throw new CliError(
                `${toCliError(err, conn.errorContext()).message}; no kudos were moved`,
                ExitCode.Server,
              );
            }
            if (err instanceof HordeConnectionError || err instanceof HordeTimeoutError) {
              // The POST may have reached the server: say how to find out without moving the kudos twice.
              throw new CliError(
                `the transfer may or may not have happened (${err.message.replace(/\s*\n\s*/g, " ")}); ` +
                  `to retry safely, run the same command with --idempotency-key ${key}`,
                ExitCode.Server,
              );
            }
            if (err instanceof AIHordeRequestError && err.status === 404) {
              throw new CliError(`no user ${username} on the server`, ExitCode.Usage);
            }
            throw err;
          }
          if (flags.json) {
            const doc: TransferJson = { username: username.trim(), transferred, idempotency_key: key };
            ctx.io.stdout.write(`${JSON.stringify(doc)}\n`);
          } else {
            ctx.io.stdout.write(`transferred ${transferred} kudos to ${username.trim()}\n`);
          }
          return ExitCode.Ok;
        },
      );
    });
  return kudos;
}
