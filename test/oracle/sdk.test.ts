/**
 * The SDK and its worker against the real AI Horde server: every job kind served end to end by a
 * `HordeWorker`, cancellation on abort, timeout and session close (checked on the server itself), and a
 * burst of 40 submits paced by the client's buckets with no 429.
 */
import { randomUUID } from "node:crypto";
import { drawPicture } from "horde-emulator";
import {
  AIHordeAPIClient,
  ImageGenerateAsyncRequest,
  ImageGenerateAsyncResponse,
  silentLogger,
  toSourceImage,
} from "horde-sdk";
import { HordeWorker } from "horde-sdk/worker";
import {
  createOracleUser,
  drawnImages,
  fetchFrom,
  isolatedIp,
  oracleInfo,
  uniqueName,
  useOracle,
} from "horde-test-support/oracle";
import { afterEach, describe, expect, it } from "vitest";

const oracle = useOracle();
const IMAGE_MODEL = "stable_diffusion";
const TEXT_MODEL = "koboldcpp/LLaMA2-13B-Psyfighter2";
const WEBP = [0x52, 0x49, 0x46, 0x46]; // "RIFF"

const workers: HordeWorker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ drain: false })));
});

/** A client of its own address (its own rate-limit windows on the server), counting what it sends. */
function clientFor(apiKey: string, ip = isolatedIp()) {
  const seen: { method: string; path: string; status: number }[] = [];
  const base = fetchFrom(ip);
  const counting: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const res = await base(request);
    seen.push({ method: request.method, path: new URL(request.url).pathname, status: res.status });
    return res;
  };
  const client = new AIHordeAPIClient({
    baseUrl: oracleInfo().baseUrl,
    apiKey,
    fetch: counting,
    logger: silentLogger,
  });
  return { client, seen, ip };
}

async function rawGet(path: string, ip: string, apikey?: string) {
  const res = await fetch(`${oracleInfo().baseUrl}${path}`, {
    headers: { "X-Forwarded-For": ip, ...(apikey ? { apikey } : {}) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits until the server's view of a request says it is over (cancelled or finished). */
async function expectOverOnServer(id: string, ip: string) {
  const deadline = Date.now() + 10_000;
  let check = await rawGet(`/v2/generate/check/${id}`, ip);
  while (check.body.done !== true && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 400));
    check = await rawGet(`/v2/generate/check/${id}`, ip);
  }
  expect(check.body).toMatchObject({ done: true, waiting: 0, processing: 0 });
}

async function imageWorker(apiKey: string, name = uniqueName("sdkw")) {
  const { client } = clientFor(apiKey);
  const worker = new HordeWorker({
    kind: "image",
    client,
    name,
    models: [IMAGE_MODEL],
    maxPixels: 1024 * 1024,
    generate: drawnImages,
  });
  workers.push(worker);
  worker.start();
  return worker;
}

describe.skipIf(!oracle.available)("horde-sdk against the oracle", () => {
  it("generateImage with base64 results, served by a HordeWorker", async () => {
    const info = oracleInfo();
    const [alice, owner] = await Promise.all([createOracleUser(info), createOracleUser(info)]);
    await imageWorker(owner.apikey);
    const { client } = clientFor(alice.apikey);
    const result = await client.generateImage(
      {
        prompt: "a lighthouse at dusk",
        params: { width: 512, height: 512, steps: 10, n: 2 },
        models: [IMAGE_MODEL],
        r2: false,
      },
      { timeoutMs: 60_000 },
    );
    expect(result.status.done).toBe(true);
    expect(result.images).toHaveLength(2);
    for (const image of result.images) expect([...(image.bytes ?? []).slice(0, 4)]).toEqual(WEBP);
    for (const image of result.images) expect(image.generation.worker_name).toMatch(/^sdkw_/);
  });

  it("generateImage with R2 uploads: the images come from the server's object store", async () => {
    const info = oracleInfo();
    const [alice, owner] = await Promise.all([createOracleUser(info), createOracleUser(info)]);
    const worker = await imageWorker(owner.apikey);
    const { client } = clientFor(alice.apikey);
    const result = await client.generateImage(
      { prompt: "a red fox", params: { width: 512, height: 512, steps: 10 }, models: [IMAGE_MODEL] },
      { timeoutMs: 60_000 },
    );
    expect(result.images).toHaveLength(1);
    expect(String(result.images[0]?.generation.img)).toMatch(new RegExp(`^${info.s3Url}/`));
    expect([...(result.images[0]?.bytes ?? []).slice(0, 4)]).toEqual(WEBP);
    expect(worker.stats.completed).toBeGreaterThanOrEqual(1);
  });

  it("generateText, served by a text HordeWorker", async () => {
    const info = oracleInfo();
    const [alice, owner] = await Promise.all([createOracleUser(info), createOracleUser(info)]);
    const worker = new HordeWorker({
      kind: "text",
      client: clientFor(owner.apikey).client,
      name: uniqueName("sdkt"),
      models: [TEXT_MODEL],
      generate: (job) => ({ text: ` and then ${job.prompt.length} characters later`, seed: 7 }),
    });
    workers.push(worker);
    worker.start();
    const { client } = clientFor(alice.apikey);
    const result = await client.generateText(
      {
        prompt: "Once upon a time",
        params: { max_length: 32, max_context_length: 1024 },
        models: [TEXT_MODEL],
      },
      { timeoutMs: 60_000 },
    );
    expect(result.status.done).toBe(true);
    expect(result.texts).toEqual([" and then 16 characters later"]);
  });

  it("runAlchemy caption, served by an alchemy HordeWorker", async () => {
    const info = oracleInfo();
    const [alice, owner] = await Promise.all([createOracleUser(info), createOracleUser(info)]);
    const worker = new HordeWorker({
      kind: "alchemy",
      client: clientFor(owner.apikey).client,
      name: uniqueName("sdka"),
      forms: ["caption"],
      generate: (job) => `a picture of ${job.sourceImage.byteLength} bytes`,
    });
    workers.push(worker);
    worker.start();
    const source = await drawPicture({ prompt: "a cat", seed: 1, width: 64, height: 64 });
    const { client } = clientFor(alice.apikey);
    const result = await client.runAlchemy(
      { forms: [{ name: "caption" }], source_image: await toSourceImage(source) },
      { timeoutMs: 60_000 },
    );
    expect(result.status.state).toBe("done");
    // The server re-encodes the source into its object store; the worker sees its copy.
    expect(result.forms[0]?.result).toEqual({ caption: expect.stringMatching(/^a picture of \d+ bytes$/) });
  });

  it("a session's close cancels every job it started, on the server", async () => {
    const alice = await createOracleUser(oracleInfo());
    const { client, ip } = clientFor(alice.apikey);
    const session = client.session();
    const ids: string[] = [];
    for (const prompt of ["one", "two", "three"]) {
      // A model no worker serves: the jobs wait until the session closes.
      const job = await session.submitRequest(
        new ImageGenerateAsyncRequest({ prompt, models: ["Deliberate"] }),
      );
      expect(job).toBeInstanceOf(ImageGenerateAsyncResponse);
      ids.push((job as ImageGenerateAsyncResponse).id);
    }
    const report = await session.close();
    expect(report.cancelled.sort()).toEqual([...ids].sort());
    for (const id of ids) await expectOverOnServer(id, ip);
  });

  it("abort and timeout cancel the job on the server before rejecting", async () => {
    const alice = await createOracleUser(oracleInfo());
    const { client, ip } = clientFor(alice.apikey);
    const payload = { prompt: "never drawn", models: ["Deliberate"] };
    let abortedId = "";
    const controller = new AbortController();
    const aborted = client.generateImage(payload, {
      signal: controller.signal,
      onSubmitted: (r) => {
        abortedId = r.id;
        setTimeout(() => controller.abort(new Error("user gave up")), 500);
      },
    });
    await expect(aborted).rejects.toThrow();
    expect(abortedId).not.toBe("");
    await expectOverOnServer(abortedId, ip);

    let timedOutId = "";
    await expect(
      client.generateImage(payload, { timeoutMs: 2500, onSubmitted: (r) => (timedOutId = r.id) }),
    ).rejects.toThrow();
    await expectOverOnServer(timedOutId, ip);
  });

  it("a burst of 40 submits is paced by the client's buckets: zero 429s from the server", async () => {
    // An untrusted user: the server's strictest limits (2 per second per address and per key).
    const bob = await createOracleUser(oracleInfo(), { trusted: false });
    // 40 waiting requests at once need more than the default concurrency of 30 (that would be a 403).
    const raise = await fetch(`${oracleInfo().baseUrl}/v2/users/${bob.id}`, {
      method: "PUT",
      headers: {
        apikey: oracleInfo().adminKey,
        "Content-Type": "application/json",
        "X-Forwarded-For": isolatedIp(),
      },
      body: JSON.stringify({ concurrency: 60 }),
    });
    expect(raise.status).toBe(200);
    const { client, seen } = clientFor(bob.apikey);
    const ids: string[] = [];
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          client.submitRequest(
            new ImageGenerateAsyncRequest({ prompt: `burst ${i} ${randomUUID()}`, models: ["Deliberate"] }),
          ),
        ),
      );
      for (const a of answers) if (a instanceof ImageGenerateAsyncResponse) ids.push(a.id);
    } finally {
      // Leave nothing waiting on the server.
      for (const id of ids) {
        const res = await fetch(`${oracleInfo().baseUrl}/v2/generate/status/${id}`, {
          method: "DELETE",
          headers: { "X-Forwarded-For": isolatedIp() },
        });
        await res.arrayBuffer();
      }
    }
    const submits = seen.filter((s) => s.method === "POST" && s.path.endsWith("/v2/generate/async"));
    expect(submits.filter((s) => s.status === 429)).toEqual([]);
    expect(ids).toHaveLength(40);
  }, 120_000);
});
