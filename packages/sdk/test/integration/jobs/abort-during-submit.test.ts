/**
 * The abort-during-submit race, driven deterministically: the test's fetch holds the submit at one point of
 * its exchange with the in-process emulator, the caller aborts there, and only then does the exchange go on.
 * Whatever the point, the submit is awaited (never cut), a job the server created is cancelled (the admin
 * view: nothing left running, one request per submit), the caller learns its id through `onSubmitted`, and
 * the caller gets a HordeAbortError.
 */

import { drawPicture } from "horde-emulator";
import { AIHordeAPIClient, encodeBase64, HordeAbortError, silentLogger } from "horde-sdk";
import { BASE, recordedFetch, startEmulator } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

/** Where the caller's abort lands in the submit's exchange. */
type Point =
  /** The signal is aborted before the job is asked for: nothing may be sent. */
  | "before the call"
  /** fetch was called, the request has not reached the server yet. */
  | "sent, not yet received"
  /** The server created the job; its answer is held back. */
  | "created, answer held"
  /** The answer was handed to the SDK, which has not read it yet. */
  | "answer delivered"
  /** The server created the job and the connection then dropped (the answer is lost). */
  | "created, answer lost"
  /** The submit resolved; the caller aborts from `onSubmitted`, before the first poll. */
  | "in onSubmitted";

type Kind = "image" | "text" | "alchemy";

const SUBMIT = /\/v2\/(generate\/async|generate\/text\/async|interrogate\/async)$/;
const SOURCE = encodeBase64(await drawPicture({ prompt: "a race", seed: 1, width: 64, height: 64 }));

function run(client: AIHordeAPIClient, kind: Kind, options: object) {
  if (kind === "image")
    return client.generateImage({ prompt: "a race", params: { width: 64, height: 64, n: 1 } }, options);
  if (kind === "text") return client.generateText({ prompt: "a race", params: { max_length: 16 } }, options);
  return client.runAlchemy({ source_image: SOURCE, forms: [{ name: "caption" }] }, options);
}

/** Runs one job whose submit meets the abort at `point`; returns what the caller and the server saw. */
async function race(kind: Kind, point: Point) {
  // No workers: a created job stays queued, so "cancelled" is the only way it can end.
  const { emu, clock } = startEmulator({ devWorkers: [] });
  const controller = new AbortController();
  const steps: string[] = [];
  const { fetch } = recordedFetch(emu, clock, async (call, forward) => {
    if (call.method !== "POST" || !SUBMIT.test(new URL(call.url).pathname)) return undefined;
    steps.push("submit");
    if (point === "sent, not yet received") {
      controller.abort(new Error("caller gave up"));
      await Promise.resolve();
    }
    const response = await forward();
    steps.push("created");
    if (point === "created, answer held") {
      const held = clock.sleep(5_000); // the answer is late: the caller aborts meanwhile
      controller.abort(new Error("caller gave up"));
      await held;
    }
    if (point === "answer delivered") controller.abort(new Error("caller gave up"));
    if (point === "created, answer lost") {
      controller.abort(new Error("caller gave up"));
      throw new TypeError("fetch failed", {
        cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      });
    }
    return response;
  });
  // A key of its own: the account's requests can be listed, so a lost answer's request can be found.
  const { apikey } = emu.admin.createUser({ username: "racer", kudos: 100_000 });
  const client = new AIHordeAPIClient({ baseUrl: BASE, apiKey: apikey, fetch, clock, logger: silentLogger });
  const submitted: string[] = [];
  if (point === "before the call") controller.abort(new Error("caller gave up"));
  const error = await run(client, kind, {
    signal: controller.signal,
    onSubmitted: (response: { id: string }) => {
      submitted.push(response.id);
      if (point === "in onSubmitted") controller.abort(new Error("caller gave up"));
    },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  return { error, submitted, steps, requests: emu.admin.listRequests(), stats: emu.admin.stats() };
}

const POINTS: Point[] = [
  "before the call",
  "sent, not yet received",
  "created, answer held",
  "answer delivered",
  "created, answer lost",
  "in onSubmitted",
];

describe("a caller that aborts while its submit is in flight", () => {
  for (const kind of ["image", "text", "alchemy"] as const) {
    for (const point of POINTS) {
      // The server never lists alchemy requests, so a lost alchemy answer cannot be found (and is reported
      // as HordeLostSubmitError, see lost-answers.test.ts): that race is image and text only.
      if (kind === "alchemy" && point === "created, answer lost") continue;
      it(`${kind}: ${point} — the job is cancelled, the caller gets an abort`, async () => {
        const { error, submitted, steps, requests, stats } = await race(kind, point);
        expect(error).toBeInstanceOf(HordeAbortError);
        expect((error as Error).message).toMatch(/aborted/);
        expect(stats.orphaned, "nothing left running").toEqual([]);
        if (point === "before the call") {
          expect(steps).toEqual([]);
          expect(requests).toEqual([]);
          expect(submitted).toEqual([]);
          return;
        }
        // The submit went through once (never cut, never repeated), and its job was cancelled.
        expect(steps).toEqual(["submit", "created"]);
        expect(requests.map((r) => r.outcome)).toEqual(["cancelled"]);
        // The caller knows the id of every job the server created for it.
        expect(submitted).toEqual([requests[0]?.id]);
      });
    }
  }

  it("submitImage: an abort while the answer is held cancels the job it never returned", async () => {
    const { emu, clock } = startEmulator({ devWorkers: [] });
    const controller = new AbortController();
    const { fetch } = recordedFetch(emu, clock, async (call, forward) => {
      if (call.method !== "POST" || !SUBMIT.test(new URL(call.url).pathname)) return undefined;
      const response = await forward();
      controller.abort();
      return response;
    });
    const client = new AIHordeAPIClient({ baseUrl: BASE, fetch, clock, logger: silentLogger });
    await expect(
      client.submitImage(
        { prompt: "a race", params: { width: 64, height: 64 } },
        { signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(HordeAbortError);
    expect(emu.admin.listRequests().map((r) => r.outcome)).toEqual(["cancelled"]);
    expect(emu.admin.stats().orphaned).toEqual([]);
  });
});

describe("a cancel the server cannot take just now", () => {
  it("is asked again after the pipeline's retries ran out (a 429 storm), and the job ends cancelled", async () => {
    const { emu, clock } = startEmulator({ devWorkers: [] });
    const controller = new AbortController();
    let refused = 0;
    const { fetch } = recordedFetch(emu, clock, async (call) => {
      // The first 12 DELETEs meet a storm: 429 without an rc, as the server's rate limiter answers.
      if (call.method !== "DELETE" || refused >= 12) return undefined;
      refused++;
      return new Response(JSON.stringify({ message: "2 per 1 second" }), {
        status: 429,
        headers: { "Content-Type": "application/json", "Retry-After": "1" },
      });
    });
    const client = new AIHordeAPIClient({
      baseUrl: BASE,
      fetch,
      clock,
      logger: silentLogger,
      retry: { maxRetries: 3 },
    });
    const error = await client
      .generateImage(
        { prompt: "a storm", params: { width: 64, height: 64 } },
        { signal: controller.signal, onSubmitted: () => controller.abort() },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeAbortError);
    expect(refused).toBe(12);
    expect(emu.admin.listRequests().map((r) => r.outcome)).toEqual(["cancelled"]);
    expect(emu.admin.stats().orphaned).toEqual([]);
  });
});
