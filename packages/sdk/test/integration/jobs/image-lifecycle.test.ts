// The image lifecycle end to end against the in-process emulator: no sockets, virtual time.

import type { Emulator } from "horde-emulator";
import {
  AIHordeRequestError,
  HordeAbortError,
  HordeTimeoutError,
  type ImageGenerateAsyncDryRunResponse,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
  ImageGenerateCheckRequest,
  ImageGenerateStatusResponse,
  ImageGeneration,
} from "horde-sdk";
import { BASE, emulatorClient } from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";

let emulator: Emulator | undefined;

/** An emulator on an auto-advancing virtual clock, and a client that talks to it in-process. */
function setup(options: { devWorkers?: number; apiKey?: string } = {}) {
  const { client, clock, calls, emu } = emulatorClient({
    devWorkers: options.devWorkers ?? 1,
    client: options.apiKey ? { apiKey: options.apiKey } : {},
  });
  emulator = emu;
  return { client, clock, calls, emulator: emu };
}

/** Read a request's progress straight from the emulator, bypassing the client under test. */
async function rawCheck(id: string) {
  // The server caches /generate/check for a second (docs/server/directory.md#response-caches); this read
  // wants the state right now, so it forgets the cached answers first.
  (emulator as Emulator).responseCache.clear();
  const response = await (emulator as Emulator).fetch(`${BASE}/v2/generate/check/${id}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A real submit's answer (not a dry run's). */
function accepted(
  response: ImageGenerateAsyncResponse | ImageGenerateAsyncDryRunResponse,
): ImageGenerateAsyncResponse {
  if (!(response instanceof ImageGenerateAsyncResponse))
    throw new Error("expected a queued job, got a dry-run answer");
  return response;
}

const payload = (extra: Record<string, unknown> = {}) => ({
  prompt: "a lighthouse at dusk",
  params: { width: 64, height: 64, steps: 10, n: 1 },
  ...extra,
});

describe("generateImage against the emulator", () => {
  it("submits, polls /check, fetches /status once and downloads the R2 image", async () => {
    const { client, calls } = setup();
    const progress: number[] = [];
    const result = await client.generateImage(payload({ params: { width: 128, height: 64, n: 2 } }), {
      onProgress: ({ progress: check }) => progress.push(check.finished),
    });
    expect(result.status).toBeInstanceOf(ImageGenerateStatusResponse);
    expect(result.status.done).toBe(true);
    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      expect(image.generation).toBeInstanceOf(ImageGeneration);
      expect(image.generation.img).toMatch(/^http:\/\/horde\.test\/.+/);
      expect(image.bytes).toBeInstanceOf(Uint8Array);
      const meta = await sharp(image.bytes as Uint8Array).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["webp", 128, 64]);
    }
    expect(progress.at(-1)).toBe(2);
    const statusCalls = calls.filter((c) => c.url.includes("/v2/generate/status/"));
    expect(statusCalls.map((c) => c.method)).toEqual(["GET"]); // once, and no DELETE after completion
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("never sends the API key or Client-Agent to the image host", async () => {
    const { client, calls } = setup({ apiKey: "0000000000" });
    await client.generateImage(payload());
    const downloads = calls.filter((c) => !c.url.startsWith(`${BASE}/`));
    expect(downloads.length).toBeGreaterThan(0);
    for (const d of downloads) {
      expect(d.headers.apikey).toBeUndefined();
      expect(d.headers["client-agent"]).toBeUndefined();
    }
    expect(calls.find((c) => c.method === "POST")?.headers.apikey).toBe("0000000000");
  });

  it("decodes base64 results when r2 is false", async () => {
    const { client } = setup();
    const result = await client.generateImage(payload({ r2: false }));
    const [image] = result.images;
    expect(image?.generation.isUrl).toBe(false);
    const meta = await sharp(image?.bytes as Uint8Array).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 64, 64]);
  });

  it("polls /check no faster than once a second per job", async () => {
    const { client, calls } = setup();
    await client.generateImage(payload());
    const times = calls.filter((c) => c.url.includes("/check/")).map((c) => c.at);
    expect(times.length).toBeGreaterThan(0);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
  });

  it("cancels the job on the server when the caller aborts", async () => {
    const { client } = setup({ devWorkers: 0 }); // nobody will ever pick the job up
    const controller = new AbortController();
    let id = "";
    const error = await client
      .generateImage(payload(), {
        signal: controller.signal,
        onSubmitted: (r) => {
          id = r.id;
        },
        onProgress: () => controller.abort(),
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(HordeAbortError);
    const after = await rawCheck(id);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ waiting: 0, done: true });
  });

  it("cancels the job on the server when the timeout expires (virtual time)", async () => {
    const { client, clock } = setup({ devWorkers: 0 });
    let id = "";
    const started = clock.now();
    const error = await client
      .generateImage(payload(), {
        timeoutMs: 60_000,
        onSubmitted: (r) => {
          id = r.id;
        },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(HordeTimeoutError);
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect((await rawCheck(id)).body).toMatchObject({ waiting: 0, done: true });
  });

  it("an invalid request fails before anything is sent", async () => {
    const { client, calls } = setup();
    for (const bad of [
      payload({ params: { width: 500 } }),
      payload({ prompt: "" }),
      payload({ params: { n: 0 } }),
    ]) {
      await expect(client.generateImage(bad)).rejects.toMatchObject({ name: "HordeValidationError" });
    }
    expect(calls).toHaveLength(0);
  });

  it("server errors keep status, rc and message (404 RequestNotFound)", async () => {
    const { client } = setup();
    const error = await client
      .submitRequest(new ImageGenerateCheckRequest({ id: "00000000-0000-0000-0000-000000000000" }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect(error).toMatchObject({ status: 404, rc: "RequestNotFound" });
  });

  it("payload validation failures on the server come back with their field errors", async () => {
    const { client } = setup();
    // Bypass our own validation to see the server's answer: a raw body with width 500.
    const response = await (emulator as Emulator).fetch(`${BASE}/v2/generate/async`, {
      method: "POST",
      headers: { apikey: "0000000000", "content-type": "application/json" },
      body: JSON.stringify({ prompt: "p", params: { width: 500 } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors?: Record<string, string>; rc?: string };
    expect(Object.keys(body.errors ?? {})).toContain("params.width");
    expect(body.rc).toBeUndefined();
    expect(client.baseUrl).toBe(BASE);
  });
});

describe("sessions", () => {
  it("close() cancels every job the session started that is not complete", async () => {
    const { client } = setup({ devWorkers: 0 });
    const session = client.session();
    const a = accepted(await session.submitRequest(new ImageGenerateAsyncRequest(payload())));
    const b = accepted(
      await session.submitRequest(new ImageGenerateAsyncRequest(payload({ prompt: "second" }))),
    );
    expect(session.pendingJobs.map((j) => j.id).sort()).toEqual([a.id, b.id].sort());
    const report = await session.close();
    expect(report.cancelled.sort()).toEqual([a.id, b.id].sort());
    expect(report.failed).toEqual([]);
    for (const id of [a.id, b.id])
      expect((await rawCheck(id)).body).toMatchObject({ waiting: 0, done: true });
    await expect(session.submitRequest(new ImageGenerateAsyncRequest(payload()))).rejects.toThrow(/closed/);
  });

  it("await using cancels on any exit, including a throw", async () => {
    const { client } = setup({ devWorkers: 0 });
    let id = "";
    await expect(
      (async () => {
        await using session = client.session();
        id = accepted(await session.submitRequest(new ImageGenerateAsyncRequest(payload()))).id;
        throw new Error("the app crashed");
      })(),
    ).rejects.toThrow("the app crashed");
    expect((await rawCheck(id)).body).toMatchObject({ waiting: 0, done: true });
  });

  it("does not cancel jobs that completed, and never sends a DELETE for them", async () => {
    const { client, calls } = setup();
    const session = client.session();
    const job = accepted(await session.submitRequest(new ImageGenerateAsyncRequest(payload())));
    for (;;) {
      await client.clock.sleep(1000);
      const check = await session.submitRequest(new ImageGenerateCheckRequest({ id: job.id }));
      if (check.done) break;
    }
    expect(session.pendingJobs).toEqual([]);
    const report = await session.close();
    expect(report.cancelled).toEqual([]);
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
  });

  it("a dry run starts nothing and is not tracked", async () => {
    const { client } = setup({ devWorkers: 0 });
    const session = client.session();
    const r = await session.submitRequest(new ImageGenerateAsyncRequest(payload({ dry_run: true })));
    expect(r.constructor.name).toBe("ImageGenerateAsyncDryRunResponse");
    expect(typeof r.kudos).toBe("number");
    expect(session.pendingJobs).toEqual([]);
  });
});

describe("read methods on the client", () => {
  it("client.getHeartbeat() and friends are the typed read functions, bound to the client", async () => {
    const { client, calls } = setup({ devWorkers: 0 });
    const beat = await client.getHeartbeat();
    expect(beat.constructor.name).toBe("AIHordeHeartbeatResponse");
    expect((beat as unknown as { message?: string }).message).toBe("OK");
    expect(calls.at(-1)?.url).toBe(`${BASE}/v2/status/heartbeat`);
    expect(typeof client.getWorkers).toBe("function");
    expect(typeof client.findUser).toBe("function");
  });
});
