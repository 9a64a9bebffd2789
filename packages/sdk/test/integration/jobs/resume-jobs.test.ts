// resumeJobs(): a new client (a new process, as far as the store knows) takes up what the store holds —
// running jobs re-attached, finished ones collected, expired ones forgotten, lost submits looked for.
import {
  AIHordeAPIClient,
  type ImageJob,
  MemoryJobStore,
  type ResumedJob,
  type StoredJob,
  silentLogger,
} from "horde-sdk";
import { BASE, startEmulator } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";
import { storedJob } from "../../fixtures/stored-job.js";

const KEY = "resume-key-0123456789a";
const payload = (prompt: string, n = 1) => ({ prompt, params: { width: 64, height: 64, steps: 5, n } });

/** A store whose other writers are alive or not, as the test says. */
class HeldStore extends MemoryJobStore {
  readonly holder = "this-process";
  async holderAlive(holder: string): Promise<boolean> {
    return holder === this.holder || holder === "a-living-process";
  }
}

function setup(devWorkers = 1) {
  const { emu, clock } = startEmulator({
    devWorkers: [
      { type: "image" as const, generationMs: 4000 },
      { type: "text" as const, generationMs: 4000 },
    ].slice(0, devWorkers * 2),
    users: [{ username: "resumer", kudos: 1e6, apikey: KEY }],
  });
  const store = new HeldStore({ now: () => clock.now() });
  const client = (options: { apiKey?: string; baseUrl?: string } = {}) =>
    new AIHordeAPIClient({
      baseUrl: options.baseUrl ?? BASE,
      apiKey: options.apiKey ?? KEY,
      fetch: emu.fetch,
      clock,
      logger: silentLogger,
      jobStore: store,
    });
  /** A job the store holds as a dead process left it. */
  const left = (patch: Partial<StoredJob>): StoredJob =>
    storedJob(`key-${Math.random().toString(36).slice(2)}`, {
      state: "running",
      baseUrl: BASE,
      account: "",
      holder: "a-dead-process",
      submittedAt: clock.now(),
      updatedAt: clock.now(),
      ...patch,
    });

  return { emu, clock, store, client, left };
}

const withJob = (r: ResumedJob) => {
  if (!r.job) throw new Error(`${r.key} was not resumed: ${r.state} (${r.reason})`);
  return r;
};

describe("client.resumeJobs()", () => {
  it("re-attaches running jobs and collects finished ones; the store is empty afterwards", async () => {
    const { emu, clock, store, client } = setup();
    const before = client();
    const running = await before.submitImage(payload("running", 2), { meta: { out: "pictures" } });
    const text = await before.submitText({ prompt: "once upon", params: { max_length: 16 } });
    const finished = await before.submitImage(payload("finished"));
    // The process "dies" here: nobody waits for its jobs. Time passes; one of them finishes on the server.
    await clock.advance(20_000);
    const after = client();
    const resumed = (await after.resumeJobs()).map(withJob);
    const byId = new Map(resumed.map((r) => [r.job.id, r]));
    expect([...byId.keys()].sort()).toEqual([running.id, text.id, finished.id].sort());
    expect(byId.get(running.id)?.stored.meta).toEqual({ out: "pictures" });
    expect(byId.get(finished.id)?.state).toBe("done");
    const results = await Promise.all(
      resumed.map(async (r) => {
        if (r.kind === "text") return (await r.job.wait()).texts.length;
        if (r.kind === "image")
          return (await r.job.wait()).images.filter((i) => (i.bytes?.length ?? 0) > 0).length;
        return -1;
      }),
    );
    expect(results.sort()).toEqual([1, 1, 2]);
    expect(await store.list()).toEqual([]);
    expect(emu.admin.stats().unfinished).toBe(0);
  });

  it("a resumed job can be watched and cancelled like any other", async () => {
    const { emu, store, client } = setup(0);
    const job = await client().submitImage(payload("never served"));
    const [resumed] = (await client().resumeJobs()).map(withJob);
    expect(resumed?.state).toBe("running");
    const resumedJob = resumed?.job as ImageJob;
    expect(resumedJob.lastProgress?.waiting).toBe(1);
    await resumedJob.cancel();
    expect(emu.admin.listRequests()).toMatchObject([{ id: job.id, outcome: "cancelled" }]);
    expect(await store.list()).toEqual([]);
  });

  it("expired jobs (404) are forgotten", async () => {
    const { store, client, left } = setup(0);
    await store.put(left({ id: "00000000-0000-0000-0000-000000000000" }));
    const [r] = await client().resumeJobs();
    expect(r).toMatchObject({ state: "expired", job: null });
    expect(r?.job === null && r.reason).toMatch(/no longer has it/);
    expect(await store.list()).toEqual([]);
  });

  it("a submit whose answer never arrived: found among the account's requests, else forgotten after the cache window", async () => {
    const { emu, clock, store, client, left } = setup();
    const c = client();
    const account = c.jobLedger.context.account;
    // The dead process had sent this submit; the server queued it, the answer never came.
    const response = await emu.fetch(`${BASE}/v2/generate/async`, {
      method: "POST",
      headers: { apikey: KEY, "Content-Type": "application/json", "Client-Agent": "dead:1:x" },
      body: JSON.stringify(payload("lost with its process")),
    });
    const queued = ((await response.json()) as { id: string }).id;
    await store.put(left({ state: "submitting", account, submittedAt: clock.now() - 120_000 }));
    // And this one never reached the server.
    await store.put(left({ state: "submitting", account, kind: "text", submittedAt: clock.now() - 120_000 }));
    const resumed = await c.resumeJobs();
    const found = resumed.find((r) => r.kind === "image");
    expect(found?.job?.id).toBe(queued);
    expect(resumed.find((r) => r.kind === "text")).toMatchObject({ state: "expired", job: null });
    await found?.job?.wait();
    expect(await store.list()).toEqual([]);
  });

  it("cannot tell: another key's or the anonymous key's submit is unknown and kept; ancient ones are dropped", async () => {
    const { clock, store, client, left } = setup(0);
    await store.put(left({ state: "submitting", account: "another-key" }));
    const [other] = await client().resumeJobs();
    expect(other).toMatchObject({ state: "unknown", job: null });
    expect(other?.job === null && other.reason).toMatch(/another API key/);
    expect((await store.list()).map((j) => j.state)).toEqual(["submitting"]);
    await store.remove(other?.key as string);

    const anonymous = client({ apiKey: "0000000000" });
    const account = anonymous.jobLedger.context.account;
    await store.put(left({ state: "submitting", account }));
    const [unknown] = await anonymous.resumeJobs();
    expect(unknown).toMatchObject({ state: "unknown" });
    expect((await store.list()).map((j) => j.state)).toEqual(["unidentified"]);
    await clock.advance(2 * 60 * 60 * 1000 + 1);
    const [dropped] = await anonymous.resumeJobs();
    expect(dropped).toMatchObject({ state: "expired" });
    expect(await store.list()).toEqual([]);
  });

  it("leaves alone another server's jobs, a living process's (unless taken over) and its own", async () => {
    const { store, client, left } = setup(0);
    const c = client();
    const own = await c.submitImage(payload("mine"));
    const otherServer = left({ baseUrl: "https://aihorde.net/api", id: "somewhere-else" });
    await store.put(otherServer);
    const job = await client().submitImage(payload("followed elsewhere"));
    const [entry] = (await store.list()).filter((j) => j.id === job.id);
    await store.update(entry?.key as string, { holder: "a-living-process" });
    const first = await c.resumeJobs();
    expect(first.map((r) => [r.job?.id ?? r.stored.id, r.state])).toEqual([
      [own.id, "held"],
      [job.id, "held"],
    ]);
    const taken = await c.resumeJobs({ takeOver: true, only: [job.id] });
    expect(taken.map((r) => [r.job?.id, r.state])).toEqual([[job.id, "running"]]);
    expect((await store.list()).find((j) => j.id === job.id)?.holder).toBe("this-process");
    await taken[0]?.job?.cancel();
    await own.cancel();
    expect((await store.list()).map((j) => j.key)).toEqual([otherServer.key]);
  });
});
