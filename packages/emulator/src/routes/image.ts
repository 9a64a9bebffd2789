/** Image generation (docs/server/image-requests.md#image-requests, docs/server/workers.md#workers): the requester's async, check, status, cancel and rate; the worker's pop and submit. */
import { Hono } from "hono";
import { cancelImage } from "../horde/image/cancel.js";
import { deliverImage } from "../horde/image/deliver.js";
import { popImage } from "../horde/image/pop.js";
import { type RatingInput, rateImage } from "../horde/image/rate.js";
import { checkImage, getImageStatus } from "../horde/image/status.js";
import { submitImage } from "../horde/image/submit.js";
import type { HordeStore } from "../horde/store/store.js";
import type { SubmitBody } from "../horde/workers/deliver.js";
import { handleCall, handleSubmit, readCall, requestOrigin } from "../http/request.js";

export function imageRoutes(store: HordeStore): Hono {
  const app = new Hono();

  app.post(
    "/v2/generate/async",
    handleSubmit("GenerationInputStable", (body, caller) => submitImage(store, body, caller)),
  );
  app.get("/v2/generate/check/:id", (c) => c.json(checkImage(store, c.req.param("id")), 200));
  app.get("/v2/generate/status/:id", (c) =>
    c.json(getImageStatus(store, c.req.param("id"), requestOrigin(c)), 200),
  );
  app.delete("/v2/generate/status/:id", (c) =>
    c.json(cancelImage(store, c.req.param("id"), requestOrigin(c)), 200),
  );
  app.post("/v2/generate/rate/:id", async (c) => {
    const { body } = await readCall<RatingInput>(c, "AestheticsPayload");
    return c.json(rateImage(store, c.req.param("id"), body), 200);
  });

  app.post(
    "/v2/generate/pop",
    handleCall("PopInputStable", (body, caller) => popImage(store, body, caller)),
  );
  app.post(
    "/v2/generate/submit",
    handleCall<SubmitBody>("SubmitInputStable", (body, caller) => deliverImage(store, body, caller)),
  );
  return app;
}
