/**
 * Kudos between accounts (docs/server/directory.md#kudos-transfer): `POST /v2/kudos/transfer` and
 * `POST /v2/kudos/award`. The server books both through its ledger and may show the new balances a
 * moment later; the emulator books them at once.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { availableKudos } from "../requests/checks.js";
import { sharedKeyProblem, UNLIMITED } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { User } from "../store/users.js";

export interface TransferInput {
  apikey: string;
  /** `alias#id`, or a shared key's id (its owner receives); null when the body sent null. */
  username: string | null;
  amount: number | null;
  idempotencyKey: string | null;
}

/** Every refused transfer is a 400 with its own rc. */
const refused = (message: string, rc: string) => refuse.badRequest(message, rc);

/** The checks run in the server's order; the first failure is the answer. */
export function transferKudos(store: HordeStore, input: TransferInput): { transferred: number } {
  const now = store.now();
  // QUIRK(docs/server/directory.md#kudos-transfer): the server fails on a null username or amount.
  if (input.username === null) throw err.internal();
  const source = store.users.findByKey(input.apikey);
  if (!source) throw err.invalidApiKey(`kudos transfer to: ${input.username}`);
  if (source.anonymous) {
    throw refused("You cannot transfer Kudos from Anonymous, smart-ass.", "KudosTransferFromAnon");
  }
  let dest = store.users.findByUsername(input.username);
  const key = dest ? undefined : store.sharedKeys.find(input.username);
  if (!dest) {
    if (!key) throw refused("Invalid target username.", "InvalidTargetUsername");
    const problem = sharedKeyProblem(key, now);
    if (problem?.rc === "SharedKeyExpired") throw refused(problem.message, problem.rc);
    dest = store.users.findById(key.ownerId);
    if (!dest) throw refused("Invalid target username.", "InvalidTargetUsername");
  }
  if (dest.anonymous) {
    throw refused(
      "Tried to burn kudos via sending to Anonymous. Assuming PEBKAC and aborting.",
      "KudosTransferToAnon",
    );
  }
  if (dest === source) throw refused("Cannot send kudos to yourself, ya monkey!", "KudosTransferToSelf");
  if (input.amount === null) throw err.internal();
  checkAccounts(store, source, dest, input.amount, now);

  if (input.idempotencyKey !== null) {
    const earlier = store.transfers.byKey(source.id, input.idempotencyKey);
    if (earlier) {
      if (earlier.destId !== dest.id || earlier.amount !== input.amount) {
        throw refused(
          "Idempotency key was already used with different transfer parameters.",
          "IdempotencyKeyConflict",
        );
      }
      return { transferred: input.amount };
    }
  }
  if (availableKudos(store, source) < input.amount)
    throw refused("Not enough kudos.", "KudosTransferNotEnough");
  store.users.modifyKudos(source, -input.amount, dest.education ? "donated" : "gifted");
  store.users.modifyKudos(dest, input.amount, "received");
  store.transfers.record(source.id, dest.id, now, input.idempotencyKey, input.amount);
  // A transfer to a shared key tops up its budget.
  if (key && key.kudos !== UNLIMITED) key.kudos += input.amount;
  return { transferred: input.amount };
}

function checkAccounts(store: HordeStore, source: User, dest: User, amount: number, now: number): void {
  if (store.transfers.sentRecently(dest.id, source.id, now)) {
    throw refused(
      "This user transferred kudos to you very recently. Please wait at least 1 minute.",
      "TooFastKudosTransfers",
    );
  }
  if (source.flagged) {
    // QUIRK(docs/server/directory.md#kudos-transfer): the sender's flag is reported as the target's.
    throw refused(
      "The target account has been flagged for suspicious activity and tranferring kudos to them is blocked.",
      "SourceAccountFlagged",
    );
  }
  if (source.education) {
    throw refused("Education accounts cannot transfer kudos away", "EducationCannotSendKudos");
  }
  if (dest.flagged) {
    throw refused(
      "Your account has been flagged for suspicious activity. Please contact the mods.",
      "TargetAccountFlagged",
    );
  }
  if (dest.deleted) {
    throw refused("This destination account has been scheduled for deletion and is disabled", "DeletedUser");
  }
  if (source.deleted) {
    throw refused("This source account has been scheduled for deletion and is disabled", "DeletedUser");
  }
  if (amount < 0) throw refused("Nice try...", "NegativeKudosTransfer");
  if (amount === 0) throw refused("Transfer amount must be positive.", "InvalidKudosTransferAmount");
}

export interface AwardInput {
  apikey: string;
  username: string | null;
  amount: number | null;
}

/**
 * Only the horde's admins award kudos (the server allows its first account, its admin); any amount,
 * negative ones included. QUIRK(docs/server/directory.md#kudos-transfer): an award to a flagged user is
 * not made, and the answer is the server's mis-marshalled `[{"awarded": null}, {"awarded": null}]`.
 */
export function awardKudos(store: HordeStore, input: AwardInput): unknown {
  const user = store.users.findByKey(input.apikey);
  if (!user) throw err.invalidApiKey(`kudos transfer to: ${input.username}`);
  if (user.deleted) throw refuse.deletedUser();
  if (!user.admin) {
    throw refuse.forbidden(
      "Only special people can award kudos. Now you're very special as well, just not the right kind.",
      "NotAllowedAwards",
    );
  }
  if (input.username === null) throw err.internal();
  const dest = store.users.findByUsername(input.username);
  if (!dest) throw refused("Invalid target username.", "InvalidAwardUsername");
  if (dest.anonymous) throw refused("Cannot award anon. No go.", "KudosAwardToAnon");
  if (dest.flagged) return [{ awarded: null }, { awarded: null }];
  if (input.amount === null) throw err.internal();
  store.users.modifyKudos(dest, input.amount, "awarded");
  return { awarded: input.amount };
}
