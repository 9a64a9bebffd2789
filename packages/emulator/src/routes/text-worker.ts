/**
 * The worker's side of text generation (§6.1): POST /v2/generate/text/pop and /v2/generate/text/submit.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { missingParameter, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { isValidatedBackend, textCharge, textReward, tokensOf } from "../rules/text-kudos.js";
import { settleDelivery } from "../state/delivery.js";
import type { GenMetadata } from "../state/jobs.js";
import { sweep } from "../state/lifecycle.js";
import { popTextJob } from "../state/text-pop.js";
import type { WorkerDeclaration } from "../state/workers.js";
import { resolveSubmit } from "./job-submit.js";
import { checkInWorker, commonDeclaration, maintenanceRefusal } from "./worker-checkin.js";

interface TextSubmitBody {
  id: string;
  generation: string;
  state?: "ok" | "censored" | "faulted" | "csam";
  seed?: number;
  gen_metadata?: GenMetadata[];
}

export function textWorkerRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/text/pop", async (c) => {
    const body = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("PopInputKobold", body);
    const apikey = requireApiKey(c);
    if (typeof body.name !== "string")
      throw missingParameter("name", "The Name of the Worker.", "the JSON body");
    sweep(state);
    const { worker, priorityUserIds } = checkInWorker(
      ctx,
      apikey,
      textDeclaration(body),
      "InvalidPriorityUsername",
    );
    const result = popTextJob(state, worker, priorityUserIds);
    if (result.id === null && worker.maintenance) throw maintenanceRefusal(worker);
    return c.json(result, 200);
  });

  app.post("/v2/generate/text/submit", async (c) => {
    const raw = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("SubmitInputKobold", raw);
    const apikey = requireApiKey(c);
    if (typeof raw.generation !== "string") {
      throw missingParameter("generation", "The generated text.", "the JSON body");
    }
    const body = raw as unknown as TextSubmitBody;
    const target = resolveSubmit(ctx, c, "text", body.id, apikey, body.state);
    if (target.kind === "reply") return target.response;
    const { job, req, worker } = target;
    if (req.kind !== "text") throw new Error("unreachable: text submit resolved an image job");

    const genMetadata = body.gen_metadata ?? [];
    // §6.1: `censored` or `csam` (as state or csam metadata) marks the text censored; it is not charged.
    const csam = body.state === "csam" || genMetadata.some((m) => m.value === "csam");
    const censored = csam || body.state === "censored";
    const owner = state.users.findById(worker.ownerId);
    const reward = textReward({
      model: job.model,
      text: body.generation,
      prompt: req.prompt,
      maxLength: req.params.max_length,
      validatedBackend: isValidatedBackend(worker.bridgeAgent),
      trustedWorker: owner?.trusted ?? false,
    });
    job.seed = typeof body.seed === "number" ? body.seed : 0;
    job.delivered = {
      at: state.now(),
      censored,
      genMetadata,
      reward,
      text: body.generation,
      state: csam ? "csam" : censored ? "censored" : "ok",
    };
    settleDelivery(state, req, job, worker, {
      reward,
      charge: censored ? 0 : textCharge(reward),
      things: tokensOf(body.generation, req.params.max_length),
    });
    return c.json({ reward }, 200);
  });

  return app;
}

/** The parser's runtime defaults for a text pop (§6.1): `max_length` 512, `max_context_length` 2048. */
function textDeclaration(body: Record<string, unknown>): WorkerDeclaration {
  return {
    ...commonDeclaration("text", body),
    maxLength: typeof body.max_length === "number" ? body.max_length : 512,
    maxContextLength: typeof body.max_context_length === "number" ? body.max_context_length : 2048,
    softprompts: Array.isArray(body.softprompts) ? (body.softprompts as string[]) : [],
  };
}
