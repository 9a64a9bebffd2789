// Jobs: the handle between submit and result — progress, wait, cancel, dispose — against the emulator.

import {
  AIHordeTooManyPromptsError,
  HordeAbortError,
  HordeJobFaultedError,
  HordeTimeoutError,
  ImageGenerateStatusResponse,
} from "horde-sdk";
import { BASE, emulatorClient } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";
import { nextPollDelay } from "../../../src/jobs/polling.js";

function setup(
  options: {
    devWorkers?: number;
    anonymousConcurrency?: number;
    queueOnTooManyPrompts?: boolean;
    /** Called as each request reaches the wire. */
    onFetch?: (method: string) => void;
  } = {},
) {
  /** `METHOD /api/path` of every request sent, in order. */
  const methods: string[] = [];
  const { client, clock, emu } = emulatorClient({
    devWorkers: options.devWorkers ?? 1,
    ...(options.anonymousConcurrency ? { anonymousConcurrency: options.anonymousConcurrency } : {}),
    client:
      options.queueOnTooManyPrompts === undefined
        ? {}
        : { queueOnTooManyPrompts: options.queueOnTooManyPrompts },
    onFetch: (call) => {
      methods.push(`${call.method} ${new URL(call.url).pathname}`);
      options.onFetch?.(call.method);
    },
  });
  return { client, clock, emu, methods };
}

const payload = (prompt = "a red fox", n = 1) => ({ prompt, params: { width: 64, height: 64, steps: 8, n } });

describe("ImageJob", () => {
  it("progress() yields snapshots until done; wait() then returns the images", async () => {
    const { client } = setup();
    const job = await client.submitImage(payload("fox", 2));
    const seen: number[] = [];
    for await (const check of job.progress()) seen.push(check.finished);
    expect(seen.at(-1)).toBe(2);
    const result = await job.wait();
    expect(result.images).toHaveLength(2);
    expect(job.state).toBe("done");
  });

  it("cancel() returns the snapshot from before the cancel; a second cancel sends nothing", async () => {
    const { client, methods } = setup({ devWorkers: 0 });
    const job = await client.submitImage(payload());
    const snapshot = await job.cancel();
    expect(snapshot).toBeInstanceOf(ImageGenerateStatusResponse);
    expect(snapshot?.waiting).toBe(1); // the server's snapshot is taken before the cancel
    expect(job.state).toBe("cancelled");
    await job.cancel();
    expect(methods.filter((m) => m.startsWith("DELETE"))).toHaveLength(1);
  });

  it("await using cancels an unfinished job; a finished job gets no DELETE", async () => {
    const { client, methods } = setup();
    {
      await using job = await client.submitImage(payload());
      await job.wait();
    }
    expect(methods.filter((m) => m.startsWith("DELETE"))).toHaveLength(0);
    {
      await using _job = await client.submitImage(payload("left behind"));
    }
    expect(methods.filter((m) => m.startsWith("DELETE"))).toHaveLength(1);
  });

  it("a timeout cancels the job and the error carries the partial status", async () => {
    const { client } = setup({ devWorkers: 0 });
    const error = await client.generateImage(payload(), { timeoutMs: 30_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(HordeTimeoutError);
    expect(error.partial).toBeInstanceOf(ImageGenerateStatusResponse);
  });

  it("an abort while the submit is in flight waits for the answer, then cancels the job it created", async () => {
    const controller = new AbortController();
    // Abort the moment the POST reaches the server, before its answer arrives.
    const { client, emu, methods } = setup({
      devWorkers: 0,
      onFetch: (method) => method === "POST" && controller.abort(),
    });
    const error = await client.generateImage(payload(), { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(HordeAbortError);
    expect(methods).toEqual([
      "POST /api/v2/generate/async",
      expect.stringMatching(/^DELETE \/api\/v2\/generate\/status\//),
    ]);
    expect(emu.admin.stats().orphaned).toHaveLength(0);
  });

  it("faulted requests reject with JobFaultedError carrying the final status", async () => {
    const { client, emu } = setup({ devWorkers: 0 });
    // Three images: a reported fault re-queues only while fewer jobs have ended than were asked for, so a
    // one-image request would end (done, no image) at the second fault, as on the server.
    const job = await client.submitImage(payload("a red fox", 3));
    // A worker that pops a job and reports it faulted, three times: the third fault faults the request.
    const worker = emu.admin.createUser({ username: "faulty", workerInvited: 1 });
    const post = (path: string, body: unknown) =>
      emu.fetch(`${BASE}${path}`, {
        method: "POST",
        headers: { apikey: worker.apikey, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 3; i++) {
      const pop = (await (
        await post("/v2/generate/pop", {
          name: "faulty-worker",
          models: ["stable_diffusion"],
          bridge_agent: "AI Horde Worker reGen:9.0.2:https://github.com/Haidra-Org/horde-worker-reGen",
          nsfw: true,
          max_pixels: 4_194_304,
        })
      ).json()) as { id?: string };
      expect(pop.id).toBeTruthy();
      await post("/v2/generate/submit", { id: pop.id, generation: "faulted", state: "faulted", seed: 0 });
    }
    const error = await job.wait().catch((e) => e);
    expect(error).toBeInstanceOf(HordeJobFaultedError);
    expect(error.status).toBeInstanceOf(ImageGenerateStatusResponse);
    expect(job.state).toBe("done");
  });
});

describe("TooManyPrompts", () => {
  it("queues a submit until the account has room again, instead of failing it", async () => {
    const { client, methods } = setup({ anonymousConcurrency: 1 });
    const [a, b] = await Promise.all([
      client.generateImage(payload("first")),
      client.generateImage(payload("second")),
    ]);
    expect(a.images).toHaveLength(1);
    expect(b.images).toHaveLength(1);
    expect(methods.filter((m) => m.startsWith("POST")).length).toBeGreaterThan(2); // at least one resend
  });

  it("fails fast with AIHordeTooManyPromptsError when queueing is off", async () => {
    const { client } = setup({ devWorkers: 0, anonymousConcurrency: 1, queueOnTooManyPrompts: false });
    const first = await client.submitImage(payload());
    await expect(client.submitImage(payload("second"))).rejects.toBeInstanceOf(AIHordeTooManyPromptsError);
    await first.cancel();
  });
});

describe("adaptive polling", () => {
  const pacing = { minIntervalMs: 1000, maxIntervalMs: 30_000 };
  it("polls rarely while far from done and at 1/s near the end", () => {
    expect(nextPollDelay(undefined, pacing)).toBe(1000);
    expect(nextPollDelay({ wait_time: 1 }, pacing)).toBe(1000);
    expect(nextPollDelay({ wait_time: 20 }, pacing)).toBe(15_000);
    expect(nextPollDelay({ wait_time: 600 }, pacing)).toBe(30_000);
  });
});
