/**
 * The worker's side of the protocol: who may pop and under which name, which models it may serve, which
 * requests a pop hands out to which worker (the owner's own requests first, so that the scenario's requests
 * are the ones matched), the payloads of img2img, inpainting, remix, post-processing and LoRAs, and what a
 * submit may and may not do — unknown and foreign jobs, faults, duplicates, late submits after a job went
 * stale, and expiry.
 */
import sharp from "sharp";
import { type Conversation, scenario } from "../framework.js";
import {
  cancelImageAtEnd,
  cast,
  hasJob,
  IMAGE_MODEL,
  imagePop,
  imageRequest,
  isDone,
  smallWebp,
} from "./common.js";

const AREA = "worker protocol";
const LEGACY = "AI Horde Worker:13:https://github.com/Haidra-Org/AI-Horde-Worker";
const UNKNOWN_BRIDGE = "my-bridge:1.0:https://example.com";
/** What a pop's answer shows about the job it handed out (or not). */
const JOB = [
  "ids.length",
  "model",
  "payload.width",
  "payload.height",
  "payload.ddim_steps",
  "payload.n_iter",
];

let png: Map<string, string> | undefined;
/** A PNG in base64, optionally with an alpha channel. */
async function pngOf(width: number, height: number, alpha = false): Promise<string> {
  png ??= new Map();
  const key = `${width}x${height}${alpha}`;
  let v = png.get(key);
  if (!v) {
    v = (
      await sharp({
        create: { width, height, channels: alpha ? 4 : 3, background: { r: 20, g: 90, b: 200, alpha: 0.5 } },
      })
        .png()
        .toBuffer()
    ).toString("base64");
    png.set(key, v);
  }
  return v;
}

/** A worker's id, by its name (read without recording a step: the directory's views are compared elsewhere). */
async function workerId(c: Conversation, name: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const a = await c.send("GET /v2/workers/name/{name}", { params: { name } });
    if (a.status === 200 && typeof a.body?.id === "string") return a.body.id;
    await c.sleep(250);
  }
  throw new Error(`worker ${name} never showed`);
}

/** The owner submits (so its own workers see the request first) and remembers to cancel it. */
async function ownRequest(c: Conversation, apikey: string, label: string, extra: Record<string, unknown>) {
  const a = await c.step(label, "POST /v2/generate/async", { apikey, body: imageRequest(extra) });
  if (a.body?.id) cancelImageAtEnd(c, a.body.id);
  return a.body?.id as string | undefined;
}

/** The owner's worker checks in idle, then alice asks for one image (cancelled after the scenario). */
async function idleWorkerAndOneImage(c: Conversation) {
  const { alice, owner } = await cast(c);
  const name = c.name("w");
  await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
  const sub = await c.step("submit", "POST /v2/generate/async", {
    apikey: alice.apikey,
    body: imageRequest({ r2: false }),
  });
  const id = sub.body.id as string;
  cancelImageAtEnd(c, id);
  return { owner, name, id };
}

export const workerProtocolScenarios = [
  scenario(AREA, "pop: names, bridges, models and priority users", async (c) => {
    const { owner } = await cast(c);
    const pop = (label: string, body: Record<string, unknown>, route = "POST /v2/generate/pop") =>
      c.step(label, route, { apikey: owner.apikey, body });
    await pop("a name with google in it", imagePop(c.name("my GoOgle w")));
    await pop("no models", { name: c.name("nm"), bridge_agent: imagePop("x").bridge_agent });
    await pop("an empty model list", imagePop(c.name("em"), { models: [] }));
    await pop(
      "an unknown model beside a known one",
      imagePop(c.name("uk"), { models: ["zzz", IMAGE_MODEL] }),
    );
    await pop("a priority user without a number", imagePop(c.name("p1"), { priority_usernames: ["abc#"] }));
    await pop("a priority user without #", imagePop(c.name("p2"), { priority_usernames: ["abc"] }));
    await pop(
      "a priority user that does not exist",
      imagePop(c.name("p3"), { priority_usernames: ["abc#999999"] }),
    );
    await pop("amount 0", imagePop(c.name("a0"), { amount: 0 }));
    await pop("threads 0", imagePop(c.name("t0"), { threads: 0 }));
    await pop("max_pixels negative", imagePop(c.name("mp"), { max_pixels: -5 }));
    await pop("an unknown bridge agent", imagePop(c.name("ub"), { bridge_agent: UNKNOWN_BRIDGE }));
    await pop("a bridge agent that does not parse", imagePop(c.name("bb"), { bridge_agent: "x" }));
    await pop("a name with spaces around it", imagePop(`  ${c.name("sp")}  `));
    await pop("the same name, trimmed", imagePop(c.name("sp")));
    const name = c.name("poly");
    await pop("an image worker", imagePop(name));
    await pop(
      "a text worker of the same name",
      {
        name,
        models: ["koboldcpp/x"],
        bridge_agent: imagePop("x").bridge_agent,
      },
      "POST /v2/generate/text/pop",
    );
    await pop("a NUL byte in a model name", imagePop(c.name("nul"), { models: [IMAGE_MODEL, "x\u0000y"] }));
  }),

  scenario(AREA, "pop: an untrusted owner may have four workers, not five", async (c) => {
    const carol = await c.user("carol", { trusted: false });
    for (const i of [1, 2, 3, 4, 5]) {
      await c.step(`worker ${i}`, "POST /v2/generate/pop", {
        apikey: carol.apikey,
        body: imagePop(c.name(`c${i}`)),
      });
    }
  }),

  scenario(AREA, "pop: the worker gets only what it can do", async (c) => {
    const { owner } = await cast(c);
    const key = owner.apikey;
    const pop = (label: string, name: string, extra: Record<string, unknown> = {}) =>
      c.step(label, "POST /v2/generate/pop", { apikey: key, body: imagePop(c.name(name), extra), same: JOB });
    // One request at a time: each is taken (or not) before the next one is queued.
    await ownRequest(c, key, "nsfw request", { nsfw: true });
    await pop("a sfw worker", "sfw", { nsfw: false });
    await pop("a nsfw worker", "nsfw", { nsfw: true });
    await ownRequest(c, key, "a request for another model", { models: ["Deliberate"] });
    await pop("a worker without it", "m1");
    await pop("a worker with it", "m2", { models: [IMAGE_MODEL, "Deliberate"] });
    await ownRequest(c, key, "a 1024² request", { params: { width: 1024, height: 1024, steps: 10 } });
    await pop("a worker up to 512²", "px1", { max_pixels: 262144 });
    await pop("a worker up to 1024²", "px2", { max_pixels: 1048576 });
    await ownRequest(c, key, "an r2 request", {});
    await pop("an unknown bridge", "ub", { bridge_agent: UNKNOWN_BRIDGE });
    await pop("a reGen bridge", "rg");
    await ownRequest(c, key, "a base64 request", { r2: false });
    await pop("an unknown bridge takes it", "ub2", { bridge_agent: UNKNOWN_BRIDGE });
    await ownRequest(c, key, "a LoRA request", { params: { steps: 10, loras: [{ name: "123" }] } });
    await pop("a worker without LoRAs", "l1");
    await pop("a worker with LoRAs", "l2", { allow_lora: true });
    await ownRequest(c, key, "a post-processing request", {
      params: { steps: 10, post_processing: ["GFPGAN"] },
    });
    await pop("a worker without post-processing", "pp1", { allow_post_processing: false });
    await pop("a worker with it", "pp2");
    await ownRequest(c, key, "a request with a blacklisted word", { prompt: "a red Cube" });
    await pop("a worker with the word blacklisted", "bl1", { blacklist: ["cube"] });
    await pop("a worker without", "bl2");
    // The legacy worker runs DDIM only without karras (the default is karras).
    await ownRequest(c, key, "a DDIM request", { params: { steps: 10, sampler_name: "DDIM" } });
    await pop("a legacy bridge", "lg", { bridge_agent: LEGACY });
    await pop("a reGen bridge", "rg2");
    await ownRequest(c, key, "a batch of four", { params: { width: 512, height: 512, steps: 10, n: 4 } });
    await pop("amount 2", "b1", { amount: 2 });
    await pop("amount 4 with room for 2", "b2", { amount: 4, max_pixels: 524288 });
  }),

  scenario(AREA, "pop: targeted requests, trusted workers and slow workers", async (c) => {
    const { owner } = await cast(c);
    const dave = await c.user("dave", { trusted: false });
    const key = owner.apikey;
    const chosen = c.name("chosen");
    await c.step("the chosen worker checks in", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(chosen),
    });
    const id = await workerId(c, chosen);
    await ownRequest(c, key, "only for the chosen worker", { workers: [id] });
    await c.step("another worker", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(c.name("other")),
      same: JOB,
    });
    await c.step("the chosen worker", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(chosen),
      same: JOB,
    });
    await ownRequest(c, key, "everyone but the chosen worker", { workers: [id], worker_blacklist: true });
    await c.step("the chosen worker again", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(chosen),
      same: JOB,
    });
    await c.step("another worker again", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(c.name("other")),
      same: JOB,
    });
    // dave is not trusted: his worker may not take trusted_workers requests, not even its owner's.
    const daveId = await ownRequest(c, dave.apikey, "dave's trusted-workers request", {
      trusted_workers: true,
    });
    await c.step("dave's worker", "POST /v2/generate/pop", {
      apikey: dave.apikey,
      body: imagePop(c.name("dw")),
      same: JOB,
    });
    if (daveId) {
      await c.step("dave's check", "GET /v2/generate/check/{id}", {
        params: { id: daveId },
        same: ["is_possible"],
      });
    }
  }),

  scenario(AREA, "img2img, inpainting and remix: what the worker gets", async (c) => {
    const { owner } = await cast(c);
    const key = owner.apikey;
    const pop = (label: string, extra: Record<string, unknown> = {}) =>
      c.step(label, "POST /v2/generate/pop", {
        apikey: key,
        body: imagePop(c.name("src"), { max_pixels: 4_194_304, ...extra }),
        same: [...JOB, "source_processing", "payload.denoising_strength"],
      });
    const img = await pngOf(64, 64);
    await ownRequest(c, key, "img2img", {
      source_image: img,
      params: { width: 512, height: 512, steps: 10, denoising_strength: 0.6 },
    });
    await pop("a reGen worker gets a URL");
    await ownRequest(c, key, "img2img for a legacy bridge", { source_image: img, r2: false });
    await c.step("a legacy worker gets base64", "POST /v2/generate/pop", {
      apikey: key,
      body: imagePop(c.name("legacy"), { bridge_agent: LEGACY }),
      same: [...JOB, "source_processing"],
    });
    await ownRequest(c, key, "inpainting with a mask", {
      source_image: img,
      source_mask: img,
      source_processing: "inpainting",
    });
    await pop("a worker without an inpainting model");
    await pop("a worker with one", { models: [IMAGE_MODEL, "stable_diffusion_inpainting"] });
    await ownRequest(c, key, "inpainting, alpha instead of a mask", {
      source_image: await pngOf(64, 64, true),
      source_processing: "inpainting",
    });
    await pop("the inpainting worker", { models: [IMAGE_MODEL, "stable_diffusion_inpainting"] });
    await ownRequest(c, key, "remix with Stable Cascade", {
      models: ["Stable Cascade 1.0"],
      source_image: img,
      source_processing: "remix",
      extra_source_images: [{ image: img, strength: 0.5 }],
      params: { width: 1024, height: 1024, steps: 20 },
    });
    await pop("a Stable Cascade worker", { models: ["Stable Cascade 1.0"] });
  }),

  scenario(AREA, "submit: unknown, foreign, faulted, twice, metadata", async (c) => {
    const { alice, owner } = await cast(c);
    const other = await c.user("other", { trusted: true });
    const webp = await smallWebp();
    await c.step("unknown job", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: "00000000-0000-0000-0000-000000000000", generation: webp, seed: 1 },
    });
    await c.step("not a uuid", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: "nope", generation: webp, seed: 1 },
    });
    const name = c.name("w");
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(name) });
    const sub = await c.step("submit", "POST /v2/generate/async", {
      apikey: alice.apikey,
      body: imageRequest({ r2: false, params: { width: 512, height: 512, steps: 10, n: 2 } }),
    });
    const id = sub.body.id as string;
    cancelImageAtEnd(c, id);
    const popped = await c.poll(
      "pop both",
      "POST /v2/generate/pop",
      { apikey: owner.apikey, body: imagePop(name, { amount: 2 }) },
      hasJob,
    );
    const [first, second] = (popped.body.ids as string[]) ?? [];
    await c.step("a stranger's key", "POST /v2/generate/submit", {
      apikey: other.apikey,
      body: { id: first, generation: webp, seed: 1 },
    });
    await c.step("an unknown key", "POST /v2/generate/submit", {
      apikey: "notakey0000000000000zz",
      body: { id: first, generation: webp, seed: 1 },
    });
    await c.step("the worker reports a fault", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: first, generation: "", state: "faulted", seed: 0 },
      same: ["reward"],
    });
    await c.step("a fault again", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: first, generation: "", state: "faulted", seed: 0 },
      same: ["reward"],
    });
    await c.step("a result after the fault", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: first, generation: webp, seed: 1 },
    });
    await c.poll(
      "check after the fault",
      "GET /v2/generate/check/{id}",
      { params: { id }, same: ["finished", "processing", "restarted", "waiting", "done"] },
      (a) => a.body?.restarted === 1,
    );
    const metadata = Array.from({ length: 51 }, (_, i) => ({
      type: "information",
      value: "see_ref",
      ref: `${i}`,
    }));
    await c.step("too much metadata", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: second, generation: webp, seed: 2, gen_metadata: metadata },
    });
    await c.step("twice", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: second, generation: webp, seed: 2 },
    });
    await c.step("a fault after the result", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: second, generation: "", state: "faulted", seed: 0 },
    });
    const again = await c.poll(
      "the faulted job is popped again",
      "POST /v2/generate/pop",
      { apikey: owner.apikey, body: imagePop(name), same: JOB },
      hasJob,
    );
    await c.step("its result", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: again.body.id, generation: webp, seed: 3 },
    });
    await c.poll(
      "done",
      "GET /v2/generate/check/{id}",
      { params: { id }, same: ["finished", "processing", "restarted", "waiting", "done"] },
      isDone,
    );
    await c.step("status", "GET /v2/generate/status/{id}", {
      params: { id },
      same: ["generations.length", "done", "faulted"],
    });
  }),

  scenario(AREA, "a worker reports each retry of a one-image request faulted", async (c) => {
    const { owner, name, id } = await idleWorkerAndOneImage(c);
    // A fault puts the image back only while fewer of the request's jobs have ended (a result or a fault)
    // than it asked for: the second fault ends a one-image request.
    for (const round of [1, 2, 3]) {
      const popped = await c.poll(
        `pop ${round}`,
        "POST /v2/generate/pop",
        { apikey: owner.apikey, body: imagePop(name) },
        hasJob,
        { timeoutMs: 5_000 },
      );
      if (!hasJob(popped)) break;
      await c.step(`fault ${round}`, "POST /v2/generate/submit", {
        apikey: owner.apikey,
        body: { id: popped.body.id, generation: "", state: "faulted", seed: 0 },
        same: ["reward"],
      });
      await c.step(`check after fault ${round}`, "GET /v2/generate/check/{id}", {
        params: { id },
        same: ["finished", "processing", "restarted", "waiting", "done", "faulted"],
      });
    }
  }),

  scenario(AREA, "expiry and stale jobs, run by the server's own cleaner", async (c) => {
    // A job nobody delivers: past its ttl it is aborted and its image goes back into the queue; a late
    // result is refused.
    const { owner, name, id } = await idleWorkerAndOneImage(c);
    const popped = await c.poll(
      "pop",
      "POST /v2/generate/pop",
      { apikey: owner.apikey, body: imagePop(name) },
      hasJob,
    );
    const job = popped.body.id as string;
    await c.target.age("job", job, 200);
    await c.poll(
      "check after the job went stale",
      "GET /v2/generate/check/{id}",
      { params: { id }, same: ["finished", "processing", "restarted", "waiting", "done"] },
      (a) => a.body?.restarted === 1,
      { timeoutMs: 75_000, everyMs: 1000 },
    );
    await c.step("a late result", "POST /v2/generate/submit", {
      apikey: owner.apikey,
      body: { id: job, generation: await smallWebp(), seed: 1 },
    });
    // A request whose time is up is deleted: every route then says it does not exist.
    await c.target.age("request", id, 30 * 60);
    await c.poll(
      "check after expiry",
      "GET /v2/generate/check/{id}",
      { params: { id } },
      (a) => a.status === 404,
      { timeoutMs: 75_000, everyMs: 1000 },
    );
    await c.step("status after expiry", "GET /v2/generate/status/{id}", { params: { id } });
    await c.step("cancel after expiry", "DELETE /v2/generate/status/{id}", { params: { id } });
  }),
];
