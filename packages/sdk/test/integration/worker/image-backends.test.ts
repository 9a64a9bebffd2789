// Image jobs served end to end — a requester's client, the in-process emulator, a HordeWorker with a backend
// (AUTOMATIC1111/Forge, ComfyUI), and a fake of its server on 127.0.0.1 — with the payload mapping checked
// field by field, the PNGs turned into WebP, progress, stops and the backend's errors.
import type { ImageGenerateAsyncPayload } from "horde-sdk";
import {
  a1111Backend,
  comfyuiBackend,
  HordeBackendError,
  type HordeWorkerEvents,
  type ImageBackend,
  sharpCodec,
} from "horde-sdk/worker";
import {
  fakeA1111,
  fakeComfyui,
  next,
  onVirtualClock,
  setupWorkerHarness,
  solidPng,
} from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, it, onTestFinished } from "vitest";

const codec = sharpCodec(sharp);
const MODEL = "Deliberate";
/** The server hands painting jobs only to a worker that also serves an inpainting model (docs/server/workers.md#pop). */
const INPAINTING_WORKER_MODELS = ["deliberate_v3", "Deliberate Inpainting"];

/** A txt2img request with every mapped field away from its default: 2 images, hires fix, TIs. */
const TXT2IMG = {
  prompt: "a castle on a hill###blurry",
  models: [MODEL],
  params: {
    n: 2,
    width: 576,
    height: 640,
    steps: 12,
    seed: "4242",
    sampler_name: "k_dpmpp_2m" as const,
    cfg_scale: 6.5,
    karras: true,
    clip_skip: 2,
    tiling: true,
    hires_fix: true,
    hires_fix_denoising_strength: 0.5,
    tis: [
      { name: "EasyNegative", inject_ti: "negprompt" as const, strength: 0.8 },
      { name: "7808", inject_ti: "prompt" as const },
    ],
  },
};

/** Serve TXT2IMG (a batch of 2) with a worker on `backend`; its progress events, the result. */
async function serveTxt2img(backend: ImageBackend) {
  const { worker, requesterClient, clock, calls } = setupWorkerHarness();
  const w = worker({
    kind: "image",
    models: [MODEL],
    amount: 2,
    maxPixels: 1024 * 1024,
    backend: onVirtualClock(backend, clock),
  });
  const progress: HordeWorkerEvents["progress"][] = [];
  w.on("progress", (p) => progress.push(p));
  w.start();
  const result = await requesterClient.generateImage(TXT2IMG);
  return { w, progress, result, calls };
}

/** A worker serving the inpainting models on `backend`, with a 64² source and an all-white mask to send it. */
async function serveInpainting(backend: ImageBackend) {
  const { worker, requesterClient, clock } = setupWorkerHarness();
  const w = worker({
    kind: "image",
    models: INPAINTING_WORKER_MODELS,
    backend: onVirtualClock(backend, clock),
  }).start();
  const source = await png(64, 64);
  const mask = await solidPng(64, 64, "#fff");
  return { w, requesterClient, source, mask };
}

/** The inpainting request the backends' tests send: a green square painted into `source` where `mask` is white. */
function inpaintingRequest(source: Buffer, mask: Buffer, sampler: string): ImageGenerateAsyncPayload {
  return {
    prompt: "a green square",
    models: ["deliberate_v3"],
    params: {
      width: 64,
      height: 64,
      steps: 8,
      seed: "7",
      denoising_strength: 0.6,
      karras: false,
      sampler_name: sampler,
    },
    source_image: source.toString("base64"),
    source_mask: mask.toString("base64"),
    source_processing: "inpainting",
  };
}

async function started<T extends { close(): Promise<void> }>(fake: Promise<T>): Promise<T> {
  const server = await fake;
  onTestFinished(() => server.close());
  return server;
}

/** The colour of the first pixel of an image (the fakes paint flat images). */
async function colourOf(bytes: Uint8Array | null): Promise<number[]> {
  const { data } = await sharp(bytes as Uint8Array)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return [data[0] as number, data[1] as number, data[2] as number];
}

/** What the fake painted for a seed (seedPng's colour). */
function seedColour(seed: number): number[] {
  const rgb = Math.imul(seed >>> 0, 2654435761) >>> 8;
  return [rgb & 255, (rgb >> 8) & 255, (rgb >> 16) & 255];
}

const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - (want[i] as number)) <= 4);

async function png(width: number, height: number, alpha = false): Promise<Buffer> {
  const background = alpha ? { r: 200, g: 30, b: 30, alpha: 0 } : "#c33";
  const image = sharp({ create: { width, height, channels: alpha ? 4 : 3, background } });
  return alpha
    ? image
        .composite([
          {
            input: { create: { width: width / 2, height, channels: 4, background: "#3c3" } },
            left: 0,
            top: 0,
          },
        ])
        .png()
        .toBuffer()
    : image.png().toBuffer();
}

describe("a1111 backend (AUTOMATIC1111 / Forge)", () => {
  it("serves a txt2img batch: the payload becomes /sdapi/v1/txt2img field by field; WebP, seeds and metadata come back", async () => {
    const fake = await started(fakeA1111({ embeddings: ["EasyNegative"], progressPolls: 2 }));
    const backend = a1111Backend({
      url: fake.url,
      codec,
      model: { [MODEL]: "deliberate_v3" },
      progressIntervalMs: 10,
    });
    const { w, progress, result, calls } = await serveTxt2img(backend);

    expect(fake.rejected).toEqual([]);
    const [call] = fake.callsTo("POST", "/sdapi/v1/txt2img");
    expect(call?.body).toEqual({
      // the TI the web UI has goes into the negative prompt; the one it lacks is left out
      prompt: "a castle on a hill",
      negative_prompt: "blurry,(EasyNegative:0.8)",
      seed: 4242,
      sampler_name: "DPM++ 2M",
      scheduler: "Karras",
      batch_size: 2,
      n_iter: 1,
      steps: 12,
      cfg_scale: 6.5,
      // hires fix: a first pass at 512×512, upscaled to the asked 576×640
      width: 512,
      height: 512,
      enable_hr: true,
      hr_resize_x: 576,
      hr_resize_y: 640,
      hr_upscaler: "Latent",
      hr_second_pass_steps: 0,
      denoising_strength: 0.5,
      tiling: true,
      restore_faces: false,
      override_settings: { CLIP_stop_at_last_layers: 2, sd_model_checkpoint: "deliberate_v3" },
      override_settings_restore_afterwards: true,
      send_images: true,
      save_images: false,
    });
    expect(result.images).toHaveLength(2);
    const seeds = result.images.map((i) => Number(i.generation.seed)).sort();
    expect(seeds).toEqual([4242, 4243]);
    for (const image of result.images) {
      expect((await sharp(image.bytes as Uint8Array).metadata()).format).toBe("webp");
      expect(near(await colourOf(image.bytes), seedColour(Number(image.generation.seed)))).toBe(true);
      expect(image.generation.gen_metadata).toEqual([{ type: "ti", value: "download_failed", ref: "7808" }]);
    }
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({ stage: "sampling", steps: 12 });
    // What the web UI cannot do is not advertised, and the bridge agent matches what it can.
    expect(calls.find((c) => c.path === "/v2/generate/pop")?.body).toMatchObject({
      allow_img2img: true,
      allow_painting: true,
      allow_post_processing: false,
      allow_lora: false,
      allow_controlnet: false,
      allow_sdxl_controlnet: false,
      bridge_agent: "AI Horde Worker reGen:4.0.0:https://www.npmjs.com/package/horde-sdk",
    });
    await w.stop();
  });

  it("inpaints with the request's mask through /sdapi/v1/img2img; picks the checkpoint named like the model", async () => {
    const fake = await started(fakeA1111());
    const { w, requesterClient, source, mask } = await serveInpainting(
      a1111Backend({ url: fake.url, codec }),
    );
    const result = await requesterClient.generateImage(inpaintingRequest(source, mask, "k_euler_a"));
    expect(fake.rejected).toEqual([]);
    const body = fake.callsTo("POST", "/sdapi/v1/img2img")[0]?.body;
    const { init_images, mask: sentMask, ...rest } = body;
    expect(rest).toEqual({
      prompt: "a green square",
      negative_prompt: "",
      seed: 7,
      sampler_name: "Euler a",
      scheduler: "Normal",
      batch_size: 1,
      n_iter: 1,
      steps: 8,
      cfg_scale: 5,
      width: 64,
      height: 64,
      tiling: false,
      restore_faces: false,
      override_settings: {
        CLIP_stop_at_last_layers: 1,
        sd_model_checkpoint: "deliberate_v3.safetensors [9aba26abdf]",
      },
      override_settings_restore_afterwards: true,
      send_images: true,
      save_images: false,
      denoising_strength: 0.6,
      resize_mode: 0,
      inpainting_fill: 1,
      inpaint_full_res: false,
      inpainting_mask_invert: 0,
      mask_blur: 4,
    });
    const sentSource = await sharp(Buffer.from(init_images[0], "base64")).metadata();
    expect([sentSource.width, sentSource.height]).toEqual([64, 64]);
    expect(await colourOf(Buffer.from(sentMask, "base64"))).toEqual([255, 255, 255]);
    expect(result.images[0]?.generation.seed).toBe("7");
    await w.stop();
  });

  it("outpaints where the source is transparent: the alpha channel becomes the mask", async () => {
    const fake = await started(fakeA1111());
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const w = worker({
      kind: "image",
      models: INPAINTING_WORKER_MODELS,
      backend: onVirtualClock(a1111Backend({ url: fake.url, codec }), clock),
    }).start();
    await requesterClient.generateImage({
      prompt: "more of the same",
      models: ["deliberate_v3"],
      params: { width: 64, height: 64, steps: 8 },
      source_image: (await png(64, 64, true)).toString("base64"),
      source_processing: "outpainting",
    });
    const body = fake.callsTo("POST", "/sdapi/v1/img2img")[0]?.body;
    expect(body.inpainting_fill).toBe(2);
    const { data, info } = await sharp(Buffer.from(body.mask, "base64"))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // left half opaque (keep: black), right half transparent (paint: white)
    expect(data[0]).toBe(0);
    expect(data[info.width - 1]).toBe(255);
    await w.stop();
  });

  it("a stop interrupts the web UI; its errors fault the job with its message", async () => {
    const fake = await started(fakeA1111({ hang: true }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const backend = a1111Backend({ url: fake.url, codec, progressIntervalMs: 10 });
    const w = worker({ kind: "image", models: ["deliberate_v3"], backend: onVirtualClock(backend, clock) });
    const progressed = next(w, "progress");
    w.start();
    const job = await requesterClient.submitImage({
      prompt: "forever",
      models: ["deliberate_v3"],
      params: { width: 64, height: 64 },
    });
    await progressed;
    await w.stop({ drain: false });
    await expect.poll(() => fake.interrupts).toBe(1);
    expect(w.stats.faultedBy).toEqual({ stopped: 1 });

    const broken = a1111Backend({ url: fake.url, codec, model: "no-such-checkpoint" });
    const w2 = worker(
      { kind: "image", models: ["deliberate_v3"], backend: onVirtualClock(broken, clock) },
      "second",
    );
    const faulted = next(w2, "faulted");
    w2.start();
    const fault = await faulted;
    expect(fault.error).toBeInstanceOf(HordeBackendError);
    expect(fault.message).toBe(
      "a1111: POST /sdapi/v1/txt2img answered HTTP 422: body: no checkpoint no-such-checkpoint",
    );
    await w2.stop({ drain: false });
    await job.cancel();
  });

  it("refuses, before anything is sent, to be asked for what it cannot do", () => {
    const { worker } = setupWorkerHarness();
    const backend = a1111Backend({ url: "http://127.0.0.1:9", codec });
    expect(() => worker({ kind: "image", backend, allowLora: true, allowPostProcessing: true })).toThrow(
      "Invalid HordeWorkerOptions: allowPostProcessing: the a1111 backend cannot do this; allowLora: the a1111 backend cannot do this",
    );
    expect(() => worker({ kind: "text", backend } as never)).toThrow(
      /backend: is a image backend \(a1111\), not for text workers/,
    );
    expect(() => worker({ kind: "image", backend, generate: () => new Uint8Array() })).toThrow(/not both/);
  });
});

describe("comfyui backend", () => {
  it("serves a txt2img batch: the default hires workflow filled field by field, progress over the socket, WebP back", async () => {
    const fake = await started(fakeComfyui({ embeddings: ["EasyNegative"] }));
    const backend = comfyuiBackend({
      url: fake.url,
      codec,
      model: { [MODEL]: "deliberate_v3.safetensors" },
      WebSocket: fake.WebSocket,
    });
    const { w, progress, result } = await serveTxt2img(backend);

    expect(fake.rejected).toEqual([]);
    const [call] = fake.callsTo("POST", "/prompt");
    expect(call?.body.client_id).toMatch(/^horde-sdk-/);
    const graph = call?.body.prompt;
    expect(graph["1"].inputs).toEqual({ ckpt_name: "deliberate_v3.safetensors" });
    expect(graph["2"].inputs).toEqual({ clip: ["1", 1], stop_at_clip_layer: -2 });
    expect(graph["3"].inputs.text).toBe("a castle on a hill");
    expect(graph["4"].inputs.text).toBe("blurry,(embedding:EasyNegative:0.8)");
    expect(graph["5"]).toEqual({
      class_type: "EmptyLatentImage",
      inputs: { width: 512, height: 512, batch_size: 2 },
    });
    const sampling = { seed: 4242, steps: 12, cfg: 6.5, sampler_name: "dpmpp_2m", scheduler: "karras" };
    expect(graph["6"].inputs).toMatchObject({ ...sampling, latent_image: ["5", 0], denoise: 1 });
    expect(graph["13"].inputs).toMatchObject({ samples: ["6", 0], width: 576, height: 640 });
    expect(graph["14"].inputs).toMatchObject({ ...sampling, latent_image: ["13", 0], denoise: 0.5 });
    expect(graph["9"]).toEqual({ class_type: "PreviewImage", inputs: { images: ["8", 0] } });

    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      expect((await sharp(image.bytes as Uint8Array).metadata()).format).toBe("webp");
      // one seed for the batch: each image is found again by its batch index
      expect(image.generation.seed).toBe("4242");
    }
    const metadata = result.images
      .map((i) => i.generation.gen_metadata)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const common = [
      { type: "ti", value: "download_failed", ref: "7808" },
      { type: "information", value: "see_ref", ref: "tiling is not supported by this worker" },
    ];
    expect(metadata).toEqual([
      [...common, { type: "batch_index", value: "see_ref", ref: "0" }],
      [...common, { type: "batch_index", value: "see_ref", ref: "1" }],
    ]);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(progress.at(-1)).toMatchObject({ fraction: 1, steps: 12, stage: "sampling" });
    // the requester's images do not stay in ComfyUI's history
    await expect.poll(() => fake.forgotten.length).toBe(1);
    await w.stop();
  });

  it("img2img and inpainting: the sources are uploaded and the default workflows load them (polling, no socket)", async () => {
    const fake = await started(fakeComfyui());
    const { w, requesterClient, source, mask } = await serveInpainting(
      comfyuiBackend({ url: fake.url, codec, WebSocket: null, progressIntervalMs: 10 }),
    );
    const popped = next(w, "popped");
    await requesterClient.generateImage(inpaintingRequest(source, mask, "DDIM"));
    const id = (await popped).ids[0];
    await requesterClient.generateImage({
      prompt: "a blue square",
      models: ["deliberate_v3"],
      params: { width: 64, height: 64, steps: 8 },
      source_image: source.toString("base64"),
    });
    expect(fake.rejected).toEqual([]);
    expect([...fake.uploads.keys()]).toContain(`horde-${id}-source.webp`);
    expect([...fake.uploads.keys()]).toContain(`horde-${id}-mask.webp`);
    const [inpaint, img2img] = fake.callsTo("POST", "/prompt").map((c) => c.body.prompt);
    expect(inpaint["10"].inputs.image).toBe(`horde-${id}-source.webp`);
    expect(inpaint["15"].inputs).toEqual({ image: `horde-${id}-mask.webp`, channel: "red" });
    expect(inpaint["6"].inputs).toMatchObject({
      sampler_name: "ddim",
      scheduler: "normal",
      denoise: 0.6,
      cfg: 5,
      seed: 7,
    });
    expect(inpaint["11"].inputs).toMatchObject({ width: 64, height: 64 });
    expect(img2img["5"].class_type).toBe("RepeatLatentBatch");
    expect(img2img["6"].inputs).toMatchObject({ denoise: 0.75 });
    expect(img2img["15"]).toBeUndefined();
    await w.stop();
  });

  it("a failed run faults the job with the node's error; a stop interrupts the running prompt", async () => {
    const failing = await started(fakeComfyui({ failWith: "CUDA out of memory" }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const w = worker({
      kind: "image",
      models: ["deliberate_v3"],
      backend: onVirtualClock(
        comfyuiBackend({ url: failing.url, codec, WebSocket: failing.WebSocket }),
        clock,
      ),
    });
    const faulted = next(w, "faulted");
    w.start();
    const job = await requesterClient.submitImage({
      prompt: "x",
      models: ["deliberate_v3"],
      params: { width: 64, height: 64 },
    });
    expect((await faulted).message).toBe(
      "comfyui: the workflow failed in node 6 (KSampler): CUDA out of memory",
    );
    await w.stop({ drain: false });

    const hanging = await started(fakeComfyui({ hang: true }));
    const w2 = worker(
      {
        kind: "image",
        models: ["deliberate_v3"],
        backend: onVirtualClock(
          comfyuiBackend({ url: hanging.url, codec, WebSocket: hanging.WebSocket }),
          clock,
        ),
      },
      "second",
    );
    const progressed = next(w2, "progress");
    w2.start();
    await progressed;
    await w2.stop({ drain: false });
    await expect.poll(() => hanging.interrupts).toBe(1);
    expect(w2.stats.faultedBy).toEqual({ stopped: 1 });
    await job.cancel();
  });

  it("a workflow of the operator's: its placeholders filled; a kind it lacks is not advertised", async () => {
    const fake = await started(fakeComfyui());
    const { worker, requesterClient, clock, calls } = setupWorkerHarness();
    const workflow = {
      "1": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: "deliberate_v3.safetensors" } },
      "2": { class_type: "CLIPSetLastLayer", inputs: { clip: ["1", 1], stop_at_clip_layer: -1 } },
      "3": { class_type: "CLIPTextEncode", inputs: { text: "masterpiece, {{prompt}}", clip: ["2", 0] } },
      "4": { class_type: "CLIPTextEncode", inputs: { text: "{{negative_prompt}}", clip: ["2", 0] } },
      "5": {
        class_type: "EmptyLatentImage",
        inputs: { width: "{{width}}", height: "{{height}}", batch_size: "{{batch_size}}" },
      },
      "6": {
        class_type: "KSampler",
        inputs: {
          model: ["1", 0],
          seed: "{{seed}}",
          steps: 4,
          cfg: 2,
          sampler_name: "{{sampler}}",
          scheduler: "{{scheduler}}",
          positive: ["3", 0],
          negative: ["4", 0],
          latent_image: ["5", 0],
          denoise: 1,
        },
      },
      "7": { class_type: "VAEDecode", inputs: { samples: ["6", 0], vae: ["1", 2] } },
      "8": { class_type: "SaveImage", inputs: { images: ["7", 0], filename_prefix: "horde" } },
    };
    const backend = comfyuiBackend({
      url: fake.url,
      codec,
      workflow,
      WebSocket: null,
      progressIntervalMs: 10,
    });
    expect(backend.supports).toMatchObject({ img2img: false, painting: false });
    const w = worker({ kind: "image", models: [MODEL], backend: onVirtualClock(backend, clock) }).start();
    const result = await requesterClient.generateImage({
      prompt: "a boat",
      models: [MODEL],
      params: { width: 64, height: 64, seed: "3" },
    });
    expect(result.images).toHaveLength(1);
    const graph = fake.callsTo("POST", "/prompt")[0]?.body.prompt;
    expect(graph["3"].inputs.text).toBe("masterpiece, a boat");
    expect(graph["5"].inputs).toEqual({ width: 64, height: 64, batch_size: 1 });
    expect(graph["6"].inputs).toMatchObject({
      seed: 3,
      steps: 4,
      sampler_name: "euler_ancestral",
      scheduler: "karras",
    });
    expect(calls.find((c) => c.path === "/v2/generate/pop")?.body).toMatchObject({
      allow_img2img: false,
      allow_painting: false,
    });
    await w.stop();
  });

  it("probe lists the checkpoints and finds one for every served model, before any job is popped", async () => {
    const fake = await started(fakeComfyui({ checkpoints: ["sdxl.safetensors", "sub/Deliberate.ckpt"] }));
    const backend = comfyuiBackend({ url: fake.url, codec });
    expect(await backend.probe(undefined, [MODEL])).toEqual({
      models: ["sdxl.safetensors", "sub/Deliberate.ckpt"],
    });
    await expect(backend.probe(undefined, ["Anything"])).rejects.toThrow(
      /no checkpoint for the model 'Anything'/,
    );
    const a1111 = await started(fakeA1111());
    const mapped = a1111Backend({ url: a1111.url, codec, model: { [MODEL]: "missing" } });
    await expect(mapped.probe(undefined, [MODEL])).rejects.toThrow(
      "a1111: no checkpoint 'missing' for the model 'Deliberate' (it has deliberate_v3)",
    );
    expect(await a1111Backend({ url: a1111.url, codec }).probe(undefined, [MODEL])).toEqual({
      models: ["deliberate_v3"],
    });
  });

  it("without a checkpoint named for the model, the job faults saying how to name one", async () => {
    const fake = await started(fakeComfyui({ checkpoints: ["sdxl.safetensors"] }));
    const { worker, requesterClient, clock } = setupWorkerHarness();
    const w = worker({
      kind: "image",
      models: [MODEL],
      backend: onVirtualClock(comfyuiBackend({ url: fake.url, codec, WebSocket: null }), clock),
    });
    const faulted = next(w, "faulted");
    w.start();
    const job = await requesterClient.submitImage({
      prompt: "x",
      models: [MODEL],
      params: { width: 64, height: 64 },
    });
    expect((await faulted).message).toBe(
      "comfyui: no checkpoint for the model 'Deliberate' (name it in the backend's model option, e.g. Deliberate=file.safetensors)",
    );
    await w.stop({ drain: false });
    await job.cancel();
  });
});
