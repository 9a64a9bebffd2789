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
import type { AIHordeAPIClient } from "./client.js";
import { HordeJob, type JobKind, type JobWaitOptions } from "./job.js";
import { expectQueued, waitOptionsFrom } from "./job-options.js";

export interface GenerateTextResult {
  id: string;
  status: TextGenerateStatusResponse;
  /** The delivered generations (text, seed, model, worker), in order. */
  generations: readonly GenerationKobold[];
  /** Just the texts. */
  texts: string[];
}

export type TextJob = HordeJob<TextGenerateStatusResponse, TextGenerateStatusResponse, GenerateTextResult>;

export interface GenerateTextOptions extends JobWaitOptions<TextGenerateStatusResponse> {
  onSubmitted?: (response: TextGenerateAsyncResponse) => void;
}

/** Text jobs poll their /status (there is no /check); with n > 1 they complete on n generations. */
function textKind(
  expected: number,
): JobKind<TextGenerateStatusResponse, TextGenerateStatusResponse, GenerateTextResult> {
  return {
    name: "text",
    progressRequest: (id) => new TextGenerateStatusRequest({ id }),
    finalRequest: () => null,
    cancelRequest: (id) => new DeleteTextGenerateRequest({ id }),
    isDone: (status) => status.isJobComplete(expected),
    isFaulted: (status) => status.faulted,
    isPossible: (status) => status.is_possible,
    finish: async (status, job) => ({
      id: job.id,
      status,
      generations: status.generations,
      texts: status.texts,
    }),
  };
}

export async function submitText(
  client: AIHordeAPIClient,
  requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
  options: { signal?: AbortSignal } = {},
): Promise<TextJob> {
  const request =
    requestOrPayload instanceof TextGenerateAsyncRequest
      ? requestOrPayload
      : new TextGenerateAsyncRequest(requestOrPayload);
  expectQueued("TextGenerateAsyncRequest", request);
  const response = await client.submitJobRequest(request, options.signal);
  const accepted = expectQueued("TextGenerateAsyncResponse", request, response, TextGenerateAsyncResponse);
  return new HordeJob(client, textKind(request.getNumberOfResultsExpected()), accepted.id, accepted);
}

/** submit → poll /status → texts; cancelled on the server on any early exit. */
export async function generateText(
  client: AIHordeAPIClient,
  requestOrPayload: TextGenerateAsyncRequest | TextGenerateAsyncPayload,
  options: GenerateTextOptions = {},
): Promise<GenerateTextResult> {
  const job = await submitText(client, requestOrPayload, options);
  try {
    options.onSubmitted?.(job.submitted as TextGenerateAsyncResponse);
    return await job.wait(waitOptionsFrom(options));
  } finally {
    await job[Symbol.asyncDispose]();
  }
}
