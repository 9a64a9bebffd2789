/** Alchemy (docs/server/alchemy.md#alchemy): the requester's async, status and cancel; the alchemist's pop and submit. */
import { Hono } from "hono";
import { cancelAlchemy } from "../horde/alchemy/cancel.js";
import { deliverAlchemy, type FormSubmitBody } from "../horde/alchemy/deliver.js";
import { popAlchemy } from "../horde/alchemy/pop.js";
import { getAlchemyStatus } from "../horde/alchemy/status.js";
import { submitAlchemy } from "../horde/alchemy/submit.js";
import type { HordeStore } from "../horde/store/store.js";
import { handleCall, requestOrigin } from "../http/request.js";

export function alchemyRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.post(
    "/v2/interrogate/async",
    // docs/server/alchemy.md#alchemy: 202 with the id only (no `message`).
    handleCall("ModelInterrogationInputStable", (body, caller) => submitAlchemy(store, body, caller), 202),
  );
  app.get("/v2/interrogate/status/:id", (c) =>
    c.json(getAlchemyStatus(store, c.req.param("id"), requestOrigin(c)), 200),
  );
  app.delete("/v2/interrogate/status/:id", (c) =>
    c.json(cancelAlchemy(store, c.req.param("id"), requestOrigin(c)), 200),
  );

  app.post(
    "/v2/interrogate/pop",
    handleCall("InterrogationPopInput", (body, caller) => popAlchemy(store, body, caller)),
  );
  app.post(
    "/v2/interrogate/submit",
    handleCall<FormSubmitBody>("post_interrogate_submit", (body, caller) =>
      deliverAlchemy(store, body, caller),
    ),
  );
  return app;
}
