/** Accounts (docs/server/auth-and-headers.md#auth-and-headers, docs/server/directory.md#directory): GET /v2/find_user, /v2/users and /v2/users/{id}. */
import { Hono } from "hono";
import { findUser, getUser, listUsers } from "../horde/directory/users.js";
import type { HordeStore } from "../horde/store/store.js";

export function userRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.get("/v2/find_user", (c) => c.json(findUser(store, c.req.header("apikey")), 200));
  app.get("/v2/users", (c) => {
    const page = Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1);
    const sort = c.req.query("sort") === "age" ? "age" : "kudos";
    return c.json(listUsers(store, page, sort), 200);
  });
  app.get("/v2/users/:id", (c) => c.json(getUser(store, c.req.param("id"), c.req.header("apikey")), 200));
  return app;
}
