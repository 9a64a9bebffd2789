/** GET /v2/find_user, /v2/users and /v2/users/{id} (§4, §7). */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import type { User } from "../state/users.js";
import { type Privilege, userDetails } from "../views/user-details.js";

const PAGE_SIZE = 25;

export function userRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  // The apikey is required in code, not by the parser: missing → 401, unknown → 404 (the message
  // echoes the key back, as the server's does).
  app.get("/v2/find_user", (c) => {
    const apikey = c.req.header("apikey");
    if (!apikey) throw err.invalidApiKey("find user");
    const user = state.users.findByKey(apikey);
    if (!user) throw err.notFound(`User with API Key '${apikey}' not found.`, "UserNotFound");
    return c.json(userDetails(state, user, 1), 200);
  });

  app.get("/v2/users", (c) => {
    const page = Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1);
    const sort = c.req.query("sort") === "age" ? "age" : "kudos";
    if (page > 10_000) return c.json([], 200);
    const users = state.users
      .all()
      .filter((u) => !u.deleted)
      .sort((a, b) => (sort === "age" ? a.id - b.id : b.kudos - a.kudos));
    const slice = users.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    return c.json(
      slice.map((u) => userDetails(state, u, 0)),
      200,
    );
  });

  app.get("/v2/users/:id", (c) => {
    const raw = c.req.param("id");
    // QUIRK(§7): only the digits of `alias#id` are accepted.
    const user = /^\d+$/.test(raw) ? state.users.findById(Number(raw)) : undefined;
    if (!user) {
      throw err.notFound(
        `User with ID '${raw}' not found. Please use only the numerical part of the userID. ` +
          "E.g. the '1' in 'db0#1'.",
        "UserNotFound",
      );
    }
    return c.json(userDetails(state, user, privilegeOver(ctx, c.req.header("apikey"), user)), 200);
  });

  return app;
}

/** An optional key: a moderator gets privilege 2, the user itself 1, an unknown key is a 401. */
function privilegeOver(ctx: EmulatorContext, apikey: string | undefined, user: User): Privilege {
  if (!apikey) return 0;
  const caller = ctx.state.users.findByKey(apikey);
  if (!caller) throw err.invalidApiKey("get user");
  if (caller.moderator) return 2;
  return caller.id === user.id && !caller.anonymous ? 1 : 0;
}
