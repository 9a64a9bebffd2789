// One test (or more) per row of the seed mapping table in DESIGN.md.
import { readFileSync } from "node:fs";
import {
  AIHordeAPIClient,
  DeleteImageGenerateRequest,
  Generation,
  HordeValidationError,
  ImageGenerateAsyncDryRunResponse,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
  ImageGenerateCheckRequest,
  ImageGenerateCheckResponse,
  ImageGenerateStatusRequest,
  ImageGenerateStatusResponse,
  ImageGeneration,
  setModelLogger,
  silentLogger,
} from "horde-sdk";
import { imageGenerationDoc, imageStatusDoc, progressDoc, WORKER_ID } from "horde-test-support/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";

const WORKER = WORKER_ID;
const gen = imageGenerationDoc;
const statusDoc = (ids: string[]) => imageStatusDoc(ids);
const progress = progressDoc({
  finished: 1,
  waiting: 0,
  done: true,
  wait_time: 0,
  queue_position: 0,
  kudos: 13,
});

afterEach(() => {
  setModelLogger(silentLogger);
});

describe("Generation", () => {
  it("has model, state, worker_id, worker_name and keeps unknown state values", () => {
    const g = Generation.parse({ model: "m", state: "ok", worker_id: WORKER, worker_name: "w" });
    expect([g.model, g.state, g.worker_id, g.worker_name]).toEqual(["m", "ok", WORKER, "w"]);
    expect(Generation.parse({ state: "brand_new_state" }).state).toBe("brand_new_state");
    expect(Generation.getApiModelName()).toBe("Generation");
  });

  it("worker_id accepts any string, as the Python SDK does (the contract's 36 characters are a UUID's)", () => {
    expect(Generation.parse({ state: "ok", worker_id: "dev-worker-1" }).worker_id).toBe("dev-worker-1");
    expect(ImageGeneration.parse(gen("a", { worker_id: "w" })).worker_id).toBe("w");
    expect(() => Generation.parse({ state: "ok", worker_id: 5 })).toThrow(HordeValidationError);
  });

  it("models are frozen at run time, not only readonly in the types", () => {
    const g = ImageGeneration.parse(gen("a1"));
    expect(Object.isFrozen(g)).toBe(true);
    expect(() => {
      (g as unknown as { id: string }).id = "b";
    }).toThrow(TypeError);
    const status = ImageGenerateStatusResponse.parse(statusDoc(["a", "b"]));
    expect(Object.isFrozen(status)).toBe(true);
    expect(Object.isFrozen(status.generations)).toBe(true);
    expect(() => (status.generations as ImageGeneration[]).push(g)).toThrow(TypeError);
    expect(Object.isFrozen(new ImageGenerateStatusRequest({ id: "x" }))).toBe(true);
  });
});

describe("ImageGeneration", () => {
  it("extends Generation with id, img, seed (a string), censored, gen_metadata", () => {
    const g = ImageGeneration.parse(
      gen("a1", { gen_metadata: [{ type: "censorship", value: "nsfw" }], censored: true }),
    );
    expect(g).toBeInstanceOf(Generation);
    expect(g.id).toBe("a1");
    expect(g.seed).toBe("12345");
    expect(g.censored).toBe(true);
    expect(g.gen_metadata?.[0]).toEqual({ type: "censorship", value: "nsfw" });
    expect(ImageGeneration.getApiModelName()).toBe("GenerationStable");
    // Type-level (checked by tsconfig.tests.json in npm test): wire fields keep their contract types.
    const typed: { readonly id: string; readonly seed?: string | null; readonly censored?: boolean | null } =
      g;
    expect(typed.id).toBe("a1");
  });

  it("validate_id: an empty id logs a warning and is replaced by a fresh UUID", () => {
    const warn = vi.fn();
    setModelLogger({ ...silentLogger, warn });
    const g = ImageGeneration.parse(gen(""));
    expect(g.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(warn).toHaveBeenCalledOnce();
    expect(ImageGeneration.parse(gen("")).id).not.toBe(g.id);
  });

  it("rejects a seed that is not a string, naming the field", () => {
    const error = catchError(() => ImageGeneration.parse(gen("a", { seed: 5 })));
    expect(error).toBeInstanceOf(HordeValidationError);
    expect((error as HordeValidationError).field).toBe("seed");
  });

  it("equals/hashKey compare by id", () => {
    const a = ImageGeneration.parse(gen("same", { seed: "1" }));
    const b = ImageGeneration.parse(gen("same", { seed: "2" }));
    const c = ImageGeneration.parse(gen("other"));
    expect(a.equals(b)).toBe(true);
    expect(a.hashKey()).toBe(b.hashKey());
    expect(a.equals(c)).toBe(false);
  });
});

describe("ImageGenerateStatusResponse", () => {
  it("parses the contract's example and exposes all progress fields", () => {
    const path = new URL(
      "../../../../../shared/conformance/horde-sdk-examples/example_responses/_v2_generate_status_id_get_200.json",
      import.meta.url,
    );
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      json = statusDoc(["x"]);
    }
    const r = ImageGenerateStatusResponse.parse(json);
    for (const f of Object.keys(progressDoc())) {
      expect(r).toHaveProperty(f);
    }
    expect(r.generations[0]).toBeInstanceOf(ImageGeneration);
    expect(r.shared).toBe(false);
  });

  it("getApiModelName, isFinalFollowUp, getFinalizeSuccessRequestType", () => {
    expect(ImageGenerateStatusResponse.getApiModelName()).toBe("RequestStatusStable");
    expect(ImageGenerateStatusResponse.isFinalFollowUp()).toBe(true);
    expect(ImageGenerateStatusResponse.getFinalizeSuccessRequestType()).toBeNull();
    expect(ImageGenerateCheckResponse.getFinalizeSuccessRequestType()).toBe(ImageGenerateStatusRequest);
  });

  it("isJobComplete(n) counts generations; isJobPossible reads is_possible", () => {
    const r = ImageGenerateStatusResponse.parse(statusDoc(["a", "b"]));
    expect(r.isJobComplete(2)).toBe(true);
    expect(r.isJobComplete(3)).toBe(false);
    expect(r.isJobPossible()).toBe(true);
    expect(ImageGenerateStatusResponse.parse({ ...statusDoc([]), is_possible: false }).isJobPossible()).toBe(
      false,
    );
  });

  it("equals as the seed defines it: the other status holds every generation of this one (by id)", () => {
    const a = ImageGenerateStatusResponse.parse(statusDoc(["a", "b"]));
    const b = ImageGenerateStatusResponse.parse({ ...statusDoc(["b", "a"]), kudos: 99 });
    const c = ImageGenerateStatusResponse.parse(statusDoc(["a"]));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    // containment, so not symmetric: the earlier snapshot equals the later one, not the other way round
    expect(c.equals(a)).toBe(true);
    expect(a.equals(ImageGenerateCheckResponse.parse(progress))).toBe(false);
    // hashKey is the seed's hash of the generations tuple: in order
    expect(a.hashKey()).not.toBe(b.hashKey());
    expect(a.hashKey()).toBe(ImageGenerateStatusResponse.parse(statusDoc(["a", "b"])).hashKey());
  });

  it("timeConstructed is epoch seconds as a float", () => {
    const before = Date.now() / 1000;
    const r = ImageGenerateStatusResponse.parse(statusDoc([]));
    expect(r.timeConstructed).toBeGreaterThanOrEqual(before - 0.001);
    expect(r.timeConstructed).toBeLessThanOrEqual(Date.now() / 1000 + 0.001);
  });

  it("defaults as the seed's source: generations empty, shared and faulted false, is_possible true", () => {
    const { generations: _g, shared: _s, faulted: _f, is_possible: _p, ...bare } = statusDoc([]);
    const r = ImageGenerateStatusResponse.parse(bare);
    expect(r.generations).toEqual([]);
    expect(r.shared).toBe(false);
    expect(r.faulted).toBe(false);
    expect(r.is_possible).toBe(true);
    expect(r.isJobPossible()).toBe(true);
    expect(ImageGenerateCheckResponse.parse({ ...bare, done: false }).is_possible).toBe(true);
  });

  it("a missing progress field is a validation error naming it", () => {
    const { finished: _, ...rest } = statusDoc([]);
    const error = catchError(() => ImageGenerateStatusResponse.parse(rest));
    expect((error as HordeValidationError).field).toBe("finished");
  });

  it("keeps unknown fields from the server", () => {
    const r = ImageGenerateStatusResponse.parse({ ...statusDoc([]), brand_new: 1 });
    expect(r.toJSON().brand_new).toBe(1);
  });
});

describe("ImageGenerateStatusRequest and DeleteImageGenerateRequest", () => {
  it("carry id, accept, client_agent; GET / DELETE on /v2/generate/status/{id}", () => {
    const get = new ImageGenerateStatusRequest({
      id: "abc",
      client_agent: "app:1:me",
      accept: "application/json",
    });
    expect(get.id).toBe("abc");
    expect(ImageGenerateStatusRequest.getHttpMethod()).toBe("GET");
    expect(DeleteImageGenerateRequest.getHttpMethod()).toBe("DELETE");
    expect(ImageGenerateStatusRequest.getApiEndpointSubpath()).toBe("/v2/generate/status/{id}");
    expect(DeleteImageGenerateRequest.getApiEndpointSubpath()).toBe("/v2/generate/status/{id}");
    const http = get.toHttp("http://h/api");
    expect(http).toMatchObject({
      method: "GET",
      url: "http://h/api/v2/generate/status/abc",
      body: undefined,
    });
    expect(http.headers).toEqual({ "Client-Agent": "app:1:me", Accept: "application/json" });
  });

  it("accept and client_agent are instance fields of every request, filled from the client when sent", async () => {
    const bare = new ImageGenerateStatusRequest({ id: "a" });
    for (const field of ["accept", "client_agent"]) expect(Object.hasOwn(bare, field)).toBe(true);
    expect([bare.accept, bare.client_agent]).toEqual([undefined, undefined]);
    const own = new DeleteImageGenerateRequest({
      id: "a",
      accept: "application/json",
      client_agent: "me:2:x",
    });
    expect([own.accept, own.client_agent]).toEqual(["application/json", "me:2:x"]);

    const sent: Headers[] = [];
    const client = new AIHordeAPIClient({
      baseUrl: "http://h/api",
      clientAgent: "client:1:x",
      logger: silentLogger,
      fetch: async (_url, init) => {
        sent.push(new Headers(init?.headers));
        return new Response(JSON.stringify(statusDoc([])), { status: 200 });
      },
    });
    await client.submitRequest(bare);
    await client.submitRequest(own);
    expect(sent.map((h) => [h.get("accept"), h.get("client-agent")])).toEqual([
      ["application/json", "client:1:x"],
      ["application/json", "me:2:x"],
    ]);
  });

  it("getApiModelName is null for both", () => {
    expect(ImageGenerateStatusRequest.getApiModelName()).toBeNull();
    expect(DeleteImageGenerateRequest.getApiModelName()).toBeNull();
  });

  it("getDefaultSuccessResponseType and getSuccessStatusResponsePairs", () => {
    expect(ImageGenerateStatusRequest.getDefaultSuccessResponseType()).toBe(ImageGenerateStatusResponse);
    expect(DeleteImageGenerateRequest.getSuccessStatusResponsePairs()).toEqual({
      200: ImageGenerateStatusResponse,
    });
    expect(ImageGenerateAsyncRequest.getSuccessStatusResponsePairs()).toEqual({
      200: ImageGenerateAsyncDryRunResponse,
      202: ImageGenerateAsyncResponse,
    });
  });

  it("getApiUrl / getApiEndpointUrl", () => {
    expect(ImageGenerateStatusRequest.getApiUrl()).toBe("https://aihorde.net/api");
    expect(ImageGenerateStatusRequest.getApiEndpointUrl()).toBe(
      "https://aihorde.net/api/v2/generate/status/{id}",
    );
    expect(ImageGenerateStatusRequest.getApiEndpointUrl("http://localhost:1/api/")).toBe(
      "http://localhost:1/api/v2/generate/status/{id}",
    );
  });

  it("getHeaderFields / getQueryFields", () => {
    expect(ImageGenerateStatusRequest.getHeaderFields()).toEqual(
      expect.arrayContaining(["accept", "client_agent"]),
    );
    expect(ImageGenerateStatusRequest.getHeaderFields()).not.toContain("apikey");
    expect(ImageGenerateAsyncRequest.getHeaderFields()).toContain("apikey");
    expect(ImageGenerateStatusRequest.getQueryFields()).toEqual([]);
    expect(ImageGenerateStatusRequest.getPathFields()).toEqual(["id"]);
  });

  it("validate_id: an empty or non-string id is a HordeValidationError", () => {
    for (const id of ["", 5, null, undefined]) {
      const error = catchError(() => new DeleteImageGenerateRequest({ id } as never));
      expect(error).toBeInstanceOf(HordeValidationError);
      expect((error as HordeValidationError).field).toBe("id");
    }
  });

  it("an id is URI-encoded into its own path segment (no path injection)", () => {
    const r = new ImageGenerateStatusRequest({ id: "../../v2/users?x=1" });
    expect(r.endpointUrl("http://h/api")).toBe(
      "http://h/api/v2/generate/status/..%2F..%2Fv2%2Fusers%3Fx%3D1",
    );
  });

  it("equals/hashKey: same class and id", () => {
    expect(
      new ImageGenerateStatusRequest({ id: "a" }).equals(new ImageGenerateStatusRequest({ id: "a" })),
    ).toBe(true);
    expect(
      new ImageGenerateStatusRequest({ id: "a" }).equals(new DeleteImageGenerateRequest({ id: "a" })),
    ).toBe(false);
    expect(
      new ImageGenerateStatusRequest({ id: "a" }).equals(new ImageGenerateStatusRequest({ id: "b" })),
    ).toBe(false);
  });

  it("getNumberOfResultsExpected / getRequiresFollowUp", () => {
    expect(new ImageGenerateStatusRequest({ id: "a" }).getNumberOfResultsExpected()).toBe(1);
    expect(new ImageGenerateStatusRequest({ id: "a" }).getRequiresFollowUp()).toBe(false);
    const submit = new ImageGenerateAsyncRequest({ prompt: "p", params: { n: 4 } });
    expect(submit.getNumberOfResultsExpected()).toBe(4);
    expect(submit.getRequiresFollowUp()).toBe(true);
    expect(new ImageGenerateAsyncRequest({ prompt: "p", dry_run: true }).getRequiresFollowUp()).toBe(false);
  });
});

describe("sensitive fields and logSafeModelDump", () => {
  it("getSensitiveFields has apikey; the dump never contains it, at any depth", () => {
    expect(ImageGenerateAsyncRequest.getSensitiveFields().has("apikey")).toBe(true);
    expect(ImageGenerateStatusResponse.getSensitiveFields().has("apikey")).toBe(true);
    const r = new ImageGenerateAsyncRequest({ prompt: "p", apikey: "super-secret-key" });
    const dump = r.logSafeModelDump();
    expect(dump).toEqual({ prompt: "p" });
    expect(JSON.stringify(dump)).not.toContain("super-secret-key");
  });

  it("getExtraFieldsToExcludeFromLog and extraExclude drop more fields", () => {
    const base64 = ImageGeneration.parse(gen("b", { img: "UklGRiQAAABXRUJQVlA4" }));
    expect(base64.getExtraFieldsToExcludeFromLog()).toEqual(new Set(["img"]));
    expect(base64.logSafeModelDump()).not.toHaveProperty("img");
    expect(ImageGeneration.parse(gen("c")).logSafeModelDump(["seed"])).not.toHaveProperty("seed");
  });
});

describe("ImageGenerateCheckRequest / Response", () => {
  it("GET /v2/generate/check/{id} → ImageGenerateCheckResponse", () => {
    expect(ImageGenerateCheckRequest.getHttpMethod()).toBe("GET");
    expect(new ImageGenerateCheckRequest({ id: "x" }).endpointUrl()).toBe(
      "https://aihorde.net/api/v2/generate/check/x",
    );
    const c = ImageGenerateCheckResponse.parse({ ...progress, done: false });
    expect(c.isJobComplete(1)).toBe(false);
    expect(ImageGenerateCheckResponse.parse(progress).isJobComplete(1)).toBe(true);
  });
});

describe("ImageGenerateAsyncRequest validation", () => {
  it.each([
    [{ prompt: "p", params: { width: 500 } }, "params.width"],
    [{ prompt: "", params: {} }, "prompt"],
    [{ prompt: "p", params: { n: 0 } }, "params.n"],
    [{ prompt: "p", params: { steps: 501 } }, "params.steps"],
    [{ prompt: "p", params: { height: 3136 } }, "params.height"],
    [{ prompt: "p", params: { loras: [{ name: "" }] } }, "params.loras.0.name"],
  ])("%j fails naming %s", (payload, field) => {
    const error = catchError(() => new ImageGenerateAsyncRequest(payload as never));
    expect(error).toBeInstanceOf(HordeValidationError);
    expect((error as HordeValidationError).field).toBe(field);
    expect((error as Error).message).toContain(field);
  });

  it("sends the fields set plus the server's runtime defaults made explicit; apikey only as a header", () => {
    const r = new ImageGenerateAsyncRequest({ prompt: "p", params: { width: 576, n: 2 }, apikey: "k-123" });
    const http = r.toHttp("http://h/api");
    expect(http.method).toBe("POST");
    // QUIRK(§0.1): what the server does when these are omitted, stated on the wire.
    expect(JSON.parse(http.body ?? "")).toEqual({
      prompt: "p",
      params: { width: 576, n: 2, cfg_scale: 5, karras: true },
      nsfw: true,
      censor_nsfw: true,
      validated_backends: false,
      models: ["stable_diffusion"],
    });
    expect(r.toJSON()).toEqual({ prompt: "p", params: { width: 576, n: 2 }, apikey: "k-123" });
    expect(http.headers.apikey).toBe("k-123");
    const own = new ImageGenerateAsyncRequest({
      prompt: "p",
      nsfw: false,
      models: [],
      params: { cfg_scale: 7 },
    });
    expect(own.body()).toMatchObject({ nsfw: false, models: [], params: { cfg_scale: 7, karras: true } });
    expect(ImageGenerateAsyncRequest.getApiModelName()).toBe("GenerationInputStable");
  });

  it("the async response names its follow-up and cleanup requests", () => {
    const r = ImageGenerateAsyncResponse.parse({ id: "j1", kudos: 10 });
    expect(ImageGenerateAsyncResponse.getFollowUpDefaultRequestType()).toBe(ImageGenerateCheckRequest);
    expect(ImageGenerateAsyncResponse.getFollowUpFailureCleanupRequestType()).toBe(
      DeleteImageGenerateRequest,
    );
    expect(r.getFollowUpReturnedParams()).toEqual([{ id: "j1" }]);
    const [cleanup] = r.cleanupRequests();
    expect(cleanup).toBeInstanceOf(DeleteImageGenerateRequest);
    expect((cleanup as DeleteImageGenerateRequest).id).toBe("j1");
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
