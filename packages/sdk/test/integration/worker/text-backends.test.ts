// Text jobs served end to end — a requester's client, the in-process emulator, a HordeWorker with a backend,
// and a fake of that backend's server on 127.0.0.1 — with the payload mapping checked field by field.
import {
  HordeBackendError,
  type HordeWorkerEvents,
  HordeWorkerStoppedError,
  koboldcppBackend,
  openaiBackend,
  type TextBackend,
} from "horde-sdk/worker";
import { fakeKoboldcpp, fakeOpenai, next, onVirtualClock, setupWorkerHarness } from "horde-test-support/sdk";
import { describe, expect, it, onTestFinished } from "vitest";

const MODEL = "koboldcpp/Fake-7B";

/** The sampler settings of a text request, every field the horde carries set to a non-default value. */
const PARAMS = {
  n: 1,
  max_length: 48,
  max_context_length: 1024,
  temperature: 0.65,
  top_p: 0.9,
  top_k: 40,
  top_a: 0.1,
  typical: 0.95,
  tfs: 0.97,
  min_p: 0.05,
  rep_pen: 1.12,
  rep_pen_range: 256,
  rep_pen_slope: 0.7,
  sampler_order: [6, 0, 1, 3, 4, 2, 5],
  stop_sequence: ["\nYou:"],
  use_default_badwordsids: false,
  dynatemp_range: 0.2,
  dynatemp_exponent: 1.1,
  smoothing_factor: 0.3,
};

async function started<T extends { close(): Promise<void> }>(fake: Promise<T>): Promise<T> {
  const server = await fake;
  onTestFinished(() => server.close());
  return server;
}

/** A worker serving MODEL on `backend` answers one text request for `prompt`: its progress events, the pop, the result. */
async function serveText(backend: TextBackend, prompt: string) {
  const { worker, requesterClient, clock } = setupWorkerHarness();
  const w = worker({ kind: "text", models: [MODEL], backend: onVirtualClock(backend, clock) });
  const progress: HordeWorkerEvents["progress"][] = [];
  w.on("progress", (p) => progress.push(p));
  const popped = next(w, "popped");
  w.start();
  const result = await requesterClient.generateText({ prompt, params: PARAMS, models: [MODEL] });
  return { w, progress, popped, result };
}

describe("openai-compatible backend (llama.cpp, vLLM, Ollama)", () => {
  it("serves a text job: the payload becomes /v1/completions field by field, streamed with progress", async () => {
    const fake = await started(fakeOpenai({ models: ["fake-7b.Q4_K_M.gguf"], apiKey: "sk-local" }));
    const backend = openaiBackend({ url: `${fake.url}/v1`, apiKey: "sk-local" });
    const { w, progress, popped, result } = await serveText(backend, "Once upon a time");

    expect(result.texts).toEqual([" there was a lighthouse keeper who counted the waves."]);
    expect(fake.rejected).toEqual([]);
    const [call] = fake.callsTo("POST", "/v1/completions");
    expect(call?.headers.authorization).toBe("Bearer sk-local");
    expect(call?.body).toEqual({
      // the one model the server lists, since none was named
      model: "fake-7b.Q4_K_M.gguf",
      prompt: "Once upon a time",
      max_tokens: 48,
      n: 1,
      temperature: 0.65,
      top_p: 0.9,
      stop: ["\nYou:"],
      top_k: 40,
      min_p: 0.05,
      typical_p: 0.95,
      repeat_penalty: 1.12,
      repetition_penalty: 1.12,
      repeat_last_n: 256,
      dynatemp_range: 0.2,
      dynatemp_exponent: 1.1,
      stream: true,
    });
    // one event per streamed chunk, against max_tokens
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(progress[0]).toMatchObject({
      id: (await popped).ids[0],
      steps: 48,
      stage: "generating",
    });
    expect(progress.at(-1)?.fraction).toBeCloseTo(9 / 48);
    expect((await w.stop()).completed).toBe(1);
  });

  it("names the server's model per horde model, without streaming when asked", async () => {
    const fake = await started(fakeOpenai({ models: ["a.gguf", "b.gguf"] }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const backend = openaiBackend({ url: fake.url, model: { [MODEL]: "b.gguf" }, stream: false });
    const w = worker({ kind: "text", models: [MODEL], backend: onVirtualClock(backend, clock) });
    w.start();
    const result = await requesterClient.generateText({ prompt: "Hi", models: [MODEL] });
    expect(result.texts[0]).toMatch(/lighthouse/);
    expect(fake.callsTo("POST", "/v1/completions")[0]?.body).toMatchObject({
      model: "b.gguf",
      stream: false,
    });
    await w.stop();
  });

  it("a server error faults the job with its message; a stop mid-stream closes the stream", async () => {
    const fake = await started(fakeOpenai({ models: ["only.gguf"], chunkMs: 200 }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const wrong = openaiBackend({ url: fake.url, model: "missing.gguf" });
    const w = worker({
      kind: "text",
      models: [MODEL],
      backend: onVirtualClock(wrong, clock),
      maxConsecutiveFaults: 1,
    });
    const faulted = next(w, "faulted");
    w.start();
    const job = await requesterClient.submitText({ prompt: "x", models: [MODEL] });
    const fault = await faulted;
    expect(fault.reason).toBe("error");
    expect(fault.error).toBeInstanceOf(HordeBackendError);
    expect(fault.message).toBe(
      "openai: POST /v1/completions answered HTTP 400: model missing.gguf is not served",
    );
    await expect(w.wait()).rejects.toThrow(/1 jobs in a row failed/);

    const slow = openaiBackend({ url: fake.url });
    const w2 = worker(
      { kind: "text", models: [MODEL], backend: onVirtualClock(slow, clock) },
      "second-worker",
    );
    const progressed = next(w2, "progress");
    const stopped = next(w2, "faulted");
    w2.start();
    await progressed;
    await w2.stop({ drain: false });
    expect(await stopped).toMatchObject({ reason: "stopped" });
    expect((await stopped).error).toBeInstanceOf(HordeWorkerStoppedError);
    await expect.poll(() => fake.disconnects).toBe(1);
    await job.cancel();
  });

  it("probe reads the served models and the context (llama.cpp's /props)", async () => {
    const fake = await started(fakeOpenai({ models: ["m.gguf"], nCtx: 8192 }));
    expect(await openaiBackend({ url: fake.url }).probe()).toEqual({
      models: ["m.gguf"],
      maxContextLength: 8192,
    });
    await fake.close();
    await expect(openaiBackend({ url: fake.url }).probe()).rejects.toThrow(
      /^openai at http:\/\/127\.0\.0\.1:\d+ does not answer \(GET \/v1\/models: [A-Z_]+\)$/,
    );
  });
});

describe("koboldcpp backend", () => {
  it("serves a text job: the payload goes to /api/v1/generate under the same names, progress from generate/check", async () => {
    const fake = await started(fakeKoboldcpp({ generationMs: 120, busy: 1 }));
    const backend = koboldcppBackend({ url: fake.url, progressIntervalMs: 10 });
    const { w, progress, popped, result } = await serveText(backend, "The kobold said");
    const id = (await popped).ids[0];

    expect(result.texts).toEqual([" and the kobold hummed a tune."]);
    expect(fake.rejected).toEqual([]);
    const generates = fake.callsTo("POST", "/api/v1/generate");
    // busy once (503), asked again
    expect(generates).toHaveLength(2);
    const { n: _n, ...expected } = PARAMS;
    expect(generates[1]?.body).toEqual({ prompt: "The kobold said", ...expected, genkey: `HORDEREQ_${id}` });
    expect(
      fake.callsTo("POST", "/api/extra/generate/check").every((c) => c.body.genkey === `HORDEREQ_${id}`),
    ).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.steps === 48 && p.fraction > 0 && p.fraction <= 1)).toBe(true);
    await w.stop();
  });

  it("a stop aborts the generation by its genkey", async () => {
    const fake = await started(fakeKoboldcpp({ generationMs: 5_000 }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const backend = koboldcppBackend({ url: fake.url, progressIntervalMs: 10 });
    const w = worker({ kind: "text", models: [MODEL], backend: onVirtualClock(backend, clock) });
    const progressed = next(w, "progress");
    w.start();
    const job = await requesterClient.submitText({ prompt: "long story", models: [MODEL] });
    await progressed;
    await w.stop({ drain: false });
    await expect.poll(() => fake.aborted).toEqual([expect.stringMatching(/^HORDEREQ_/)]);
    expect(w.stats.faultedBy).toEqual({ stopped: 1 });
    await job.cancel();
  });

  it("probe reads the model as the horde names it, the context and the max length", async () => {
    const fake = await started(fakeKoboldcpp());
    expect(await koboldcppBackend({ url: fake.url }).probe()).toEqual({
      models: ["koboldcpp/Fake-7B"],
      maxContextLength: 8192,
      maxLength: 512,
    });
  });
});
