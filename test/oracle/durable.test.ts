/**
 * Durable jobs against the real AI Horde server: a process that submitted 3 image jobs with a FileJobStore is
 * killed with SIGKILL while a HordeWorker serves them; a new process resumes them — all 3 results downloaded,
 * nothing left running on the server, the store empty. And what the resume's lookup relies on in
 * `/v2/find_user` (docs/server/directory.md#user-details): the account's image requests are listed, its
 * alchemy requests are not, and a submit whose answer never arrived is found there.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { drawPicture } from "horde-emulator";
import { AIHordeAPIClient, encodeBase64, MemoryJobStore, silentLogger } from "horde-sdk";
import { FileJobStore } from "horde-sdk/node";
import { HordeWorker } from "horde-sdk/worker";
import { bundleNodeScript, type NodeScript, runNodeScript } from "horde-test-support";
import {
  createOracleUser,
  fetchFrom,
  isolatedIp,
  oracleInfo,
  uniqueName,
  useOracle,
} from "horde-test-support/oracle";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const oracle = useOracle();
const CLIENT = fileURLToPath(new URL("../../packages/sdk/test/fixtures/durable-client.ts", import.meta.url));
const IMAGE_MODEL = "stable_diffusion";

let dir: string;
let script: NodeScript;
const workers: HordeWorker[] = [];

beforeAll(async () => {
  if (!oracle.available) return;
  dir = await mkdtemp(join(tmpdir(), "horde-oracle-durable-"));
  script = await bundleNodeScript(CLIENT);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop({ drain: false })));
});
afterAll(async () => {
  await script?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function clientFor(apiKey: string, jobStore?: MemoryJobStore) {
  return new AIHordeAPIClient({
    baseUrl: oracleInfo().baseUrl,
    apiKey,
    fetch: fetchFrom(isolatedIp()),
    logger: silentLogger,
    ...(jobStore ? { jobStore } : {}),
  });
}

/** An image worker of its own account that takes `delayMs` per job. */
async function imageWorker(delayMs: number) {
  const owner = await createOracleUser(oracleInfo());
  const worker = new HordeWorker({
    kind: "image",
    client: clientFor(owner.apikey),
    name: uniqueName("durablew"),
    models: [IMAGE_MODEL],
    maxPixels: 1024 * 1024,
    generate: async (job) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return Promise.all(
        job.seeds.map(async (seed) => ({
          image: await drawPicture({ prompt: job.positivePrompt, seed, width: 64, height: 64 }),
          seed,
        })),
      );
    },
  });
  workers.push(worker);
  worker.start();
  return worker;
}

async function check(id: string): Promise<{ done: boolean; waiting: number; processing: number }> {
  const res = await fetch(`${oracleInfo().baseUrl}/v2/generate/check/${id}`, {
    headers: { "X-Forwarded-For": isolatedIp() },
  });
  return (await res.json()) as { done: boolean; waiting: number; processing: number };
}

describe.skipIf(!oracle.available)(
  `durable jobs against the oracle${oracle.available ? "" : ` (skipped: ${oracle.reason})`}`,
  () => {
    it("a process killed with SIGKILL while a worker serves its 3 jobs: a new process resumes them all", async () => {
      const alice = await createOracleUser(oracleInfo());
      await imageWorker(3000);
      const storePath = join(dir, "jobs.json");
      const url = oracleInfo().baseUrl;
      const submitter = runNodeScript(script.file, ["submit", url, alice.apikey, storePath]);
      await submitter.waitFor(/(submitted \S+\n){3}/, { timeoutMs: 60_000 });
      const ids = [...submitter.stdout().matchAll(/submitted (\S+)/g)].map((m) => m[1] as string);
      submitter.kill("SIGKILL");
      expect((await submitter.done).signal).toBe("SIGKILL");
      expect((await new FileJobStore(storePath).list()).map((j) => j.id).sort()).toEqual([...ids].sort());
      expect((await Promise.all(ids.map(check))).some((c) => !c.done)).toBe(true);

      const resumer = await runNodeScript(script.file, ["resume", url, alice.apikey, storePath]).done;
      expect(resumer.code, resumer.stderr).toBe(0);
      const results = JSON.parse(resumer.stdout) as {
        id: string;
        images: { bytes: number; webp: string }[];
      }[];
      expect(results.map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const r of results) expect(r.images).toEqual([{ bytes: expect.any(Number), webp: "WEBP" }]);
      // Nothing left running on the server, and nothing left in the store.
      for (const c of await Promise.all(ids.map(check))) {
        expect(c).toMatchObject({ done: true, waiting: 0, processing: 0 });
      }
      expect(await new FileJobStore(storePath).list()).toEqual([]);
    }, 180_000);

    it("find_user lists the account's image requests but not its alchemy ones; a lost submit is found there", async () => {
      const bob = await createOracleUser(oracleInfo());
      const ip = isolatedIp();
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${oracleInfo().baseUrl}${path}`, {
          method: "POST",
          headers: {
            apikey: bob.apikey,
            "Content-Type": "application/json",
            "Client-Agent": "durable-oracle:1:test",
            "X-Forwarded-For": ip,
          },
          body: JSON.stringify(body),
        });
        expect(res.status, await res.clone().text()).toBe(202);
        return ((await res.json()) as { id: string }).id;
      };
      // Submitted by "a process that died before reading the answer": only the store's entry knows of it.
      const image = await post("/v2/generate/async", {
        prompt: "lost with its process",
        params: { width: 64, height: 64, steps: 5 },
        models: [IMAGE_MODEL],
      });
      const source = encodeBase64(await drawPicture({ prompt: "source", seed: 1, width: 64, height: 64 }));
      const alchemy = await post("/v2/interrogate/async", {
        source_image: source,
        forms: [{ name: "caption" }],
      });

      const store = new MemoryJobStore();
      const client = clientFor(bob.apikey, store);
      const user = await client.findUser();
      expect(user.active_generations?.image).toEqual([image]);
      expect(user.active_generations?.alchemy ?? []).not.toContain(alchemy);

      const entry = {
        kind: "image" as const,
        state: "submitting" as const,
        id: null,
        baseUrl: client.baseUrl,
        account: client.jobLedger.context.account,
        holder: "a-process-that-died",
        submittedAt: Date.now() - 120_000,
        updatedAt: Date.now() - 120_000,
        expected: 1,
        download: true,
        progress: null,
        meta: null,
      };
      await store.put({ ...entry, key: "image-entry" });
      const [resumed] = await client.resumeJobs();
      expect(resumed?.job?.id).toBe(image);
      await resumed?.job?.cancel();
      expect(await store.list()).toEqual([]);
      // The alchemy request is not listed: its lost submit cannot be told, and is kept for later.
      await store.put({ ...entry, kind: "alchemy", key: "alchemy-entry" });
      const [unknown] = await client.resumeJobs();
      expect(unknown).toMatchObject({ state: "unknown", job: null });
      await fetch(`${oracleInfo().baseUrl}/v2/interrogate/status/${alchemy}`, {
        method: "DELETE",
        headers: { "X-Forwarded-For": ip },
      });
    }, 120_000);
  },
);
