/**
 * The requester's side of text generation (§6.1): POST /v2/generate/text/async, GET and DELETE
 * /v2/generate/text/status/{id}. There is no `/text/check`: clients poll the status.
 */
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, HordeApiError } from "../http/errors.js";
import { metaOf } from "../http/meta.js";
import { clientAgent, missingParameter, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { activeThreads, availableKudos, commonValidation } from "../rules/common-validation.js";
import { textDryRun, textHold, textMaxTokens, textRequiresUpfront } from "../rules/text-kudos.js";
import { validateTextRequest } from "../rules/text-validation.js";
import type { HordeState } from "../state/horde.js";
import { jobState } from "../state/jobs.js";
import { cancelRequest, sweep } from "../state/lifecycle.js";
import { counters, isPossible, type StatusCheck, statusCheck } from "../state/progress.js";
import { REQUEST_LIFETIME_MS, type TextRequest } from "../state/requests.js";
import { withTextDefaults } from "../state/text-request.js";
import { initialPriority, NO_WORKER_MESSAGE } from "./generate-async.js";

/** Text pays 1 at activation (§9.2). */
const TEXT_ACTIVATION_TAX = 1;

export interface TextGenerationView {
  worker_id: string;
  worker_name: string;
  model: string;
  state: "ok" | "censored" | "csam";
  text: string;
  seed: number;
  gen_metadata: { type: string; value: string; ref?: string }[];
}

export function textStatusView(
  state: HordeState,
  req: TextRequest,
): StatusCheck & {
  generations: TextGenerationView[];
} {
  const generations: TextGenerationView[] = [];
  for (const job of state.jobsOf(req)) {
    if (jobState(job) !== "finished" || !job.delivered) continue;
    generations.push({
      worker_id: job.workerId,
      worker_name: job.workerName,
      model: job.model,
      state: job.delivered.state ?? "ok",
      text: job.delivered.text ?? "",
      seed: job.seed,
      gen_metadata: job.delivered.genMetadata,
    });
  }
  return { ...statusCheck(state, req), generations };
}

function findTextRequest(state: HordeState, id: string): TextRequest {
  sweep(state);
  const req = state.findRequest("text", id);
  if (!req) throw err.notFound(`Text Waiting Prompt (Status) with ID '${id}' not found.`, "RequestNotFound");
  return req;
}

export function textGenerateRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/text/async", async (c) => {
    const body = await readJsonBody(c);
    validateBody("GenerationInputKobold", body);
    const apikey = requireApiKey(c);
    const input = withTextDefaults(body as Record<string, unknown>);
    // The prompt is not required by the schema, but by the parser (inferred).
    if (input.prompt === undefined) {
      throw missingParameter(
        "prompt",
        "The prompt which will be sent to KoboldAI to generate text.",
        "the JSON body",
      );
    }
    const agent = clientAgent(c);
    sweep(state);
    const now = state.now();

    if (input.style !== undefined) {
      throw err.notFound(`Style with ID '${input.style}' not found.`, "StyleNotFound");
    }
    const user = commonValidation(state, {
      kind: "text",
      apikey,
      webhook: input.webhook,
      proxiedAccount: input.proxiedAccount,
      extraSourceImages: input.extraSourceImages.length,
      prompt: input.prompt,
      workers: input.workers,
      n: input.n,
      disableBatching: input.disableBatching,
      models: input.models,
      maintenance: state.modes.maintenance || metaOf(c).maintenance === true,
    });
    validateTextRequest(input);

    // Upfront kudos (§6.1): long outputs or no slow workers need the hold available.
    const params = { ...input.params };
    const maxTokens = textMaxTokens(activeThreads(state, "text"), queuedTexts(state));
    let hold = 0;
    if (textRequiresUpfront(input.slowWorkers, params.max_length, maxTokens)) {
      const needed = textHold(input.models, params.max_length, input.n);
      if (availableKudos(state, user) < needed) {
        if (!input.allowDowngrade || !input.slowWorkers) {
          throw new HordeApiError(
            403,
            "KudosUpfront",
            `Due to heavy demand, for requests over ${maxTokens} tokens or without slow workers, the client ` +
              `needs to already have the required kudos. This request requires ${needed} kudos to fulfil.`,
          );
        }
        params.max_length = maxTokens;
      } else {
        hold = needed;
      }
    }

    if (input.dryRun) {
      return c.json({ kudos: textDryRun(input.models, input.prompt, params.max_length, input.n) }, 200);
    }

    const req: TextRequest = {
      kind: "text",
      id: randomUUID(),
      userId: user.id,
      clientAgent: agent,
      createdAt: now,
      expiresAt: now + REQUEST_LIFETIME_MS,
      prompt: input.prompt,
      params,
      models: input.models,
      softprompt: input.softprompt,
      validatedBackends: input.validatedBackends,
      trustedWorkers: input.trustedWorkers,
      slowWorkers: input.slowWorkers,
      extraSlowWorkers: input.extraSlowWorkers,
      workers: input.workers,
      workerBlacklist: input.workerBlacklist,
      disableBatching: input.disableBatching,
      webhook: input.webhook,
      remaining: input.n,
      jobCount: input.n,
      kudosPerImage: 0,
      consumedKudos: TEXT_ACTIVATION_TAX,
      upfrontHold: hold,
      basePriority: initialPriority(user),
      queuedMs: 0,
      queuedSince: now,
      faulted: false,
      cancelledAt: null,
    };
    state.users.debit(user, TEXT_ACTIVATION_TAX);
    user.records.request.text += input.n;
    state.addRequest(req);
    ctx.logger.debug?.("text request queued", { id: req.id, user: user.username, n: input.n });

    // QUIRK(§6.1): the live 202 says kudos 0 — the per-job kudos is only computed for dry runs.
    const body202: { id: string; kudos: number; message?: string } = { id: req.id, kudos: 0 };
    if (!isPossible(state, req, counters(state, req))) body202.message = NO_WORKER_MESSAGE;
    return c.json(body202, 202);
  });

  app.get("/v2/generate/text/status/:id", (c) => {
    const req = findTextRequest(state, c.req.param("id"));
    return c.json(textStatusView(state, req), 200);
  });

  app.delete("/v2/generate/text/status/:id", (c) => {
    const req = findTextRequest(state, c.req.param("id"));
    // QUIRK(§1.4): the snapshot from before the cancel.
    const before = textStatusView(state, req);
    cancelRequest(state, req);
    return c.json(before, 200);
  });

  return app;
}

/** Text jobs waiting or in progress, for the upfront rule (§6.1). */
function queuedTexts(state: HordeState): number {
  let total = 0;
  for (const r of state.requestsOf("text")) {
    if (r.faulted) continue;
    const c = counters(state, r);
    total += c.waiting + c.processing;
  }
  return total;
}
