// Sessions: a job a session started is cancelled at close() unless it completed — text and alchemy
// requests (DELETE) as image ones, and popped worker jobs (a faulted submit) — against a routed fetch.
import {
  AIHordeAPIClient,
  AlchemyAsyncRequest,
  AlchemyStatusRequest,
  silentLogger,
  TextGenerateAsyncRequest,
  TextGenerateAsyncResponse,
  TextGenerateJobPopRequest,
  TextGenerateStatusRequest,
  TextGenerationJobSubmitRequest,
} from "horde-sdk";
import {
  alchemyFormDoc,
  frozenClock,
  json,
  progressDoc,
  routedFetch,
  textGenerationDoc,
} from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const progress = progressDoc({ kudos: 0 });
const client = (fetch: ReturnType<typeof routedFetch>["fetch"]) =>
  new AIHordeAPIClient({
    baseUrl: "https://horde.test/api",
    apiKey: "k".repeat(22),
    fetch,
    clock: frozenClock,
    logger: silentLogger,
  });
const text = textGenerationDoc;
const form = alchemyFormDoc;

describe("a session cancels unfinished text and alchemy jobs as it does image jobs", () => {
  it("text: a queued request left unfinished is DELETEd at close; a finished one is not", async () => {
    const horde = routedFetch({
      "POST /v2/generate/text/async": () => json(202, { id: "t-open", kudos: 0 }),
      "DELETE /v2/generate/text/status/t-open": () => json(200, { ...progress, generations: [] }),
    });
    const c = client(horde.fetch);
    const session = c.session();
    const accepted = await session.submitRequest(new TextGenerateAsyncRequest({ prompt: "once upon" }));
    expect(accepted).toBeInstanceOf(TextGenerateAsyncResponse);
    expect(session.pendingJobs.map((j) => j.id)).toEqual(["t-open"]);
    const report = await session.close();
    expect(report.cancelled).toEqual(["t-open"]);
    expect(horde.calls.map((x) => `${x.method} ${new URL(x.url).pathname}`)).toEqual([
      "POST /api/v2/generate/text/async",
      "DELETE /api/v2/generate/text/status/t-open",
    ]);

    // a request polled to `done` is no longer the session's to cancel
    const horde2 = routedFetch({
      "POST /v2/generate/text/async": () => json(202, { id: "t-done" }),
      "GET /v2/generate/text/status/t-done": () =>
        json(200, { ...progress, waiting: 0, finished: 1, done: true, generations: [text("the end")] }),
    });
    const session2 = client(horde2.fetch).session();
    await session2.submitRequest(new TextGenerateAsyncRequest({ prompt: "once upon" }));
    const status = await session2.submitRequest(new TextGenerateStatusRequest({ id: "t-done" }));
    expect(status.texts).toEqual(["the end"]);
    expect((await session2.close()).cancelled).toEqual([]);
    expect(horde2.calls.some((x) => x.method === "DELETE")).toBe(false);
  });

  it("alchemy: a request with a form still processing is DELETEd at close; a settled one is not", async () => {
    const horde = routedFetch({
      "POST /v2/interrogate/async": () => json(202, { id: "a-open" }),
      "GET /v2/interrogate/status/a-open": () =>
        json(200, { state: "processing", forms: [form("caption", "processing")] }),
      "DELETE /v2/interrogate/status/a-open": () =>
        json(200, { state: "partial", forms: [form("caption", "cancelled")] }),
    });
    const session = client(horde.fetch).session();
    await session.submitRequest(
      new AlchemyAsyncRequest({ forms: [{ name: "caption" }], source_image: "https://x/cat.png" }),
    );
    await session.submitRequest(new AlchemyStatusRequest({ id: "a-open" }));
    const report = await session.close();
    expect(report.cancelled).toEqual(["a-open"]);
    expect(horde.calls.at(-1)).toMatchObject({
      method: "DELETE",
      url: "https://horde.test/api/v2/interrogate/status/a-open",
    });

    const horde2 = routedFetch({
      "POST /v2/interrogate/async": () => json(202, { id: "a-done" }),
      "GET /v2/interrogate/status/a-done": () =>
        json(200, { state: "done", forms: [form("caption", "done", { caption: "a cat" })] }),
    });
    const session2 = client(horde2.fetch).session();
    await session2.submitRequest(
      new AlchemyAsyncRequest({ forms: [{ name: "caption" }], source_image: "https://x/cat.png" }),
    );
    await session2.submitRequest(new AlchemyStatusRequest({ id: "a-done" }));
    expect((await session2.close()).cancelled).toEqual([]);
  });

  it("worker: jobs popped in a session and never submitted are released with faulted submits", async () => {
    const horde = routedFetch({
      "POST /v2/generate/text/pop": () =>
        json(200, { ids: ["j1"], payload: { prompt: "hi" }, ttl: 150, skipped: {} }),
      "POST /v2/generate/text/submit": () => json(200, { reward: 0 }),
    });
    const session = client(horde.fetch).session();
    const pop = await session.submitRequest(new TextGenerateJobPopRequest({ name: "worker" }));
    expect(pop.jobIds).toEqual(["j1"]);
    const report = await session.close();
    expect(report.cancelled).toEqual(["j1"]);
    const submit = horde.calls.at(-1);
    expect(submit).toMatchObject({
      method: "POST",
      body: { id: "j1", state: "faulted", generation: "faulted" },
    });
    expect(submit?.headers.apikey).toBe("k".repeat(22));
  });

  it("worker: a job submitted through the session is no longer owed, so close() sends nothing", async () => {
    const horde = routedFetch({
      "POST /v2/generate/text/pop": () =>
        json(200, { ids: ["j1", "j2"], payload: { prompt: "hi" }, ttl: 150, skipped: {} }),
      "POST /v2/generate/text/submit": () => json(200, { reward: 5 }),
    });
    const session = client(horde.fetch).session();
    await session.submitRequest(new TextGenerateJobPopRequest({ name: "worker" }));
    await session.submitRequest(
      new TextGenerationJobSubmitRequest({ id: "j1", generation: "hello", seed: 1 }),
    );
    expect(session.pendingJobs.map((j) => j.id)).toEqual(["j2"]);
    const report = await session.close();
    expect(report).toEqual({ cancelled: ["j2"], failed: [] });
    expect(horde.calls.filter((c) => c.method === "POST")).toHaveLength(3); // pop, submit j1, faulted j2
  });
});
