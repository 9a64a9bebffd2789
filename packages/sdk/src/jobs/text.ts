// Text jobs: poll their /status (there is no /check); with n > 1 they complete on n generations.
import {
  type TextGenerateAsyncPayload,
  TextGenerateAsyncRequest,
  TextGenerateAsyncResponse,
} from "../models/text/async.js";
import {
  DeleteTextGenerateRequest,
  type GenerationKobold,
  TextGenerateStatusRequest,
  type TextGenerateStatusResponse,
} from "../models/text/status.js";
import { type HordeJob, statusPolledKind } from "./job.js";
import type { RunJobOptions } from "./options.js";
import type { JobRecipe } from "./run.js";

/** What `client.generateText` and a text job's `wait()` resolve to. */
export interface GenerateTextResult {
  id: string;
  status: TextGenerateStatusResponse;
  /** The delivered generations (text, seed, model, worker), in order. */
  generations: readonly GenerationKobold[];
  /** Just the texts. */
  texts: string[];
}

/** A text request running on the horde: polled on /generate/text/status, which also carries the results. */
export type TextJob = HordeJob<TextGenerateStatusResponse, TextGenerateStatusResponse, GenerateTextResult>;
/** Options of `client.generateText`: signal, timeout, progress callback. */
export type GenerateTextOptions = RunJobOptions<TextGenerateStatusResponse, TextGenerateAsyncResponse>;

export const textRecipe: JobRecipe<
  TextGenerateAsyncRequest,
  TextGenerateAsyncPayload,
  TextGenerateAsyncResponse,
  TextGenerateStatusResponse,
  TextGenerateStatusResponse,
  GenerateTextResult
> = {
  request: TextGenerateAsyncRequest,
  accepted: TextGenerateAsyncResponse,
  kind: (expected) =>
    statusPolledKind(
      "text",
      {
        status: (id) => new TextGenerateStatusRequest({ id }),
        cancel: (id) => new DeleteTextGenerateRequest({ id }),
      },
      expected,
      async (status, job) => ({ id: job.id, status, generations: status.generations, texts: status.texts }),
    ),
};
