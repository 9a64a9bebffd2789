/**
 * The requester's side of alchemy (§6.2): POST /v2/interrogate/async, GET and DELETE
 * /v2/interrogate/status/{id}.
 */
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import { metaOf } from "../http/meta.js";
import {
  clientAgent,
  missingParameter,
  readJsonBody,
  requestOrigin,
  requireApiKey,
} from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { formCharge, formKudos, isPostProcessorForm, MAX_SOURCE_TILES, tilesOf } from "../rules/alchemy.js";
import { maintenanceError, tooManyPrompts } from "../rules/common-validation.js";
import { ingestSourceImage } from "../rules/source-image.js";
import { type AlchemyForm, type Interrogation, interrogationState } from "../state/alchemy.js";
import type { HordeState } from "../state/horde.js";
import { sweep } from "../state/lifecycle.js";
import { REQUEST_LIFETIME_MS } from "../state/requests.js";

interface FormInput {
  name: string;
  payload?: Record<string, string>;
}

export interface InterrogationView {
  state: string;
  forms: { form: string; state: string; result: Record<string, unknown> | null }[];
}

/** The status (§6.2): post-processor results that say "R2" become presigned download URLs. */
export function interrogationView(state: HordeState, i: Interrogation, origin: string): InterrogationView {
  const now = state.now();
  return {
    state: interrogationState(i),
    forms: i.forms.map((f) => {
      let result = f.result;
      if (result && f.resultKey) {
        result = Object.fromEntries(
          Object.entries(result).map(([k, v]) => [
            k,
            v === "R2" ? state.r2.presign(origin, "GET", f.resultKey as string, now) : v,
          ]),
        );
      }
      return { form: f.name, state: f.state, result };
    }),
  };
}

function findInterrogation(state: HordeState, id: string): Interrogation {
  sweep(state);
  const i = state.interrogations.get(id);
  if (!i) throw err.notFound(`Interrogation with ID '${id}' not found.`, "RequestNotFound");
  return i;
}

/** Settles a form that is done or cancelled while processing: the worker is paid, the requester charged. */
export function settleForm(state: HordeState, i: Interrogation, form: AlchemyForm): void {
  const worker = form.workerId ? state.workers.findById(form.workerId) : undefined;
  const charge = formCharge(form.kudos, i.slowWorkers);
  i.consumedKudos += charge;
  const requester = state.users.findById(i.userId);
  if (requester) state.users.debit(requester, charge);
  if (worker) {
    const owner = state.users.findById(worker.ownerId);
    if (owner) {
      state.users.credit(owner, form.kudos);
      owner.records.fulfillment.interrogation += 1;
    }
    worker.fulfilled++;
    worker.kudosGenerated += form.kudos;
  }
  i.expiresAt = state.now() + REQUEST_LIFETIME_MS;
}

export function interrogateRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/interrogate/async", async (c) => {
    const body = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("ModelInterrogationInputStable", body);
    const apikey = requireApiKey(c);
    if (typeof body.source_image !== "string") {
      throw missingParameter("source_image", "The public URL of the image to interrogate.", "the JSON body");
    }
    const forms = (Array.isArray(body.forms) ? body.forms : []) as FormInput[];
    // Inferred: a request without forms has nothing to do and is refused.
    if (forms.length === 0) throw err.badRequest("You need to request at least one form.");
    sweep(state);
    const now = state.now();

    if (state.modes.maintenance || metaOf(c).maintenance === true) throw maintenanceError();
    const webhook = typeof body.webhook === "string" ? body.webhook : undefined;
    if (webhook !== undefined && !webhook.startsWith("https://")) {
      throw err.badRequest("webhook URL has to be https");
    }
    const user = state.users.findByKey(apikey);
    if (!user) throw err.invalidApiKey("interrogate");
    // §3.3: forms waiting or processing, plus the new ones, within 10× the concurrency.
    let open = 0;
    for (const i of state.interrogations.values()) {
      if (i.userId !== user.id) continue;
      open += i.forms.filter((f) => f.state === "waiting" || f.state === "processing").length;
    }
    if (open + forms.length > user.concurrency * 10) throw tooManyPrompts(user, open, user.concurrency * 10);

    const id = randomUUID();
    const source = await ingestSourceImage(state, body.source_image, `${id}_src.webp`, {
      maxTiles: MAX_SOURCE_TILES,
    });
    const tiles = tilesOf(source.width, source.height);
    const slowWorkers = typeof body.slow_workers === "boolean" ? body.slow_workers : true;
    const interrogation: Interrogation = {
      id,
      userId: user.id,
      clientAgent: clientAgent(c),
      createdAt: now,
      expiresAt: now + REQUEST_LIFETIME_MS,
      sourceUrl: source.url,
      sourceKey: source.key,
      tiles,
      width: source.width,
      height: source.height,
      slowWorkers,
      trustedWorkers: body.trusted_workers === true,
      webhook,
      // QUIRK(§6.2): duplicate form names are kept (the server's de-duplication never fills its list).
      forms: forms.map((f) => {
        const formId = randomUUID();
        return {
          id: formId,
          interrogationId: id,
          name: f.name,
          payload: f.payload,
          state: "waiting",
          result: null,
          workerId: null,
          poppedAt: null,
          aborts: 0,
          kudos: formKudos(f.name, tiles),
          ...(isPostProcessorForm(f.name) ? { resultKey: `${formId}.webp` } : {}),
        };
      }),
      consumedKudos: 0,
      cancelledAt: null,
    };
    state.addInterrogation(interrogation);
    user.records.request.interrogation += forms.length;
    // §6.2: 202 with the id only (no `message`).
    return c.json({ id }, 202);
  });

  app.get("/v2/interrogate/status/:id", (c) => {
    const i = findInterrogation(state, c.req.param("id"));
    return c.json(interrogationView(state, i, requestOrigin(c)), 200);
  });

  app.delete("/v2/interrogate/status/:id", (c) => {
    const i = findInterrogation(state, c.req.param("id"));
    // §6.2: processing forms are settled as if submitted, waiting ones cancelled for free.
    for (const form of i.forms) {
      if (form.state === "processing") settleForm(state, i, form);
      if (form.state === "processing" || form.state === "waiting") form.state = "cancelled";
    }
    if (i.cancelledAt === null) i.cancelledAt = state.now();
    return c.json(interrogationView(state, i, requestOrigin(c)), 200);
  });

  return app;
}
