// Fakes of the servers worker backends talk to — an OpenAI-compatible completions server (as llama.cpp's),
// KoboldCpp, AUTOMATIC1111/Forge and ComfyUI — each a small HTTP server on 127.0.0.1 that checks the
// requests against what the real one reads (field names, types, known values) and answers in its shapes.
// No model: images are flat PNGs coloured by their seed, texts are canned. A request the real server would
// refuse (or whose fields it would not read) is refused here too and recorded in `rejected`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { solidPng } from "./images.js";

/** One request a fake received. */
export interface FakeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** JSON bodies parsed; multipart forms as their fields (files as bytes). */
  // biome-ignore lint/suspicious/noExplicitAny: bodies under test
  body: any;
}

type Answer =
  | { status?: number; json: unknown }
  | { status?: number; bytes: Uint8Array; type: string }
  | { sse: AsyncIterable<string>; onDisconnect?: () => void };

export interface FakeServer {
  url: string;
  calls: FakeCall[];
  /** Requests refused because the real server would not take them (what was wrong). */
  rejected: string[];
  /** The calls to one path. */
  callsTo(method: string, path: string): FakeCall[];
  close(): Promise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `check()` holds (polled every 5 ms), or rejects after `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("fake backend: timed out");
    await wait(5);
  }
}

async function startServer(
  route: (call: FakeCall, request: IncomingMessage, fake: FakeServer) => Promise<Answer> | Answer,
): Promise<FakeServer> {
  const calls: FakeCall[] = [];
  const rejected: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const fake = {} as FakeServer;
  const server = createServer(async (req, res) => {
    try {
      const call = await readCall(req);
      calls.push(call);
      await send(res, await route(call, req, fake));
    } catch (error) {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    calls,
    rejected,
    callsTo: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return fake;
}

async function readCall(req: IncomingMessage): Promise<FakeCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(req.url ?? "/", "http://fake");
  const type = req.headers["content-type"] ?? "";
  let body: unknown = null;
  if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": type },
      body: raw,
    }).formData();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      fields[key] =
        typeof value === "string"
          ? value
          : { name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
    }
    body = fields;
  } else if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = raw.toString("utf8");
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers,
    body,
  };
}

async function send(res: ServerResponse, answer: Answer): Promise<void> {
  if ("sse" in answer) {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.on("close", () => {
      if (!res.writableEnded) answer.onDisconnect?.();
    });
    for await (const event of answer.sse) {
      if (res.destroyed) return;
      res.write(`data: ${event}\n\n`);
    }
    res.end();
    return;
  }
  if ("bytes" in answer) {
    res.writeHead(answer.status ?? 200, { "Content-Type": answer.type });
    res.end(Buffer.from(answer.bytes));
    return;
  }
  res.writeHead(answer.status ?? 200, { "Content-Type": "application/json" });
  res.end(JSON.stringify(answer.json));
}

/** `target` with read-only properties that read the counters when asked (Object.assign would copy them once). */
function live<T extends object, K extends string>(
  target: T,
  counters: Record<K, () => number>,
): T & Record<K, number> {
  for (const [key, read] of Object.entries(counters)) {
    Object.defineProperty(target, key, { get: read as () => number, enumerable: true });
  }
  return target as T & Record<K, number>;
}

// ------------------------------------------------------------------------------------ field checking

type Check = (value: unknown) => string | null;
const isInt =
  (min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? null
      : `must be an integer ${min}..${max}`;
const isNum =
  (min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Check =>
  (v) =>
    typeof v === "number" && Number.isFinite(v) && v >= min && v <= max
      ? null
      : `must be a number ${min}..${max}`;
const isStr: Check = (v) => (typeof v === "string" ? null : "must be a string");
const isBool: Check = (v) => (typeof v === "boolean" ? null : "must be a boolean");
const isStrList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? null : "must be a list of strings";
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v) ? null : `must be one of ${values.join(", ")}`;
const isB64: Check = (v) =>
  typeof v === "string" && v.length > 0 && Buffer.from(v, "base64").length > 0 ? null : "must be base64";

/** Problems of `body` against `fields`: unknown keys, wrong values, missing required ones. */
function problemsOf(body: unknown, fields: Record<string, Check>, required: string[] = []): string[] {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return ["the body must be a JSON object"];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const check = fields[key];
    if (!check) problems.push(`unknown field ${key}`);
    else {
      const problem = check(value);
      if (problem) problems.push(`${key} ${problem}`);
    }
  }
  for (const key of required) if (!(key in body)) problems.push(`${key} is required`);
  return problems;
}

/** A flat PNG whose colour comes from the seed, so tests can tell the images of a batch apart. */
export async function seedPng(seed: number, width: number, height: number): Promise<Uint8Array> {
  const rgb = Math.imul(seed >>> 0, 2654435761) >>> 8;
  const background = { r: rgb & 255, g: (rgb >> 8) & 255, b: (rgb >> 16) & 255 };
  return new Uint8Array(await solidPng(width, height, background));
}

// --------------------------------------------------------------------------- OpenAI-compatible (llama.cpp)

/** The fields of `/v1/completions` the fake takes: OpenAI's and the llama.cpp server's sampler fields. */
const OPENAI_FIELDS: Record<string, Check> = {
  model: isStr,
  prompt: isStr,
  max_tokens: isInt(1),
  temperature: isNum(0, 5),
  top_p: isNum(0, 1),
  n: isInt(1, 1),
  stop: isStrList,
  stream: isBool,
  seed: isInt(),
  top_k: isInt(0),
  min_p: isNum(0, 1),
  typical_p: isNum(0, 1),
  repeat_penalty: isNum(0),
  repetition_penalty: isNum(0),
  repeat_last_n: isInt(0),
  dynatemp_range: isNum(0),
  dynatemp_exponent: isNum(0),
};

export interface FakeOpenaiOptions {
  models?: string[];
  /** The context llama.cpp's `/props` reports. */
  nCtx?: number;
  /** The completion, streamed word by word. */
  text?: string;
  /** Wait between streamed chunks. */
  chunkMs?: number;
  /** Required `Authorization: Bearer …` key, when set. */
  apiKey?: string;
}

export async function fakeOpenai(
  options: FakeOpenaiOptions = {},
): Promise<FakeServer & { disconnects: number }> {
  const models = options.models ?? ["local-model.gguf"];
  const text = options.text ?? " there was a lighthouse keeper who counted the waves.";
  let disconnects = 0;
  const refuse = (fake: FakeServer, status: number, message: string): Answer => {
    fake.rejected.push(message);
    return { status, json: { error: { code: status, message, type: "invalid_request_error" } } };
  };
  const fake = await startServer((call, _req, fake) => {
    if (options.apiKey && call.headers.authorization !== `Bearer ${options.apiKey}`) {
      return refuse(fake, 401, "Invalid API Key");
    }
    if (call.method === "GET" && call.path === "/v1/models") {
      return {
        json: {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created: 1, owned_by: "llamacpp" })),
        },
      };
    }
    if (call.method === "GET" && call.path === "/props") {
      return { json: { default_generation_settings: { n_ctx: options.nCtx ?? 4096 }, total_slots: 1 } };
    }
    if (call.method === "POST" && call.path === "/v1/completions") {
      const problems = problemsOf(call.body, OPENAI_FIELDS, ["model", "prompt"]);
      if (!models.includes(call.body?.model)) problems.push(`model ${call.body?.model} is not served`);
      if (problems.length > 0) return refuse(fake, 400, problems.join("; "));
      const pieces = text.match(/\s*\S+/g) ?? [];
      const chunk = (piece: string, finish: string | null) =>
        JSON.stringify({
          id: "cmpl-1",
          object: "text_completion",
          created: 1,
          model: call.body.model,
          choices: [{ text: piece, index: 0, logprobs: null, finish_reason: finish }],
        });
      if (call.body.stream !== true) {
        return {
          json: {
            id: "cmpl-1",
            object: "text_completion",
            created: 1,
            model: call.body.model,
            choices: [{ text, index: 0, logprobs: null, finish_reason: "length" }],
            usage: { prompt_tokens: 5, completion_tokens: pieces.length, total_tokens: 5 + pieces.length },
          },
        };
      }
      return {
        onDisconnect: () => disconnects++,
        sse: (async function* () {
          for (const piece of pieces) {
            await wait(options.chunkMs ?? 1);
            yield chunk(piece, null);
          }
          yield chunk("", "length");
          yield "[DONE]";
        })(),
      };
    }
    return refuse(fake, 404, `File Not Found: ${call.method} ${call.path}`);
  });
  return live(fake, { disconnects: () => disconnects });
}

// ---------------------------------------------------------------------------------------------- KoboldCpp

/** What KoboldCpp's `generate` reads (koboldcpp.py), with the types it expects. */
const KOBOLDCPP_FIELDS: Record<string, Check> = {
  prompt: isStr,
  memory: isStr,
  max_context_length: isInt(1),
  max_length: isInt(1),
  temperature: isNum(0),
  top_k: isInt(0),
  top_a: isNum(0),
  top_p: isNum(0, 1),
  min_p: isNum(0, 1),
  typical: isNum(0, 1),
  tfs: isNum(0, 1),
  rep_pen: isNum(0),
  rep_pen_range: isInt(0),
  rep_pen_slope: isNum(0),
  sampler_order: (v) =>
    Array.isArray(v) && v.length > 0 && v.length <= 7 && v.every((x) => Number.isInteger(x))
      ? null
      : "must be 1-7 sampler numbers",
  sampler_seed: isInt(),
  stop_sequence: isStrList,
  use_default_badwordsids: isBool,
  dynatemp_range: isNum(0),
  dynatemp_exponent: isNum(0),
  smoothing_factor: isNum(0),
  genkey: isStr,
  trim_stop: isBool,
};

export interface FakeKoboldcppOptions {
  model?: string;
  text?: string;
  /** How long a generation takes (the partial text grows meanwhile). */
  generationMs?: number;
  /** Answer 503 (busy) this many times first. */
  busy?: number;
}

export async function fakeKoboldcpp(
  options: FakeKoboldcppOptions = {},
): Promise<FakeServer & { aborted: string[] }> {
  const model = options.model ?? "koboldcpp/Fake-7B";
  const text = options.text ?? " and the kobold hummed a tune.";
  const aborted: string[] = [];
  let busy = options.busy ?? 0;
  /** The generation running now: its key and the text so far. */
  let current: { genkey: string; partial: string; stop: boolean } | null = null;
  const fake = await startServer(async (call, _req, fake) => {
    const get = (path: string) => call.method === "GET" && call.path === path;
    const post = (path: string) => call.method === "POST" && call.path === path;
    if (get("/api/v1/model")) return { json: { result: model } };
    if (get("/api/extra/true_max_context_length")) return { json: { value: 8192 } };
    if (get("/api/v1/config/max_length")) return { json: { value: 512 } };
    if (post("/api/extra/generate/check")) {
      const mine = current && call.body?.genkey === current.genkey;
      return { json: { results: [{ text: mine ? current?.partial : "" }] } };
    }
    if (post("/api/extra/abort")) {
      if (current && call.body?.genkey === current.genkey) {
        current.stop = true;
        aborted.push(current.genkey);
        return { json: { success: "true", done: "true" } };
      }
      return { json: { success: "false", done: "false" } };
    }
    if (post("/api/v1/generate")) {
      const problems = problemsOf(call.body, KOBOLDCPP_FIELDS, ["prompt"]);
      if (problems.length > 0) {
        fake.rejected.push(problems.join("; "));
        return {
          status: 422,
          json: { detail: [{ loc: ["body"], msg: problems.join("; "), type: "value_error" }] },
        };
      }
      if (busy > 0 || current) {
        busy = Math.max(0, busy - 1);
        return {
          status: 503,
          json: { detail: { msg: "Server is busy; please try again later.", type: "service_unavailable" } },
        };
      }
      const job = { genkey: String(call.body.genkey ?? ""), partial: "", stop: false };
      current = job;
      const pieces = text.match(/\s*\S+/g) ?? [];
      const step = (options.generationMs ?? 50) / Math.max(1, pieces.length);
      for (const piece of pieces) {
        if (job.stop) break;
        await wait(step);
        job.partial += piece;
      }
      current = null;
      return { json: { results: [{ text: job.partial, finish_reason: job.stop ? "stop" : "length" }] } };
    }
    fake.rejected.push(`${call.method} ${call.path}`);
    return { status: 404, json: { detail: "Not Found" } };
  });
  return Object.assign(fake, { aborted });
}

// -------------------------------------------------------------------------------------- AUTOMATIC1111

/** The samplers of AUTOMATIC1111 1.9+ (`/sdapi/v1/samplers` names) and its schedule types. */
const A1111_SAMPLER_NAMES = [
  "DPM++ 2M",
  "DPM++ SDE",
  "DPM++ 2M SDE",
  "DPM++ 2S a",
  "Euler a",
  "Euler",
  "LMS",
  "Heun",
  "DPM2",
  "DPM2 a",
  "DPM fast",
  "DPM adaptive",
  "Restart",
  "DDIM",
  "PLMS",
  "UniPC",
  "LCM",
];
const A1111_SCHEDULERS = [
  "Automatic",
  "Uniform",
  "Karras",
  "Exponential",
  "Polyexponential",
  "SGM Uniform",
  "Normal",
  "Simple",
  "Beta",
];

/** The fields of the txt2img/img2img API models (StableDiffusionProcessing* and the API's extras) the fake knows. */
const A1111_COMMON: Record<string, Check> = {
  prompt: isStr,
  negative_prompt: isStr,
  seed: isInt(-1),
  subseed: isInt(-1),
  sampler_name: isStr,
  scheduler: oneOf(A1111_SCHEDULERS),
  batch_size: isInt(1, 100),
  n_iter: isInt(1),
  steps: isInt(1, 500),
  cfg_scale: isNum(0, 100),
  width: isInt(64, 8192),
  height: isInt(64, 8192),
  restore_faces: isBool,
  tiling: isBool,
  denoising_strength: isNum(0, 1),
  override_settings: (v) => (typeof v === "object" && v !== null ? null : "must be an object"),
  override_settings_restore_afterwards: isBool,
  send_images: isBool,
  save_images: isBool,
};
const A1111_TXT2IMG: Record<string, Check> = {
  ...A1111_COMMON,
  enable_hr: isBool,
  hr_scale: isNum(1),
  hr_upscaler: isStr,
  hr_second_pass_steps: isInt(0),
  hr_resize_x: isInt(0),
  hr_resize_y: isInt(0),
};
const A1111_IMG2IMG: Record<string, Check> = {
  ...A1111_COMMON,
  init_images: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => isB64(x) === null) ? null : "must be base64 images",
  mask: isB64,
  mask_blur: isInt(0),
  inpainting_fill: isInt(0, 3),
  inpaint_full_res: isBool,
  inpainting_mask_invert: isInt(0, 1),
  resize_mode: isInt(0, 3),
};
const A1111_SETTINGS: Record<string, Check> = {
  CLIP_stop_at_last_layers: isInt(1, 12),
  sd_model_checkpoint: isStr,
};

export interface FakeA1111Options {
  checkpoints?: { title: string; model_name: string }[];
  embeddings?: string[];
  /** Progress polls to answer before a generation is done (it waits for them). */
  progressPolls?: number;
  /** Run until interrupted (or the client goes away). */
  hang?: boolean;
}

export async function fakeA1111(
  options: FakeA1111Options = {},
): Promise<FakeServer & { interrupts: number }> {
  const checkpoints = options.checkpoints ?? [
    { title: "deliberate_v3.safetensors [9aba26abdf]", model_name: "deliberate_v3" },
  ];
  let interrupts = 0;
  let progressPolls = 0;
  let job: { step: number; steps: number; interrupted: boolean } | null = null;
  const fake = await startServer(async (call, _req, fake) => {
    const get = (path: string) => call.method === "GET" && call.path === path;
    if (get("/sdapi/v1/sd-models")) {
      return {
        json: checkpoints.map((c) => ({
          ...c,
          hash: "9aba26abdf",
          sha256: "ab",
          filename: `/models/${c.model_name}.safetensors`,
          config: null,
        })),
      };
    }
    if (get("/sdapi/v1/embeddings")) {
      const item = { step: null, sd_checkpoint: null, sd_checkpoint_name: null, shape: 768, vectors: 8 };
      return {
        json: { loaded: Object.fromEntries((options.embeddings ?? []).map((e) => [e, item])), skipped: {} },
      };
    }
    if (get("/sdapi/v1/progress")) {
      progressPolls++;
      if (job) job.step = Math.min(job.steps, job.step + 1);
      const progress = job ? job.step / job.steps : 0;
      return {
        json: {
          progress,
          eta_relative: job ? (job.steps - job.step) * 0.5 : 0,
          state: {
            skipped: false,
            interrupted: false,
            job: "",
            job_count: job ? 1 : 0,
            job_timestamp: "0",
            job_no: 0,
            sampling_step: job?.step ?? 0,
            sampling_steps: job?.steps ?? 0,
          },
          current_image: null,
          textinfo: null,
        },
      };
    }
    if (call.method === "POST" && call.path === "/sdapi/v1/interrupt") {
      interrupts++;
      if (job) job.interrupted = true;
      return { json: null };
    }
    const txt2img = call.path === "/sdapi/v1/txt2img";
    if (call.method === "POST" && (txt2img || call.path === "/sdapi/v1/img2img")) {
      const b = call.body;
      if (!A1111_SAMPLER_NAMES.includes(b?.sampler_name)) {
        fake.rejected.push(`sampler ${b?.sampler_name}`);
        return { status: 404, json: { detail: "Sampler not found" } };
      }
      const problems = problemsOf(b, txt2img ? A1111_TXT2IMG : A1111_IMG2IMG, ["prompt"]);
      problems.push(...problemsOf(b.override_settings ?? {}, A1111_SETTINGS));
      const ckpt = b.override_settings?.sd_model_checkpoint;
      if (ckpt !== undefined && !checkpoints.some((c) => c.title === ckpt || c.model_name === ckpt)) {
        problems.push(`no checkpoint ${ckpt}`);
      }
      if (problems.length > 0) {
        fake.rejected.push(problems.join("; "));
        return {
          status: 422,
          json: { detail: problems.map((msg) => ({ loc: ["body"], msg, type: "value_error" })) },
        };
      }
      const running = { step: 0, steps: b.steps ?? 20, interrupted: false };
      job = running;
      const pollsBefore = progressPolls;
      await until(
        () =>
          running.interrupted ||
          (!options.hang && progressPolls - pollsBefore >= (options.progressPolls ?? 0)),
      );
      job = null;
      const n = b.batch_size ?? 1;
      const seed = b.seed ?? 1;
      const width = b.enable_hr ? b.hr_resize_x || b.width : b.width;
      const height = b.enable_hr ? b.hr_resize_y || b.height : b.height;
      const seeds = Array.from({ length: n }, (_, i) => seed + i);
      const images = await Promise.all(
        seeds.map(async (s) => Buffer.from(await seedPng(s, width, height)).toString("base64")),
      );
      return {
        json: {
          images,
          parameters: b,
          info: JSON.stringify({ seed, all_seeds: seeds, index_of_first_image: 0 }),
        },
      };
    }
    fake.rejected.push(`${call.method} ${call.path}`);
    return { status: 404, json: { detail: "Not Found" } };
  });
  return live(fake, { interrupts: () => interrupts });
}

// ----------------------------------------------------------------------------------------------- ComfyUI

const COMFY_SAMPLERS = [
  "euler",
  "euler_ancestral",
  "heun",
  "dpm_2",
  "dpm_2_ancestral",
  "lms",
  "dpm_fast",
  "dpm_adaptive",
  "dpmpp_2s_ancestral",
  "dpmpp_sde",
  "dpmpp_2m",
  "ddim",
  "lcm",
  "uni_pc",
];
const COMFY_SCHEDULERS = ["normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform", "beta"];
const link: Check = (v) =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && Number.isInteger(v[1])
    ? null
    : "must be a link [node, output]";

/** The built-in nodes the fake runs, with their required inputs. */
function comfyNodes(checkpoints: string[], inputs: () => string[]): Record<string, Record<string, Check>> {
  const inputFile: Check = (v) =>
    typeof v === "string" && inputs().includes(v) ? null : `no input file ${String(v)}`;
  // The target size of the two scaling nodes (which differ in what they scale and their methods).
  const scaledTo = { width: isInt(0), height: isInt(0), crop: oneOf(["disabled", "center"]) };
  return {
    CheckpointLoaderSimple: { ckpt_name: oneOf(checkpoints) },
    CLIPSetLastLayer: { clip: link, stop_at_clip_layer: isInt(-24, -1) },
    CLIPTextEncode: { text: isStr, clip: link },
    EmptyLatentImage: { width: isInt(16, 16384), height: isInt(16, 16384), batch_size: isInt(1, 4096) },
    KSampler: {
      model: link,
      seed: isInt(0),
      steps: isInt(1, 10000),
      cfg: isNum(0, 100),
      sampler_name: oneOf(COMFY_SAMPLERS),
      scheduler: oneOf(COMFY_SCHEDULERS),
      positive: link,
      negative: link,
      latent_image: link,
      denoise: isNum(0, 1),
    },
    LatentUpscale: {
      samples: link,
      upscale_method: oneOf(["nearest-exact", "bilinear", "area", "bicubic", "bislerp"]),
      ...scaledTo,
    },
    VAEDecode: { samples: link, vae: link },
    VAEEncode: { pixels: link, vae: link },
    PreviewImage: { images: link },
    SaveImage: { images: link, filename_prefix: isStr },
    LoadImage: { image: inputFile },
    LoadImageMask: { image: inputFile, channel: oneOf(["alpha", "red", "green", "blue"]) },
    ImageScale: {
      image: link,
      upscale_method: oneOf(["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]),
      ...scaledTo,
    },
    RepeatLatentBatch: { samples: link, amount: isInt(1, 64) },
    SetLatentNoiseMask: { samples: link, mask: link },
  };
}

/** A stand-in for the platform WebSocket, connected to a fake ComfyUI's `/ws`. */
export interface FakeSocketClass {
  new (
    url: string,
  ): { addEventListener(type: string, listener: (e: { data?: unknown }) => void): void; close(): void };
}

export interface FakeComfyuiOptions {
  checkpoints?: string[];
  embeddings?: string[];
  /** How long a run takes; progress goes to the client's socket meanwhile. */
  runMs?: number;
  /** Fail the run in its KSampler with this message. */
  failWith?: string;
  /** Run until interrupted. */
  hang?: boolean;
}

export async function fakeComfyui(options: FakeComfyuiOptions = {}): Promise<
  FakeServer & {
    WebSocket: FakeSocketClass;
    uploads: Map<string, Uint8Array>;
    interrupts: number;
    forgotten: string[];
  }
> {
  const checkpoints = options.checkpoints ?? ["deliberate_v3.safetensors"];
  const uploads = new Map<string, Uint8Array>();
  const outputs = new Map<string, Uint8Array>();
  const history = new Map<string, unknown>();
  const forgotten: string[] = [];
  const listeners = new Map<string, Set<(e: { data?: unknown }) => void>>();
  let running: { id: string; interrupted: boolean } | null = null;
  let interrupts = 0;
  let counter = 0;
  const nodes = comfyNodes(checkpoints, () => [...uploads.keys()]);
  const emit = (clientId: string, type: string, data: unknown) => {
    for (const listener of listeners.get(clientId) ?? []) listener({ data: JSON.stringify({ type, data }) });
  };

  const validate = (prompt: unknown): Record<string, unknown> => {
    const errors: Record<string, unknown> = {};
    if (typeof prompt !== "object" || prompt === null) return { root: "prompt must be an object" };
    const graph = prompt as Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>;
    for (const [id, node] of Object.entries(graph)) {
      const spec = nodes[String(node?.class_type)];
      if (!spec) {
        errors[id] = `unknown node type ${String(node?.class_type)}`;
        continue;
      }
      const problems = problemsOf(node.inputs ?? {}, spec, Object.keys(spec));
      for (const [key, value] of Object.entries(node.inputs ?? {})) {
        if (Array.isArray(value) && !(String(value[0]) in graph))
          problems.push(`${key} links to a missing node ${value[0]}`);
      }
      if (problems.length > 0)
        errors[id] = {
          errors: problems.map((message) => ({ type: "value_not_valid", message })),
          class_type: node.class_type,
        };
    }
    return errors;
  };

  const run = async (
    id: string,
    prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>,
    clientId: string,
  ) => {
    const job = { id, interrupted: false };
    running = job;
    const sampler = Object.entries(prompt).find(([, n]) => n.class_type === "KSampler");
    const steps = Number(sampler?.[1].inputs.steps ?? 20);
    for (let step = 1; step <= steps && !job.interrupted; step++) {
      emit(clientId, "progress", { value: step, max: steps, prompt_id: id, node: sampler?.[0] });
      await wait((options.runMs ?? 20) / steps);
    }
    if (options.hang) await until(() => job.interrupted).catch(() => {});
    running = null;
    const messages: unknown[] = [["execution_start", { prompt_id: id, timestamp: 1 }]];
    let status = "success";
    const out: Record<string, { images: { filename: string; subfolder: string; type: string }[] }> = {};
    if (job.interrupted) {
      status = "error";
      messages.push([
        "execution_interrupted",
        { prompt_id: id, node_id: sampler?.[0], node_type: "KSampler", executed: [] },
      ]);
    } else if (options.failWith) {
      status = "error";
      messages.push([
        "execution_error",
        {
          prompt_id: id,
          node_id: sampler?.[0],
          node_type: "KSampler",
          executed: [],
          exception_message: options.failWith,
          exception_type: "RuntimeError",
          traceback: [],
          current_inputs: {},
          current_outputs: {},
        },
      ]);
    } else {
      const latent = Object.values(prompt).find(
        (n) => n.class_type === "EmptyLatentImage" || n.class_type === "RepeatLatentBatch",
      );
      const count = Number(latent?.inputs.batch_size ?? latent?.inputs.amount ?? 1);
      const size = Object.values(prompt).find((n) =>
        ["LatentUpscale", "EmptyLatentImage", "ImageScale"].includes(n.class_type),
      );
      const seed = Number(sampler?.[1].inputs.seed ?? 0);
      for (const [nodeId, node] of Object.entries(prompt)) {
        if (node.class_type !== "PreviewImage" && node.class_type !== "SaveImage") continue;
        const type = node.class_type === "PreviewImage" ? "temp" : "output";
        out[nodeId] = { images: [] };
        for (let i = 0; i < count; i++) {
          const filename = `ComfyUI_${id.slice(0, 8)}_${String(i + 1).padStart(5, "0")}_.png`;
          outputs.set(
            `${type}/${filename}`,
            await seedPng(
              seed * 100 + i,
              Number(size?.inputs.width ?? 512),
              Number(size?.inputs.height ?? 512),
            ),
          );
          out[nodeId].images.push({ filename, subfolder: "", type });
        }
      }
      messages.push(["execution_success", { prompt_id: id, timestamp: 2 }]);
    }
    emit(clientId, "executing", { node: null, prompt_id: id });
    // The history lags the socket's "done" a little, as on the real server.
    await wait(5);
    history.set(id, {
      prompt: [counter, id, prompt, { client_id: clientId }, ["9"]],
      outputs: out,
      status: { status_str: status, completed: status === "success", messages },
      meta: {},
    });
  };

  const fake = await startServer(async (call, _req, fake) => {
    const get = (path: string) => call.method === "GET" && call.path === path;
    const post = (path: string) => call.method === "POST" && call.path === path;
    if (get("/models/checkpoints")) return { json: checkpoints };
    if (get("/embeddings")) return { json: options.embeddings ?? [] };
    if (post("/upload/image")) {
      const file = call.body?.image as { name?: string; bytes?: Uint8Array } | undefined;
      if (!file?.name || !file.bytes || call.body.type !== "input") {
        fake.rejected.push("upload without an image file or type input");
        return { status: 400, json: null };
      }
      uploads.set(file.name, file.bytes);
      return { json: { name: file.name, subfolder: "", type: "input" } };
    }
    if (post("/prompt")) {
      const errors = validate(call.body?.prompt);
      if (Object.keys(errors).length > 0 || typeof call.body?.client_id !== "string") {
        fake.rejected.push(JSON.stringify(errors));
        return {
          status: 400,
          json: {
            error: {
              type: "prompt_outputs_failed_validation",
              message: "Prompt outputs failed validation",
              details: "",
              extra_info: {},
            },
            node_errors: errors,
          },
        };
      }
      const id = `${(++counter).toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
      void run(id, call.body.prompt, call.body.client_id);
      return { json: { prompt_id: id, number: counter, node_errors: {} } };
    }
    if (call.method === "GET" && call.path.startsWith("/history/")) {
      const id = decodeURIComponent(call.path.slice("/history/".length));
      return { json: history.has(id) ? { [id]: history.get(id) } : {} };
    }
    if (post("/history")) {
      forgotten.push(...((call.body?.delete as string[]) ?? []));
      return { json: null };
    }
    if (get("/queue")) {
      const current = running as { id: string } | null;
      return {
        json: { queue_running: current ? [[counter, current.id, {}, {}, ["9"]]] : [], queue_pending: [] },
      };
    }
    if (post("/queue")) return { json: null };
    if (post("/interrupt")) {
      interrupts++;
      const current = running as { interrupted: boolean } | null;
      if (current) current.interrupted = true;
      return { json: null };
    }
    if (get("/view")) {
      const bytes = outputs.get(`${call.query.type}/${call.query.filename}`);
      if (!bytes) {
        fake.rejected.push(`no image ${call.query.filename}`);
        return { status: 404, json: null };
      }
      return { bytes, type: "image/png" };
    }
    fake.rejected.push(`${call.method} ${call.path}`);
    return { status: 404, json: null };
  });

  const url = fake.url;
  class FakeSocket {
    readonly #clientId: string;
    constructor(socketUrl: string) {
      const parsed = new URL(socketUrl);
      if (parsed.protocol !== "ws:" || `http://${parsed.host}` !== url || parsed.pathname !== "/ws") {
        throw new Error(`fake comfyui: wrong websocket URL ${socketUrl}`);
      }
      this.#clientId = parsed.searchParams.get("clientId") ?? "";
    }
    addEventListener(type: string, listener: (e: { data?: unknown }) => void) {
      if (type !== "message") return;
      const set = listeners.get(this.#clientId) ?? new Set();
      listeners.set(this.#clientId, set);
      set.add(listener);
    }
    close() {
      listeners.delete(this.#clientId);
    }
  }
  return live(
    Object.assign(fake, { WebSocket: FakeSocket as unknown as FakeSocketClass, uploads, forgotten }),
    {
      interrupts: () => interrupts,
    },
  );
}

/**
 * A backend whose work keeps a virtual clock still (`clock.hold`): its server runs in real time, and the
 * job's ttl must not run out on the virtual clock meanwhile.
 */
export function onVirtualClock<B extends { generate(job: never, context: never): Promise<unknown> }>(
  backend: B,
  clock: { hold<T>(work: () => Promise<T>): Promise<T> },
): B {
  const generate = backend.generate.bind(backend) as (job: never, context: never) => Promise<unknown>;
  return { ...backend, generate: (job: never, context: never) => clock.hold(() => generate(job, context)) };
}
