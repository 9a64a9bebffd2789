// Durable jobs against the emulator: the job store's entry is written before a submit is sent and removed
// once the job is over; a submit whose answer is lost is found among the account's requests and followed
// (or cancelled when the caller gave up), never sent twice; what cannot be told is said.
import type { FaultPlan } from "horde-emulator";
import {
  AIHordeAPIClient,
  AIHordeRequestError,
  HordeAbortError,
  HordeJobStoreError,
  HordeLostSubmitError,
  type JobStore,
  MemoryJobStore,
  type StoredJob,
} from "horde-sdk";
import { BASE, capturingLogger, recordedFetch, startEmulator, type TimedCall } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const KEY = "durable-key-0123456789";
const SUBMIT = "POST /api/v2/generate/async";
const payload = (prompt = "a lighthouse", n = 1) => ({
  prompt,
  params: { width: 64, height: 64, steps: 5, n },
});

interface SetupOptions {
  devWorkers?: number;
  faults?: FaultPlan;
  store?: JobStore | null;
  apiKey?: string;
  /** Sees each request before it reaches the emulator (and may answer it). */
  intercept?: (
    call: TimedCall,
    forward: () => Promise<Response>,
  ) => Promise<Response | undefined> | undefined;
}

function setup(options: SetupOptions = {}) {
  const { emu, clock } = startEmulator({
    devWorkers: [{ type: "image" as const, generationMs: 3000 }].slice(0, options.devWorkers ?? 1),
    users: [{ username: "durable", kudos: 1e6, apikey: KEY }],
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const store =
    options.store === null ? undefined : (options.store ?? new MemoryJobStore({ now: () => clock.now() }));
  const { fetch, calls } = recordedFetch(emu, clock, options.intercept);
  const lines: string[] = [];
  /** A client; another one is another process as far as the store knows (the same key, fetch and store). */
  const newClient = () =>
    new AIHordeAPIClient({
      baseUrl: BASE,
      apiKey: options.apiKey ?? KEY,
      fetch,
      clock,
      logger: capturingLogger(lines),
      ...(store ? { jobStore: store } : {}),
    });
  const client = newClient();
  const sent = (route: string) => calls.filter((c) => `${c.method} ${new URL(c.url).pathname}` === route);
  return { emu, clock, store, client, newClient, calls, sent, lines };
}

/** The submit's request is created, then its answer is lost (the connection drops). */
const lostAnswer = (kind: "lost-response" | "malformed" = "lost-response"): FaultPlan => ({
  rules: [{ kind, route: "/v2/generate/async", method: "POST", count: 1 }],
});

describe("the job store of a client", () => {
  it("holds the job from before its submit is sent until its results are collected", async () => {
    let atSubmit: StoredJob[] | undefined;
    const store = new MemoryJobStore();
    const { client } = setup({
      store,
      intercept: (call) => {
        if (call.method === "POST") void store.list().then((jobs) => (atSubmit = jobs));
        return undefined;
      },
    });
    const job = await client.submitImage(payload("fox", 2), { meta: { out: "pictures" } });
    expect(atSubmit).toEqual([
      expect.objectContaining({
        kind: "image",
        state: "submitting",
        id: null,
        baseUrl: BASE,
        expected: 2,
        download: true,
        meta: { out: "pictures" },
      }),
    ]);
    expect(atSubmit?.[0]?.account).not.toContain(KEY);
    const [stored] = await store.list();
    expect(stored).toMatchObject({ key: atSubmit?.[0]?.key, state: "running", id: job.id });
    const seen: number[] = [];
    for await (const check of job.progress()) {
      seen.push(check.finished);
      expect((await store.list())[0]?.progress?.finished).toBe(check.finished);
    }
    expect(seen.at(-1)).toBe(2);
    const result = await job.wait();
    expect(result.images.map((i) => i.bytes?.length ?? 0).every((n) => n > 0)).toBe(true);
    expect(await store.list()).toEqual([]);
    expect(await store.recentlyRemoved()).toEqual([job.id]);
  });

  it("a cancelled, an aborted and a timed-out job leave the store; nothing is left running", async () => {
    const { client, store, emu } = setup({ devWorkers: 0 });
    const job = await client.submitImage(payload());
    await job.cancel();
    const controller = new AbortController();
    const aborted = client.generateImage(payload("aborted"), {
      signal: controller.signal,
      onSubmitted: () => controller.abort(),
    });
    await expect(aborted).rejects.toBeInstanceOf(HordeAbortError);
    await expect(client.generateImage(payload("slow"), { timeoutMs: 5_000 })).rejects.toThrow(/timed out/);
    expect(await store?.list()).toEqual([]);
    expect(emu.admin.stats().unfinished).toBe(0);
  });

  it("a store that cannot be written fails the submit before anything is sent", async () => {
    const broken: JobStore = {
      list: async () => [],
      put: async () => {
        throw new HordeJobStoreError("the disk is full", "test-store");
      },
      update: async () => true,
      remove: async () => {},
    };
    const { client, sent } = setup({ store: broken });
    await expect(client.generateImage(payload())).rejects.toThrow("the disk is full");
    expect(sent(SUBMIT)).toHaveLength(0);
  });

  it("a submit refused by the server leaves nothing in the store", async () => {
    const { client, store, emu } = setup();
    emu.admin.setKudos(KEY, 0);
    await expect(
      client.generateImage({ prompt: "big", params: { width: 2048, height: 2048, steps: 100 } }),
    ).rejects.toBeInstanceOf(AIHordeRequestError);
    expect(await store?.list()).toEqual([]);
  });
});

describe("a submit whose answer is lost", () => {
  it.each(["lost-response", "malformed"] as const)(
    "%s: the request is found among the account's, followed to its results, and never sent twice",
    async (fault) => {
      const { client, store, emu, sent, lines } = setup({ faults: lostAnswer(fault) });
      const submitted: string[] = [];
      const result = await client.generateImage(payload("lost"), {
        onSubmitted: (r) => submitted.push(r.id),
      });
      expect(sent(SUBMIT)).toHaveLength(1);
      expect(emu.admin.listRequests().map((r) => r.id)).toEqual([result.id]);
      expect(submitted).toEqual([result.id]);
      expect(result.images[0]?.bytes?.length).toBeGreaterThan(0);
      expect(lines.join("\n")).toContain(`found its request ${result.id} among the account's`);
      expect(await store?.list()).toEqual([]);
      expect(emu.admin.stats().unfinished).toBe(0);
    },
  );

  it("without a job store too (the client's own ids tell its requests apart)", async () => {
    const { client, emu } = setup({ store: null, faults: lostAnswer() });
    const first = await client.generateImage(payload("known"));
    emu.faults.set(lostAnswer());
    const second = await client.generateImage(payload("lost"));
    expect(second.id).not.toBe(first.id);
    expect(emu.admin.listRequests()).toHaveLength(2);
  });

  it("when the caller gave up meanwhile, the found request is cancelled", async () => {
    const controller = new AbortController();
    const { client, emu, store, sent } = setup({
      devWorkers: 0,
      faults: lostAnswer(),
      intercept: (call) => {
        if (call.method === "POST") controller.abort();
        return undefined;
      },
    });
    const error = await client.generateImage(payload(), { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(HordeAbortError);
    const [request] = emu.admin.listRequests();
    expect(request?.outcome).toBe("cancelled");
    expect(sent(`DELETE /api/v2/generate/status/${request?.id}`)).toHaveLength(1);
    expect(await store?.list()).toEqual([]);
  });

  it("a 5xx that hid nothing: after the server's cache window, 'nothing was queued' (the error as is)", async () => {
    const { client, clock, store, sent } = setup({
      faults: { rules: [{ kind: "error", status: 503, route: "/v2/generate/async", count: 1 }] },
    });
    const started = clock.now();
    const error = await client.generateImage(payload()).catch((e) => e);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect((error as AIHordeRequestError).status).toBe(503);
    // Listed again until a listing is fresher than find_user's 30 s cache (docs/server/directory.md#find-user).
    expect(clock.now() - started).toBeGreaterThanOrEqual(35_000);
    expect(sent("GET /api/v2/find_user").length).toBeGreaterThanOrEqual(3);
    expect(sent(SUBMIT)).toHaveLength(1);
    expect(await store?.list()).toEqual([]);
  });

  it("the anonymous key: cannot be told (everyone's requests); the store keeps it as unidentified", async () => {
    const { client, store, emu, sent } = setup({ apiKey: "0000000000", faults: lostAnswer() });
    const error = await client.generateImage(payload()).catch((e) => e);
    expect(error).toBeInstanceOf(HordeLostSubmitError);
    expect((error as Error).message).toMatch(/the anonymous key is shared by everyone.*It may be running/);
    const [stored] = (await store?.list()) ?? [];
    expect(stored).toMatchObject({ state: "unidentified", id: null });
    expect((error as HordeLostSubmitError).key).toBe(stored?.key);
    expect(sent("GET /api/v2/find_user")).toHaveLength(0);
    expect(emu.admin.listRequests()).toHaveLength(1);
  });

  it("another request of the account nobody here knows: two candidates, so it says it cannot tell", async () => {
    const { client, store, emu } = setup({ devWorkers: 0 });
    const stranger = await emu.fetch(`${BASE}/v2/generate/async`, {
      method: "POST",
      headers: { apikey: KEY, "Content-Type": "application/json", "Client-Agent": "other-app:1:x" },
      body: JSON.stringify(payload("someone else's")),
    });
    expect(stranger.status).toBe(202);
    emu.faults.set(lostAnswer());
    const error = await client.submitImage(payload()).catch((e) => e);
    expect(error).toBeInstanceOf(HordeLostSubmitError);
    expect((error as HordeLostSubmitError).candidates).toHaveLength(2);
    expect((error as Error).message).toContain("2 requests of the account could be it");
    expect((await store?.list())?.[0]?.state).toBe("unidentified");
  });

  it("ids the store removed lately are not taken for the lost request (the server lists done ones)", async () => {
    // The real server lists an account's requests until they expire, done ones included: here the finished
    // job of an earlier process stays listed. The new process (another client, the same store) knows it only
    // through the store's memory of removed jobs.
    let finishedId = "";
    const { client, newClient, emu, sent } = setup({
      intercept: async (call, forward) => {
        if (!call.url.endsWith("/v2/find_user") || !finishedId) return undefined;
        const body = (await (await forward()).json()) as { active_generations: { image: string[] } };
        body.active_generations.image.unshift(finishedId);
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { "Content-Type": "application/json" },
        });
      },
    });
    finishedId = (await client.generateImage(payload("earlier"))).id;
    emu.faults.set(lostAnswer());
    const result = await newClient().generateImage(payload("lost"));
    expect(result.id).not.toBe(finishedId);
    expect(emu.admin.listRequests().map((r) => r.id)).toEqual([finishedId, result.id]);
    expect(sent("GET /api/v2/find_user")).toHaveLength(1);
  });

  it("a submit of the same client still on the wire is never taken for the lost one", async () => {
    let release: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let posts = 0;
    let lookups = 0;
    const { client, emu, sent } = setup({
      devWorkers: 0,
      // The second submit fails with a 503 before the server runs it: its lookup finds only the first's
      // request, whose answer has not come yet.
      faults: { rules: [{ kind: "error", status: 503, route: "/v2/generate/async", skip: 1, count: 1 }] },
      intercept: async (call, forward) => {
        if (call.url.endsWith("/v2/find_user")) {
          // The first lookup lists the first submit's request while its answer is held back; then it comes.
          expect(emu.admin.listRequests()).toHaveLength(1);
          if (++lookups === 2) release?.();
          return undefined;
        }
        if (call.method !== "POST" || ++posts > 1) return undefined;
        // The first submit is queued at once, its answer held back until the other's lookup ran.
        const answer = await forward();
        await answered;
        return answer;
      },
    });
    const first = client.submitImage(payload("first"));
    const second = client.submitImage(payload("second")).catch((e: unknown) => e);
    const [job, error] = await Promise.all([first, second]);
    expect(error).toBeInstanceOf(AIHordeRequestError);
    expect((error as AIHordeRequestError).status).toBe(503);
    expect(emu.admin.listRequests().map((r) => r.id)).toEqual([job.id]);
    expect(sent("GET /api/v2/find_user").length).toBeGreaterThanOrEqual(2);
    await job.cancel();
  });
});
