/**
 * POST /v2/generate/submit (§5.3): a worker delivers (or gives up on) one job.
 */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err, INTERNAL_SERVER_ERROR } from "../http/errors.js";
import { missingParameter, readJsonBody, requireApiKey } from "../http/request.js";
import { validateBody } from "../http/validation.js";
import { resultKey } from "../r2/store.js";
import { burn, round2, workerReward } from "../rules/kudos.js";
import type { HordeState } from "../state/horde.js";
import { type GenMetadata, type Job, jobState } from "../state/jobs.js";
import { abortJob, sweep } from "../state/lifecycle.js";
import { thingsPerImage } from "../state/queue.js";
import { type ImageRequest, REQUEST_LIFETIME_MS } from "../state/requests.js";
import type { Worker } from "../state/workers.js";

const MAX_METADATA_ENTRIES = 50;

interface SubmitBody {
  id: string;
  generation: string;
  state?: "ok" | "censored" | "faulted" | "csam";
  seed: number;
  gen_metadata?: GenMetadata[];
}

export function generateSubmitRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.post("/v2/generate/submit", async (c) => {
    const raw = (await readJsonBody(c)) as Record<string, unknown>;
    validateBody("SubmitInputStable", raw);
    const apikey = requireApiKey(c);
    if (typeof raw.generation !== "string") {
      throw missingParameter(
        "generation",
        "R2 result was uploaded to R2, else the string of the result.",
        "the JSON body",
      );
    }
    const body = raw as unknown as SubmitBody;
    sweep(state);

    // 1. Unknown job (also one whose request expired and was deleted).
    const job = state.jobs.get(body.id);
    const req = job ? state.requests.get(job.requestId) : undefined;
    if (!job || !req)
      throw err.notFound(`Processing Generation with ID ${body.id} does not exist.`, "InvalidJobID");

    // 2. QUIRK(§5.3): an unknown key should be 401 InvalidAPIKey, but the server's log line reads a
    // parser field that does not exist, so the reply is a bare 500.
    const user = state.users.findByKey(apikey);
    if (!user) {
      ctx.logger.debug?.("submit with an unknown key: answering 500 like the server");
      return c.json(INTERNAL_SERVER_ERROR, 500);
    }
    const worker = state.workers.findById(job.workerId);
    if (!worker || worker.ownerId !== user.id) {
      throw err.forbidden("Wrong credentials to submit as this worker.", "WrongCredentials");
    }

    // 3. A worker-reported fault aborts (and maybe re-queues) the job; no reward.
    if (body.state === "faulted") {
      abortJob(state, req, job, state.now(), "worker");
      ctx.logger.debug?.("job faulted by its worker", { id: job.id, worker: worker.name });
      return c.json({ reward: 0 }, 200);
    }

    // 4. Only the first submit counts.
    const s = jobState(job);
    if (s === "finished")
      throw err.badRequest(`Processing Generation with ID ${job.id} already submitted.`, "DuplicateGen");
    if (s === "faulted") {
      throw err.badRequest(
        `Processing Generation with ID ${job.id} took too long to process and has been aborted. ` +
          "Please make sure your worker finishes within the job's ttl (at least 150 seconds).",
        "AbortedGen",
      );
    }

    // 5. Store the result, pay the worker, charge the requester.
    const reward = deliver(state, req, job, worker, body);
    if ((body.gen_metadata?.length ?? 0) > MAX_METADATA_ENTRIES) {
      // QUIRK(§5.3): refused only after the result was recorded.
      throw err.badRequest("Too many metadata fields.");
    }
    return c.json({ reward }, 200);
  });

  return app;
}

function deliver(state: HordeState, req: ImageRequest, job: Job, worker: Worker, body: SubmitBody): number {
  const now = state.now();
  if (body.generation !== "R2") {
    // The worker sent base64: the server uploads it to R2 itself (with a warning in its log).
    state.r2.put(resultKey(job.id), Buffer.from(body.generation, "base64"), "image/webp", now);
  }
  const genMetadata = body.gen_metadata ?? [];
  // The `censored` flag and `state: censored|csam` are ignored for images: only the metadata counts.
  const censored = genMetadata.some((m) => m.type === "censorship");
  const reward = workerReward(req.kudosPerImage, job.model, req.params);
  job.seed = body.seed;
  job.delivered = { at: now, censored, genMetadata, reward };

  const charge = censored
    ? 0
    : burn(reward, {
        sourceImage: req.sourceImage !== undefined,
        sourceMask: req.sourceMask !== undefined,
        sourceProcessing: req.sourceProcessing,
        slowWorkers: req.slowWorkers,
        workerBlacklist: req.workerBlacklist,
        postProcessing: req.params.post_processing ?? [],
      });
  req.consumedKudos = round2(req.consumedKudos + charge);
  const requester = state.users.findById(req.userId);
  if (requester) state.users.debit(requester, charge);
  const owner = state.users.findById(worker.ownerId);
  const credited = round2(reward * worker.bridge.rewardMultiplier);
  if (owner) state.users.credit(owner, credited);

  worker.fulfilled++;
  worker.kudosRewards = round2(worker.kudosRewards + credited);
  const seconds = Math.max((now - job.startedAt) / 1000, 0.001);
  state.workers.recordPerformance(worker, (thingsPerImage(req) * 1e6) / seconds);
  // A delivered image counts as activity: the request lives 20 more minutes (§1.5).
  req.expiresAt = now + REQUEST_LIFETIME_MS;
  return reward;
}
