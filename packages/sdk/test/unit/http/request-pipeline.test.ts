// The request pipeline as the client runs it, against a scripted fetch: where the key goes, what is
// retried (the one retry policy), how errors read.
import {
  AIHordeAPIClient,
  AIHordeRequestError,
  HordeAbortError,
  HordeConnectionError,
  HordeTimeoutError,
  ImageGenerateAsyncRequest,
  ImageGenerateCheckRequest,
  ImageGenerateStatusRequest,
  silentLogger,
} from "horde-sdk";
import { type FetchFn, instantClock, json, progressDoc, scriptedFetch } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const check = progressDoc();

function client(fetch: FetchFn, extra: Record<string, unknown> = {}) {
  const clock = instantClock();
  const c = new AIHordeAPIClient({
    baseUrl: "https://horde.test/api",
    apiKey: "my-secret-key",
    fetch,
    clock,
    logger: silentLogger,
    ...extra,
  });
  return { client: c, clock };
}

describe("headers and the API key", () => {
  it("sends apikey and Client-Agent (with a hyphen) to the API for authenticated requests", async () => {
    const s = scriptedFetch(json(202, { id: "j1", kudos: 10 }));
    const { client: c } = client(s.fetch, { clientAgent: "my-app:1.0:me@example.com" });
    await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }));
    expect(s.calls[0]?.headers.apikey).toBe("my-secret-key");
    expect(s.calls[0]?.headers["client-agent"]).toBe("my-app:1.0:me@example.com");
    expect(s.calls[0]?.headers.client_agent).toBeUndefined();
  });

  it("does not send the key on requests that need none", async () => {
    const s = scriptedFetch(json(200, check));
    const { client: c } = client(s.fetch);
    await c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }));
    expect(s.calls[0]?.headers.apikey).toBeUndefined();
    expect(s.calls[0]?.headers["client-agent"]).toMatch(/^horde-sdk-ts:/);
  });

  it("never follows a redirect off the API with the key", async () => {
    const s = scriptedFetch(
      new Response(null, { status: 307, headers: { location: "https://evil.test/steal" } }),
      json(202, { id: "j1", kudos: 1 }),
    );
    const { client: c } = client(s.fetch);
    await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }));
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]?.url).toBe("https://evil.test/steal");
    expect(s.calls[1]?.headers.apikey).toBeUndefined();
    expect(s.calls[1]?.headers["client-agent"]).toBeUndefined();
  });

  it("keeps the key on a redirect that stays under the base URL", async () => {
    const s = scriptedFetch(
      new Response(null, { status: 308, headers: { location: "/api/v2/generate/async" } }),
      json(202, { id: "j1", kudos: 1 }),
    );
    const { client: c } = client(s.fetch);
    await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }));
    expect(s.calls[1]?.headers.apikey).toBe("my-secret-key");
  });

  it("a per-request apikey overrides the client's", async () => {
    const s = scriptedFetch(json(202, { id: "j1", kudos: 1 }));
    const { client: c } = client(s.fetch);
    await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p", apikey: "other-key" }));
    expect(s.calls[0]?.headers.apikey).toBe("other-key");
  });
});

describe("retries", () => {
  it("retries a GET on 503 and honours Retry-After", async () => {
    const s = scriptedFetch(json(503, { message: "busy" }, { "retry-after": "2" }), json(200, check));
    const { client: c, clock } = client(s.fetch);
    const r = await c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }));
    expect(r.waiting).toBe(1);
    expect(s.calls).toHaveLength(2);
    expect(clock.slept).toEqual([2000]);
  });

  it("retries a GET after a connection error with backoff", async () => {
    const s = scriptedFetch(new TypeError("fetch failed"), json(200, check));
    const { client: c, clock } = client(s.fetch);
    await c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }));
    expect(s.calls).toHaveLength(2);
    expect(clock.slept[0]).toBeGreaterThanOrEqual(375);
    expect(clock.slept[0]).toBeLessThanOrEqual(500);
  });

  it("never repeats a submit that may have reached the server (5xx, reset)", async () => {
    const s1 = scriptedFetch(json(502, { message: "bad gateway" }), json(202, { id: "j1", kudos: 1 }));
    const { client: c1 } = client(s1.fetch);
    await expect(c1.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }))).rejects.toBeInstanceOf(
      AIHordeRequestError,
    );
    expect(s1.calls).toHaveLength(1);

    const s2 = scriptedFetch(new TypeError("other side closed"), json(202, { id: "j1", kudos: 1 }));
    const { client: c2 } = client(s2.fetch);
    await expect(c2.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }))).rejects.toBeInstanceOf(
      HordeConnectionError,
    );
    expect(s2.calls).toHaveLength(1);
  });

  it("repeats a submit the rate limiter refused (429 without rc) but not TooManyPrompts", async () => {
    const s = scriptedFetch(
      json(429, { message: "2 per 1 second" }, { "retry-after": "1" }),
      json(202, { id: "j1", kudos: 1 }),
    );
    const { client: c } = client(s.fetch);
    const r = await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }));
    expect(r).toMatchObject({ id: "j1" });
    expect(s.calls).toHaveLength(2);

    const s2 = scriptedFetch(
      json(429, { message: "too many", rc: "TooManyPrompts" }),
      json(202, { id: "j2", kudos: 1 }),
    );
    const { client: c2 } = client(s2.fetch);
    const error = await c2.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" })).catch((e) => e);
    expect(error).toMatchObject({ status: 429, rc: "TooManyPrompts" });
    expect(s2.calls).toHaveLength(1);
  });

  it("repeats a submit whose connection was refused (it never reached the server)", async () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const s = scriptedFetch(refused, json(202, { id: "j1", kudos: 1 }));
    const { client: c } = client(s.fetch);
    await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }));
    expect(s.calls).toHaveLength(2);
  });

  it("gives up after maxRetries", async () => {
    const s = scriptedFetch(json(503, { message: "down" }));
    const { client: c } = client(s.fetch, { retry: { maxRetries: 2 } });
    await expect(c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }))).rejects.toMatchObject({
      status: 503,
    });
    expect(s.calls).toHaveLength(3);
  });
});

describe("error shapes", () => {
  it("{message, rc}", async () => {
    const s = scriptedFetch(
      json(404, { message: "Image Waiting Prompt (Status) with ID 'x' not found.", rc: "RequestNotFound" }),
    );
    const { client: c } = client(s.fetch);
    const error = await c.submitRequest(new ImageGenerateStatusRequest({ id: "x" })).catch((e) => e);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect(error).toMatchObject({ status: 404, rc: "RequestNotFound", errors: null });
    expect(error.message).toContain("not found");
  });

  it("{message, errors} without rc names the fields", async () => {
    const s = scriptedFetch(
      json(400, {
        message: "Input payload validation failed",
        errors: { "params.width": "500 is not a multiple of 64" },
      }),
    );
    const { client: c } = client(s.fetch);
    const error = await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" })).catch((e) => e);
    expect(error).toMatchObject({
      status: 400,
      rc: null,
      errors: { "params.width": "500 is not a multiple of 64" },
    });
    expect(error.message).toContain("params.width");
  });

  it("an HTML 502 page from a proxy is still a readable AIHordeRequestError", async () => {
    const html =
      "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
    const s = scriptedFetch(new Response(html, { status: 502, headers: { "content-type": "text/html" } }));
    const { client: c } = client(s.fetch, { retry: false });
    const error = await c.submitRequest(new ImageGenerateCheckRequest({ id: "x" })).catch((e) => e);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect(error).toMatchObject({ status: 502, rc: null, errors: null });
    expect(error.message).toContain("502 Bad Gateway");
    expect(error.message).not.toContain("<");
  });

  it("a success status with a body that is not JSON is a validation error, not a crash", async () => {
    const s = scriptedFetch(new Response("not json", { status: 200 }));
    const { client: c } = client(s.fetch);
    await expect(c.submitRequest(new ImageGenerateCheckRequest({ id: "x" }))).rejects.toMatchObject({
      name: "HordeValidationError",
    });
  });

  it("errors never carry the API key", async () => {
    const s = scriptedFetch(json(401, { message: "Invalid API Key", rc: "InvalidAPIKey" }));
    const { client: c } = client(s.fetch);
    const error = await c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" })).catch((e) => e);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(
      "my-secret-key",
    );
  });

  it("validation fails before anything is sent", async () => {
    const s = scriptedFetch(json(202, { id: "j1", kudos: 1 }));
    const { client: c } = client(s.fetch);
    await expect(c.generateImage({ prompt: "p", params: { width: 500 } })).rejects.toMatchObject({
      name: "HordeValidationError",
      field: "params.width",
    });
    expect(s.calls).toHaveLength(0);
  });
});

describe("client options", () => {
  it("rejects a malformed base URL, an empty key and a Client-Agent not shaped name:version:contact", () => {
    expect(() => new AIHordeAPIClient({ baseUrl: "not a url" })).toThrow(/baseUrl/);
    expect(() => new AIHordeAPIClient({ apiKey: " " })).toThrow(/apiKey/);
    expect(() => new AIHordeAPIClient({ clientAgent: "my-app" })).toThrow(/clientAgent/);
    expect(new AIHordeAPIClient({ clientAgent: "my-app:1.0:https://example.com" }).clientAgent).toBe(
      "my-app:1.0:https://example.com",
    );
  });
});

describe("unreadable success bodies", () => {
  it("a GET whose 200 body is cut off is asked again", async () => {
    const s = scriptedFetch(new Response('{"finished": 0, "proce', { status: 200 }), json(200, check));
    const { client: c } = client(s.fetch);
    const r = await c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }));
    expect(r.waiting).toBe(1);
    expect(s.calls).toHaveLength(2);
  });

  it("a submit whose 202 body is unreadable is reported, never sent again", async () => {
    const s = scriptedFetch(
      new Response("<html>oops</html>", { status: 202 }),
      json(202, { id: "j2", kudos: 1 }),
    );
    const { client: c } = client(s.fetch);
    await expect(c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }))).rejects.toMatchObject({
      name: "HordeValidationError",
    });
    expect(s.calls).toHaveLength(1);
  });
});

describe("timeouts and the caller's abort", () => {
  /** A fetch that never answers; it rejects with the abort reason once the signal it was given aborts. */
  function hangingFetch() {
    const signals: (AbortSignal | undefined)[] = [];
    const fetch: FetchFn = (_input, init) => {
      const signal = init?.signal ?? undefined;
      signals.push(signal);
      return new Promise<Response>((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    };
    return { fetch, signals };
  }

  it("a timed-out attempt ends with HordeTimeoutError, and its timeout aborts the fetch", async () => {
    const h = hangingFetch();
    const { client: c } = client(h.fetch, { timeoutMs: 5, retry: { maxRetries: 1 } });
    const error = await c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeTimeoutError);
    expect((error as Error).message).toMatch(
      /^GET https:\/\/horde\.test\/api\/v2\/generate\/check\/j1 timed out/,
    );
    // Each attempt's fetch carried a signal its timeout fired, so no connection is left to a hung server.
    expect(h.signals).toHaveLength(2);
    expect(h.signals[0]?.aborted).toBe(true);
    expect(h.signals[1]?.aborted).toBe(true);
    expect(h.signals[1]?.reason).toBe(error);
  });

  it("the caller's abort reaches the fetch in flight and rejects with HordeAbortError", async () => {
    const h = hangingFetch();
    const { client: c } = client(h.fetch);
    const controller = new AbortController();
    const sent = c.submitRequest(new ImageGenerateCheckRequest({ id: "j1" }), { signal: controller.signal });
    while (h.signals.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    controller.abort(new Error("stop"));
    await expect(sent).rejects.toBeInstanceOf(HordeAbortError);
    // The fetch's signal follows the caller's.
    expect(h.signals).toHaveLength(1);
    expect(h.signals[0]?.aborted).toBe(true);
  });

  it("a submit is not cut by the caller's abort once on the wire, but still by its timeout", async () => {
    const h = hangingFetch();
    const { client: c } = client(h.fetch, { timeoutMs: 5 });
    const controller = new AbortController();
    const sent = c.submitRequest(new ImageGenerateAsyncRequest({ prompt: "p" }), {
      signal: controller.signal,
      uninterruptible: true,
    });
    controller.abort();
    await expect(sent).rejects.toBeInstanceOf(HordeTimeoutError);
    // Aborted by the timeout, not by the caller's earlier abort.
    expect(h.signals).toHaveLength(1);
    expect(h.signals[0]?.reason).toBeInstanceOf(HordeTimeoutError);
  });
});
