/**
 * `POST /v2/generate/rate/{id}` (docs/server/image-requests.md#ratings): aesthetic ratings of a finished
 * request. Only shared requests
 * (in practice the SDXL_beta comparison model) can be rated. Simplified: the ratings are not forwarded
 * anywhere, so the `AestheticsServer*` errors never happen.
 */
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { counters, isDone } from "../progress.js";
import { jobState } from "../store/jobs.js";
import type { HordeStore } from "../store/store.js";

interface Rating {
  id: string;
  rating: number;
  artifacts?: number;
}

export interface RatingInput {
  best?: string;
  ratings?: Rating[];
}

export function rateImage(store: HordeStore, id: string, body: RatingInput): { reward: number } {
  sweep(store);
  const req = store.findRequest("image", id);
  if (!req) throw err.notFound(`Image Waiting Prompt with ID '${id}' not found.`, "RequestNotFound");
  const bad = (rc: string, message: string) => err.badRequest(message, rc);
  if (!req.shared) throw bad("AestheticsNotPublic", "Only shared generations can be rated.");
  if (!isDone(req, counters(store, req)))
    throw bad("AestheticsNotCompleted", "The generation is not finished.");
  if (req.rated) throw bad("AestheticsAlreadyExist", "This generation has already been rated.");
  const ratings = body.ratings ?? [];
  if (body.best === undefined && ratings.length === 0)
    throw bad("AestheticsMissing", "Send `best` or `ratings`.");
  const delivered = new Set(
    store
      .jobsOf(req)
      .filter((j) => jobState(j) === "finished")
      .map((j) => j.id),
  );
  for (const id of [...ratings.map((r) => r.id), ...(body.best ? [body.best] : [])]) {
    if (!delivered.has(id))
      throw bad("ProcGenNotFound", `Generation with ID ${id} not found in this request.`);
  }
  if (new Set(ratings.map((r) => r.id)).size !== ratings.length) {
    throw bad("AestheticsDuplicate", "Each image can be rated once.");
  }
  if (body.best !== undefined && delivered.size < 2) throw bad("AestheticsSolo", "`best` needs 2+ images.");
  // docs/server/image-requests.md#ratings: 5 per rating, +5 per artifacts rating, or 15 for best only; at
  // most the consumed kudos − 1.
  const earned =
    ratings.length > 0 ? ratings.reduce((sum, r) => sum + 5 + (r.artifacts !== undefined ? 5 : 0), 0) : 15;
  const reward = Math.max(0, Math.min(earned, Math.round(req.consumedKudos) - 1));
  req.rated = true;
  const requester = store.users.findById(req.userId);
  if (requester && reward > 0) store.users.credit(requester, reward, "awarded");
  return { reward };
}
