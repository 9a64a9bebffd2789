/**
 * The alchemist's side (§6.2): POST /v2/interrogate/pop and /v2/interrogate/submit.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, INTERNAL_SERVER_ERROR } from "../http/errors.js";
import { missingParameter, readJsonBody, requestOrigin, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { type AlchemyForm, abortForm, type Interrogation } from "../state/alchemy.js";
import type { HordeState } from "../state/horde.js";
import { sweep } from "../state/lifecycle.js";
import { REQUEST_LIFETIME_MS } from "../state/requests.js";
import type { Worker, WorkerDeclaration } from "../state/workers.js";
import { settleForm } from "./interrogate.js";
import { checkInWorker, commonDeclaration, maintenanceRefusal } from "./worker-checkin.js";

export function interrogateWorkerRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/interrogate/pop", async (c) => {
    const body = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("InterrogationPopInput", body);
    const apikey = requireApiKey(c);
    if (typeof body.name !== "string")
      throw missingParameter("name", "The Name of the Worker.", "the JSON body");
    sweep(state);
    // QUIRK(§8.3): a bad priority username is plain BadRequest on the alchemy pop.
    const { worker, priorityUserIds } = checkInWorker(ctx, apikey, alchemistDeclaration(body), "BadRequest");
    const amount = typeof body.amount === "number" && body.amount > 0 ? body.amount : 1;

    const { forms, skipped } = pickForms(state, worker, priorityUserIds, amount);
    if (forms.length === 0) {
      if (worker.maintenance) throw maintenanceRefusal(worker);
      return c.json({ skipped }, 200);
    }
    const now = state.now();
    const origin = requestOrigin(c);
    const out = forms.map(({ form, interrogation }) => {
      form.state = "processing";
      form.workerId = worker.id;
      form.poppedAt = now;
      interrogation.expiresAt = now + REQUEST_LIFETIME_MS;
      const source = interrogation.sourceKey
        ? state.r2.presign(origin, "GET", interrogation.sourceKey, now)
        : interrogation.sourceUrl;
      return {
        id: form.id,
        form: form.name,
        payload: form.payload ?? {},
        source_image: source,
        ...(form.resultKey ? { r2_upload: state.r2.presign(origin, "PUT", form.resultKey, now) } : {}),
      };
    });
    return c.json({ forms: out }, 200);
  });

  app.post("/v2/interrogate/submit", async (c) => {
    const body = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("post_interrogate_submit", body);
    const apikey = requireApiKey(c);
    sweep(state);
    const form = state.forms.get(body.id as string);
    const interrogation = form ? state.interrogations.get(form.interrogationId) : undefined;
    if (!form || !interrogation) {
      throw err.notFound(`Interrogation Form with ID ${String(body.id)} does not exist.`, "InvalidJobID");
    }
    const user = state.users.findByKey(apikey);
    // QUIRK(§6.2, §5.3): an unknown key most likely answers a bare 500 on the server.
    if (!user) return c.json(INTERNAL_SERVER_ERROR, 500);
    const worker = form.workerId ? state.workers.findById(form.workerId) : undefined;
    if (form.state === "processing" && (!worker || worker.ownerId !== user.id)) {
      throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
    }
    if (body.state === "faulted") {
      abortForm(form);
      return c.json({ reward: 0 }, 200);
    }
    if (form.state !== "processing") {
      if (worker?.maintenance) return c.json({ reward: 0 }, 200);
      throw err.badRequest(`Interrogation Form with ID ${form.id} is not processing.`, "DuplicateGen");
    }
    form.result = body.result as Record<string, unknown>;
    settleForm(state, interrogation, form);
    form.state = "done";
    return c.json({ reward: form.kudos }, 200);
  });

  return app;
}

interface Picked {
  form: AlchemyForm;
  interrogation: Interrogation;
}

/**
 * Waiting forms this alchemist can do, owner and priority users first, then by age. A worker that names
 * no forms gets `caption` (§6.2). Forms of sources with more tiles than `max_tiles` are left out.
 */
function pickForms(
  state: HordeState,
  worker: Worker,
  priorityUserIds: ReadonlySet<number>,
  amount: number,
): { forms: Picked[]; skipped: Record<string, number> } {
  const served = worker.forms.length > 0 ? worker.forms : ["caption"];
  const all = [...state.interrogations.values()].sort((a, b) => a.createdAt - b.createdAt);
  const ordered = [
    ...all.filter((i) => priorityUserIds.has(i.userId)),
    ...all.filter((i) => !priorityUserIds.has(i.userId)),
  ];
  const owner = state.users.findById(worker.ownerId);
  const picked: Picked[] = [];
  const skipped: Record<string, number> = {};
  for (const interrogation of ordered) {
    if (interrogation.tiles > worker.maxTiles) continue;
    for (const form of interrogation.forms) {
      if (picked.length >= amount) break;
      if (form.state !== "waiting" || !served.includes(form.name)) continue;
      if (interrogation.trustedWorkers && !owner?.trusted) {
        skipped.untrusted = (skipped.untrusted ?? 0) + 1;
        continue;
      }
      picked.push({ form, interrogation });
    }
  }
  return { forms: picked, skipped };
}

/** The parser's runtime defaults for an alchemy pop (§6.2): `max_tiles` 80 (the swagger says 16). */
function alchemistDeclaration(body: Record<string, unknown>): WorkerDeclaration {
  return {
    ...commonDeclaration("interrogation", body),
    forms: Array.isArray(body.forms) ? (body.forms as string[]) : [],
    maxTiles: typeof body.max_tiles === "number" ? body.max_tiles : 80,
  };
}
