// Text, alchemy and worker job models: follow-up and cleanup types, completion rules, validation before
// sending, and what stays out of a log dump.
import {
  AlchemyAsyncRequest,
  AlchemyAsyncResponse,
  AlchemyDeleteRequest,
  AlchemyJobPopResponse,
  AlchemyJobSubmitRequest,
  AlchemyPopRequest,
  AlchemyStatusRequest,
  AlchemyStatusResponse,
  DeleteTextGenerateRequest,
  ImageGenerateJobPopRequest,
  ImageGenerateJobPopResponse,
  ImageGenerationJobSubmitRequest,
  JobSubmitResponse,
  TextGenerateAsyncDryRunResponse,
  TextGenerateAsyncRequest,
  TextGenerateAsyncResponse,
  TextGenerateJobPopRequest,
  TextGenerateJobPopResponse,
  TextGenerateStatusRequest,
  TextGenerateStatusResponse,
  TextGenerationJobSubmitRequest,
} from "horde-sdk";
import { alchemyFormDoc, progressDoc, textGenerationDoc } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const progress = progressDoc({ kudos: 0 });
const text = textGenerationDoc;
const form = alchemyFormDoc;

describe("text lifecycle models", () => {
  it("the async request follows up with the status and cleans up with DELETE; dry runs need nothing", () => {
    expect(TextGenerateAsyncResponse.getFollowUpDefaultRequestType()).toBe(TextGenerateStatusRequest);
    expect(TextGenerateAsyncResponse.getFollowUpFailureCleanupRequestType()).toBe(DeleteTextGenerateRequest);
    expect(TextGenerateAsyncRequest.getSuccessStatusResponsePairs()).toEqual({
      200: TextGenerateAsyncDryRunResponse,
      202: TextGenerateAsyncResponse,
    });
    const response = TextGenerateAsyncResponse.parse({ id: "t1", kudos: 0 });
    expect(response.requiresFollowUp()).toBe(true);
    expect(response.getFollowUpReturnedParams()).toEqual([{ id: "t1" }]);
    const [cleanup] = response.cleanupRequests({ client_agent: "me:1:x" });
    expect(cleanup).toBeInstanceOf(DeleteTextGenerateRequest);
    expect(cleanup?.toHttp("https://h/api")).toMatchObject({
      method: "DELETE",
      url: "https://h/api/v2/generate/text/status/t1",
      headers: { "Client-Agent": "me:1:x" },
    });
    expect(new TextGenerateAsyncRequest({ prompt: "hi" }).getRequiresFollowUp()).toBe(true);
    expect(new TextGenerateAsyncRequest({ prompt: "hi", dry_run: true }).getRequiresFollowUp()).toBe(false);
    expect(TextGenerateAsyncDryRunResponse.parse({ kudos: 12 }).requiresFollowUp()).toBe(false);
  });

  it("n > 1 completes on n generations (several may arrive between two polls), or when done", () => {
    const request = new TextGenerateAsyncRequest({ prompt: "hi", params: { n: 3 } });
    const n = request.getNumberOfResultsExpected();
    expect(n).toBe(3);
    const status = (count: number, done = false) =>
      TextGenerateStatusResponse.parse({
        ...progress,
        done,
        generations: Array.from({ length: count }, () => text("x")),
      });
    expect(status(1).isJobComplete(n)).toBe(false);
    expect(status(2).isJobComplete(n)).toBe(false);
    expect(status(3).isJobComplete(n)).toBe(true);
    expect(status(1, true).isJobComplete(n)).toBe(true); // cancelled with fewer results: nothing more comes
    expect(status(3).texts).toEqual(["x", "x", "x"]);
    expect(TextGenerateStatusResponse.isFinalFollowUp()).toBe(true);
    expect(TextGenerateStatusResponse.getFinalizeSuccessRequestType()).toBeNull(); // no /check for text
  });

  it("the text status is polled at /v2/generate/text/status/{id}; there is no /check", () => {
    expect(new TextGenerateStatusRequest({ id: "a/b" }).toHttp("https://h/api").url).toBe(
      "https://h/api/v2/generate/text/status/a%2Fb",
    );
  });

  it("validates text parameters against the contract before anything is sent", () => {
    expect(() => new TextGenerateAsyncRequest({ prompt: "x", params: { max_length: 8 } })).toThrow(
      /max_length/,
    );
    expect(() => new TextGenerateAsyncRequest({ prompt: "x", params: { n: 21 } })).toThrow(/params\.n/);
  });
});

describe("alchemy lifecycle models", () => {
  it("the async response follows up with the status and cleans up with DELETE", () => {
    expect(AlchemyAsyncRequest.getSuccessStatusResponsePairs()).toEqual({ 202: AlchemyAsyncResponse });
    expect(AlchemyAsyncResponse.getFollowUpDefaultRequestType()).toBe(AlchemyStatusRequest);
    expect(AlchemyAsyncResponse.getFollowUpFailureCleanupRequestType()).toBe(AlchemyDeleteRequest);
    const [cleanup] = AlchemyAsyncResponse.parse({ id: "a1" }).cleanupRequests();
    expect(cleanup?.toHttp("https://h/api")).toMatchObject({
      method: "DELETE",
      url: "https://h/api/v2/interrogate/status/a1",
    });
  });

  it("requires at least one form and an image; expects one result per form", () => {
    const request = new AlchemyAsyncRequest({
      forms: [{ name: "caption" }, { name: "RealESRGAN_x4plus" }],
      source_image: "https://example.com/cat.png",
    });
    expect(request.getNumberOfResultsExpected()).toBe(2);
    expect(request.getRequiresFollowUp()).toBe(true);
    expect(() => new AlchemyAsyncRequest({ forms: [], source_image: "x" })).toThrow(/forms/);
    expect(() => new AlchemyAsyncRequest({ forms: [{ name: "caption" }], source_image: "" })).toThrow(
      /source_image/,
    );
  });

  it("completes when every form is done or faulted (a faulted form never gets done)", () => {
    const status = (...forms: ReturnType<typeof form>[]) =>
      AlchemyStatusResponse.parse({ state: "processing", forms });
    const running = status(form("caption", "done", { caption: "a cat" }), form("nsfw", "processing"));
    expect(running.isJobComplete(2)).toBe(false);
    expect(running.done).toBe(false);
    const settled = status(form("caption", "done", { caption: "a cat" }), form("nsfw", "faulted"));
    expect(settled.isJobComplete(2)).toBe(true);
    expect(settled.done).toBe(true);
    expect(settled.faulted).toBe(false);
    expect(settled.captions).toEqual(["a cat"]);
    const upscaled = status(form("RealESRGAN_x4plus", "done", { RealESRGAN_x4plus: "https://r2/x.webp" }));
    expect(upscaled.imageUrls).toEqual([{ form: "RealESRGAN_x4plus", url: "https://r2/x.webp" }]);
    expect(status(form("caption", "faulted"), form("nsfw", "faulted")).faulted).toBe(true);
    expect(status(form("caption", "done")).isJobComplete(2)).toBe(false); // fewer forms than asked for
  });
});

describe("worker pop and submit models", () => {
  const imagePop = {
    id: null,
    ids: ["j1", "j2"],
    payload: { prompt: "a cat", seed: "1234", post_processing: ["RealESRGAN_x4plus", "GFPGAN"] },
    model: "stable_diffusion",
    r2_uploads: ["https://r2/up/j1", "https://r2/up/j2"],
    ttl: 150,
    messages: [{ id: "m1", message: "hello worker", origin: "mod", expiry: "2030-01-01T00:00:00" }],
    skipped: {},
  };

  it("an image pop names its submit, one faulted submit per job as cleanup, and its r2 upload URLs", () => {
    const pop = ImageGenerateJobPopResponse.parse(imagePop);
    expect(ImageGenerateJobPopResponse.getFollowUpDefaultRequestType()).toBe(ImageGenerationJobSubmitRequest);
    expect(pop.jobIds).toEqual(["j1", "j2"]);
    expect(pop.requiresFollowUp()).toBe(true);
    expect(pop.r2UploadFor("j2")).toBe("https://r2/up/j2");
    expect(pop.expiresAt).toBeCloseTo(pop.timeConstructed + 150);
    expect(pop.hasUpscaler && pop.hasFacefixer).toBe(true);
    expect(pop.messages?.[0]?.message).toBe("hello worker");
    const cleanups = pop.cleanupRequests({ client_agent: "w:1:x" });
    expect(cleanups.map((c) => c.body())).toEqual([
      { id: "j1", state: "faulted", generation: "faulted", seed: 1234 },
      { id: "j2", state: "faulted", generation: "faulted", seed: 1234 },
    ]);
    expect(cleanups[0]?.toHttp("https://h/api").url).toBe("https://h/api/v2/generate/submit");
  });

  it("an empty pop requires nothing and says why in skipped", () => {
    const pop = ImageGenerateJobPopResponse.parse({ id: null, ids: [], skipped: { models: 3, nsfw: 1 } });
    expect(pop.isEmpty).toBe(true);
    expect(pop.requiresFollowUp()).toBe(false);
    expect(pop.cleanupRequests()).toEqual([]);
    expect(pop.skipped?.models).toBe(3);
  });

  it("text and alchemy pops clean up with faulted submits too", () => {
    const text = TextGenerateJobPopResponse.parse({ ids: ["t1"], payload: { prompt: "hi" }, ttl: 150 });
    expect(TextGenerateJobPopResponse.getFollowUpFailureCleanupRequestType()).toBe(
      TextGenerationJobSubmitRequest,
    );
    expect(text.cleanupRequests().map((c) => c.body())).toEqual([
      { id: "t1", state: "faulted", generation: "faulted" },
    ]);
    const alchemy = AlchemyJobPopResponse.parse({
      forms: [
        { id: "f1", form: "caption", source_image: "https://x/i.png" },
        { id: "f2", form: "nsfw", source_image: "https://x/i.png" },
      ],
    });
    expect(alchemy.jobIds).toEqual(["f1", "f2"]);
    expect(alchemy.cleanupRequests().map((c) => [c.constructor, c.body()])).toEqual([
      [AlchemyJobSubmitRequest, { id: "f1", result: {}, state: "faulted" }],
      [AlchemyJobSubmitRequest, { id: "f2", result: {}, state: "faulted" }],
    ]);
    expect(AlchemyJobPopResponse.parse({ skipped: { untrusted: 1 } }).requiresFollowUp()).toBe(false);
  });

  it("pop requests require a follow-up; submits answer JobSubmitResponse", () => {
    expect(new ImageGenerateJobPopRequest({ name: "w", max_pixels: 262144 }).getRequiresFollowUp()).toBe(
      true,
    );
    expect(new TextGenerateJobPopRequest({ name: "w" }).getRequiresFollowUp()).toBe(true);
    expect(new AlchemyPopRequest({ name: "w", forms: ["caption"] }).getRequiresFollowUp()).toBe(true);
    expect(ImageGenerationJobSubmitRequest.getDefaultSuccessResponseType()).toBe(JobSubmitResponse);
    expect(TextGenerationJobSubmitRequest.getDefaultSuccessResponseType()).toBe(JobSubmitResponse);
    expect(AlchemyJobSubmitRequest.getDefaultSuccessResponseType()).toBe(JobSubmitResponse);
    // text submit: `seed` is read by the server though the body model lacks it
    expect(new TextGenerationJobSubmitRequest({ id: "t1", generation: "hello", seed: 3 }).body()).toEqual({
      id: "t1",
      generation: "hello",
      seed: 3,
    });
  });

  it("a base64 generation stays out of the submit's log dump; the API key never appears", () => {
    const submit = new ImageGenerationJobSubmitRequest({
      id: "j1",
      generation: "UklGRg...",
      seed: 1,
      apikey: "secret-secret-secret12",
    });
    const dump = submit.logSafeModelDump();
    expect(dump).not.toHaveProperty("generation");
    expect(JSON.stringify(dump)).not.toContain("secret");
  });
});
