/** Shared keys (docs/server/directory.md#shared-keys): `PUT /v2/sharedkeys`, `/v2/sharedkeys/{id}` (GET, PATCH, DELETE). */
import { Hono } from "hono";
import {
  createSharedKey,
  deleteSharedKey,
  getSharedKey,
  modifySharedKey,
  type SharedKeyFields,
} from "../horde/directory/sharedkeys.js";
import type { HordeStore } from "../horde/store/store.js";
import { type ArgSpec, type ArgSpecs, parseArgs, readSilentJson } from "../http/args.js";

const API_KEY: ArgSpec = { type: "str", location: "headers", required: true, help: "User API key." };

/** The key's fields; on creation the limits default to -1 and the budget to 5000. */
function fieldArgs(creating: boolean): ArgSpecs {
  const limit = (help: string): ArgSpec => ({
    type: "int",
    location: "json",
    help,
    ...(creating ? { default: -1 } : {}),
  });
  return {
    apikey: API_KEY,
    kudos: {
      type: "int",
      location: "json",
      help: "The amount of kudos limit available to this key.",
      ...(creating ? { default: 5000 } : {}),
    },
    expiry: creating
      ? limit("The amount of days which this key will stay active.")
      : limit("The amount of days from today which this key will stay active."),
    name: { type: "str", location: "json", help: "A descriptive name for this key." },
    max_image_pixels: limit("The maximum number of pixels this key can generate per job."),
    max_image_steps: limit("The maximum number of steps this key can use per job."),
    max_text_tokens: limit("The maximum number of tokens this key can generate per job."),
  };
}

const CREATE_ARGS = fieldArgs(true);
const PATCH_ARGS = fieldArgs(false);

export function sharedKeyRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.put("/v2/sharedkeys", async (c) => {
    const { apikey, ...fields } = parseArgs(c, await readSilentJson(c), CREATE_ARGS);
    return c.json(createSharedKey(store, apikey as string, fields as unknown as SharedKeyFields), 200);
  });
  app.get("/v2/sharedkeys/:id", (c) => c.json(getSharedKey(store, c.req.param("id")), 200));
  app.patch("/v2/sharedkeys/:id", async (c) => {
    const { apikey, ...fields } = parseArgs(c, await readSilentJson(c), PATCH_ARGS);
    const out = modifySharedKey(
      store,
      c.req.param("id"),
      apikey as string,
      fields as unknown as SharedKeyFields,
    );
    return c.json(out, 200);
  });
  app.delete("/v2/sharedkeys/:id", (c) => {
    const { apikey } = parseArgs(c, null, { apikey: API_KEY });
    return c.json(deleteSharedKey(store, c.req.param("id"), apikey as string), 200);
  });
  return app;
}
