/** Text generation (docs/server/text.md#text): the requester's async, status and cancel (no `/check`); the worker's pop and submit. */
import { Hono } from "hono";
import type { HordeStore } from "../horde/store/store.js";
import { cancelText } from "../horde/text/cancel.js";
import { deliverText } from "../horde/text/deliver.js";
import { popText } from "../horde/text/pop.js";
import { getTextStatus } from "../horde/text/status.js";
import { submitText } from "../horde/text/submit.js";
import type { SubmitBody } from "../horde/workers/deliver.js";
import { handleCall, handleSubmit } from "../http/request.js";

export function textRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.post(
    "/v2/generate/text/async",
    handleSubmit("GenerationInputKobold", (body, caller) => submitText(store, body, caller)),
  );
  app.get("/v2/generate/text/status/:id", (c) => c.json(getTextStatus(store, c.req.param("id")), 200));
  app.delete("/v2/generate/text/status/:id", (c) => c.json(cancelText(store, c.req.param("id")), 200));

  app.post(
    "/v2/generate/text/pop",
    handleCall("PopInputKobold", (body, caller) => popText(store, body, caller)),
  );
  app.post(
    "/v2/generate/text/submit",
    handleCall<SubmitBody>("SubmitInputKobold", (body, caller) => deliverText(store, body, caller)),
  );
  return app;
}
