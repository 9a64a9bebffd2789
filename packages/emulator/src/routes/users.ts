/**
 * Accounts and kudos (docs/server/directory.md#find-user, docs/server/directory.md#users,
 * docs/server/directory.md#user-edits, docs/server/directory.md#kudos-transfer): `/v2/find_user`,
 * `/v2/users`, `/v2/users/{id}` (GET, PUT, DELETE), `/v2/kudos/transfer`, `/v2/kudos/award`.
 * Each handler reads its arguments in the server's order (its checks before the parser included).
 */
import { type Context, Hono } from "hono";
import { type AwardInput, awardKudos, transferKudos } from "../horde/directory/kudos.js";
import {
  deleteUser,
  findUser,
  findUserById,
  getUser,
  listUsers,
  modifyUser,
} from "../horde/directory/users.js";
import type { HordeStore } from "../horde/store/store.js";
import { type ArgSpecs, parseArgs, readSilentJson } from "../http/args.js";
import { editById } from "../http/edit.js";

const LIST_ARGS: ArgSpecs = {
  page: {
    type: "int",
    location: "args",
    default: 1,
    help: "Which page of results to return. Each page has 25 users.",
  },
  sort: { type: "str", location: "args", default: "kudos", help: "How to sort the returned list." },
};

const flag = { type: "bool", location: "json" } as const;
const EDIT_ARGS: ArgSpecs = {
  apikey: { type: "str", location: "headers", required: true, help: "The Admin API ." },
  kudos: { type: "int", location: "json", help: "The amount of kudos to modify (can be negative)." },
  concurrency: {
    type: "int",
    location: "json",
    help: "The amount of concurrent request this user can have.",
  },
  usage_multiplier: {
    type: "float",
    location: "json",
    help: "The amount by which to multiply the users kudos consumption.",
  },
  worker_invited: {
    type: "int",
    location: "json",
    help: "Set to the amount of workers this user is allowed to join to the horde when in worker invite-only mode.",
  },
  moderator: { ...flag, help: "Set to true to Make this user a horde moderator." },
  public_workers: { ...flag, help: "Set to true to Make this user a display their worker IDs." },
  username: {
    type: "str",
    location: "json",
    help: "When specified, will change the username. No profanity allowed!",
  },
  monthly_kudos: {
    type: "int",
    location: "json",
    help: "When specified, will start assigning the user monthly kudos, starting now!",
  },
  trusted: {
    ...flag,
    help: "When set to true,the user and their servers will not be affected by suspicion.",
  },
  flagged: {
    ...flag,
    help: "When set to true, the user cannot tranfer kudos and all their workers are put into permanent maintenance.",
  },
  customizer: {
    ...flag,
    help: "When set to true, the user will be able to serve custom Stable Diffusion models which do not exist in the Official AI Horde Model Reference.",
  },
  vpn: {
    ...flag,
    help: "When set to true, the user will be able to onboard workers behind a VPN. This should be used as a temporary solution until the user is trusted.",
  },
  service: flag,
  education: flag,
  special: { ...flag, help: "When set to true, the user will be marked as special." },
  undelete: flag,
  contact: { type: "str", location: "json" },
  admin_comment: { type: "str", location: "json" },
  reset_suspicion: flag,
  generate_proxy_passkey: flag,
};

/** The arguments of a kudos movement: the sender's key, who receives (`receiver`) and how much. */
const kudosArgs = (receiver: string, verb: string): ArgSpecs => ({
  apikey: { type: "str", location: "headers", required: true, help: "The sending user's API key." },
  username: {
    type: "str",
    location: "json",
    required: true,
    help: `The ${receiver} which will receive the kudos.`,
  },
  amount: { type: "int", location: "json", default: 100, help: `The amount of kudos to ${verb}.` },
});

const TRANSFER_ARGS: ArgSpecs = {
  ...kudosArgs("user or shared key ID", "transfer"),
  "Idempotency-Key": {
    type: "str",
    location: "headers",
    help: "Optional retry key; repeated successful transfers with the same key are applied once.",
  },
};

const AWARD_ARGS = kudosArgs("user ID", "award");

/** A kudos movement's arguments, read the way the server does (a body it cannot read is no body). */
async function readKudosArgs(
  c: Context,
  specs: ArgSpecs,
): Promise<{ move: AwardInput; args: Record<string, unknown> }> {
  const args = parseArgs(c, await readSilentJson(c), specs);
  const move = {
    apikey: args.apikey as string,
    username: args.username as string | null,
    amount: args.amount as number | null,
  };
  return { move, args };
}

export function userRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/find_user", (c) => c.json(findUser(store, c.req.header("apikey")), 200));
  app.get("/v2/users", (c) => {
    const args = parseArgs(c, null, LIST_ARGS);
    return c.json(listUsers(store, args.page as number, args.sort as string), 200);
  });
  app.get("/v2/users/:id", (c) => c.json(getUser(store, c.req.param("id"), c.req.header("apikey")), 200));
  app.put("/v2/users/:id", editById(store, "ModifyUserInput", EDIT_ARGS, findUserById, modifyUser));
  app.delete("/v2/users/:id", (c) =>
    c.json(deleteUser(store, c.req.param("id"), c.req.header("apikey")), 200),
  );

  app.post("/v2/kudos/transfer", async (c) => {
    const { move, args } = await readKudosArgs(c, TRANSFER_ARGS);
    const idempotencyKey = args["Idempotency-Key"] as string | null;
    return c.json(transferKudos(store, { ...move, idempotencyKey }), 200);
  });
  app.post("/v2/kudos/award", async (c) => {
    const { move } = await readKudosArgs(c, AWARD_ARGS);
    return c.json(awardKudos(store, move) as object, 200);
  });
  return app;
}
