/**
 * Workers (docs/server/directory.md#workers, docs/server/directory.md#worker-edits,
 * docs/server/directory.md#worker-messages): `/v2/workers`, `/v2/workers/name/{name}`,
 * `/v2/workers/{id}` (GET, PUT, DELETE) and `/v2/workers/messages…`. The messages' paths are registered
 * first: they are not worker ids.
 */
import { Hono } from "hono";
import {
  createMessage,
  deleteMessage,
  getMessage,
  listMessages,
  type MessageQuery,
  type NewMessage,
} from "../horde/directory/messages.js";
import {
  deleteWorker,
  findWorker,
  getWorkerById,
  getWorkerByName,
  listWorkers,
  modifyWorker,
} from "../horde/directory/workers.js";
import type { HordeStore } from "../horde/store/store.js";
import { type ArgSpecs, parseArgs, readValidatedBody } from "../http/args.js";
import { editById } from "../http/edit.js";

const API_KEY = { type: "str", location: "headers", required: true, help: "User API key." } as const;

const EDIT_ARGS: ArgSpecs = {
  apikey: { ...API_KEY, help: "The Moderator or Owner API key." },
  maintenance: {
    type: "bool",
    location: "json",
    help: "Set to true to put this worker into maintenance.",
  },
  maintenance_msg: {
    type: "str",
    location: "json",
    help: "if maintenance is True, You can optionally provide a message to be used instead of the default maintenance message, so that the owner is informed.",
  },
  paused: { type: "bool", location: "json", help: "Set to true to pause this worker." },
  info: {
    type: "str",
    location: "json",
    help: "You can optionally provide a server note which will be seen in the server details. No profanity allowed!",
  },
  name: {
    type: "str",
    location: "json",
    help: "When this is set, it will change the worker's name. No profanity allowed!",
  },
  team: {
    type: "str",
    location: "json",
    help: "The team ID towards which this worker contributes kudos.",
  },
};

const LIST_MESSAGES_ARGS: ArgSpecs = {
  apikey: API_KEY,
  user_id: {
    type: "str",
    location: "args",
    help: "Filter the messages by user id (numerical). If user is not moderator, they can only see their own messages.",
  },
  worker_id: { type: "str", location: "args", help: "Filter the messages by worker id (numerical)." },
  validity: {
    type: "str",
    location: "args",
    default: "active",
    help: "Filter messages based on whether they're expired or not. Possible values are 'active', 'expired' and 'all",
  },
  page: {
    type: "int",
    location: "args",
    default: 1,
    help: "Which page of results to return. Each page has 50 messages.",
  },
};

const NEW_MESSAGE_ARGS: ArgSpecs = {
  apikey: API_KEY,
  worker_id: { type: "str", location: "json", help: "The worker ID to send the message to." },
  expiry: {
    type: "int",
    location: "json",
    help: "The amount of hours from now which this key will stay active. Max 30 days.",
  },
  // The server's help text for the message says what it says.
  message: {
    type: "str",
    location: "json",
    required: true,
    help: "Filter the messages by worker id (numerical).",
  },
  origin: {
    type: "str",
    location: "json",
    default: "AI Horde Moderators",
    help: "Set the origin of the message. Moderator only. Non-moderators always set their own ID.",
  },
};

export function workerRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/workers", (c) => {
    const filter = { name: c.req.query("name"), type: c.req.query("type") };
    return c.json(listWorkers(store, filter, c.req.header("apikey")), 200);
  });

  app.get("/v2/workers/messages", (c) => {
    const query = parseArgs(c, null, LIST_MESSAGES_ARGS) as unknown as MessageQuery;
    return c.json(listMessages(store, query), 200);
  });
  app.post("/v2/workers/messages", async (c) => {
    const body = await readValidatedBody(c, "ResponseModelMessage");
    const input = parseArgs(c, body, NEW_MESSAGE_ARGS) as unknown as NewMessage;
    return c.json(createMessage(store, input), 200);
  });
  app.get("/v2/workers/messages/:id", (c) => c.json(getMessage(store, c.req.param("id")), 200));
  app.delete("/v2/workers/messages/:id", (c) => {
    const { apikey } = parseArgs(c, null, { apikey: API_KEY });
    return c.json(deleteMessage(store, c.req.param("id"), apikey as string), 200);
  });

  app.get("/v2/workers/name/:name", (c) =>
    c.json(getWorkerByName(store, c.req.param("name"), c.req.header("apikey")), 200),
  );
  app.get("/v2/workers/:id", (c) =>
    c.json(getWorkerById(store, c.req.param("id"), c.req.header("apikey")), 200),
  );
  app.put("/v2/workers/:id", editById(store, "ModifyWorkerInput", EDIT_ARGS, findWorker, modifyWorker));
  app.delete("/v2/workers/:id", (c) => {
    const worker = findWorker(store, c.req.param("id"));
    return c.json(deleteWorker(store, worker, c.req.header("apikey")), 200);
  });
  return app;
}
