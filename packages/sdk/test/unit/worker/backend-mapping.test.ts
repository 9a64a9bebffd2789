// The mapping tables of the worker backends, without a server: horde samplers in each backend's names, the
// hires-fix first pass, TIs, workflow templates, the text payloads, the image codec and error messages.
import { schemas } from "horde-sdk";
import {
  A1111_SAMPLERS,
  a1111Sampler,
  COMFYUI_SAMPLERS,
  checkWorkflows,
  comfyuiSampler,
  DEFAULT_COMFY_WORKFLOWS,
  fillWorkflow,
  KOBOLDCPP_FIELDS,
  koboldcppPayload,
  openaiPayload,
  PLACEHOLDERS,
  sharpCodec,
} from "horde-sdk/worker";
import { solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { messageOf } from "../../../src/worker/backends/backend.js";
import { isWebp } from "../../../src/worker/backends/codec.js";
import { placeholdersOf } from "../../../src/worker/backends/comfyui-workflow.js";
import {
  hiresFirstPass,
  injectTextualInversions,
  nameLookup,
} from "../../../src/worker/backends/image-settings.js";

describe("samplers", () => {
  it("every horde sampler but dpmsolver has its own name in ComfyUI and the web UI", () => {
    const mapped = schemas.KNOWN_SAMPLERS.filter((s) => s !== "dpmsolver");
    expect(Object.keys(COMFYUI_SAMPLERS).sort()).toEqual([...mapped].sort());
    expect(Object.keys(A1111_SAMPLERS).sort()).toEqual([...mapped].sort());
    expect(new Set(Object.values(COMFYUI_SAMPLERS)).size).toBe(mapped.length);
    expect(new Set(Object.values(A1111_SAMPLERS)).size).toBe(mapped.length);
  });

  it("karras is the karras schedule, else ComfyUI's normal; dpmsolver and unknown names run as k_euler", () => {
    expect(comfyuiSampler("k_dpmpp_sde", true)).toEqual({ sampler: "dpmpp_sde", scheduler: "karras" });
    expect(comfyuiSampler("k_euler_a", false)).toEqual({ sampler: "euler_ancestral", scheduler: "normal" });
    expect(comfyuiSampler("DDIM", true)).toEqual({ sampler: "ddim", scheduler: "karras" });
    expect(comfyuiSampler("dpmsolver", true)).toEqual({ sampler: "euler", scheduler: "karras" });
    expect(a1111Sampler("k_dpm_2_a", true)).toEqual({ sampler: "DPM2 a", scheduler: "Karras" });
    expect(a1111Sampler("lcm", false)).toEqual({ sampler: "LCM", scheduler: "Normal" });
    expect(a1111Sampler("some_future_sampler", false)).toEqual({ sampler: "Euler", scheduler: "Normal" });
  });
});

describe("hires fix", () => {
  it("renders first at about 512 on the shorter side, in multiples of 64; not at all up to 512", () => {
    const on = { hires_fix: true };
    expect(hiresFirstPass(1024, 1024, on)).toEqual({ width: 512, height: 512, denoise: 0.65 });
    expect(hiresFirstPass(1024, 768, { ...on, hires_fix_denoising_strength: 0.4 })).toEqual({
      width: 640,
      height: 512,
      denoise: 0.4,
    });
    expect(hiresFirstPass(576, 640, on)).toEqual({ width: 512, height: 512, denoise: 0.65 });
    expect(hiresFirstPass(512, 1024, on)).toBeNull();
    expect(hiresFirstPass(1024, 1024, { hires_fix: false })).toBeNull();
  });

  it("an SDXL model (job.modelInfo's baseline) renders first at the closest SDXL resolution, above 1024 only", () => {
    const on = { hires_fix: true };
    const sdxl = "stable_diffusion_xl";
    expect(hiresFirstPass(2048, 2048, on, sdxl)).toEqual({ width: 1024, height: 1024, denoise: 0.65 });
    expect(hiresFirstPass(2048, 1152, on, sdxl)).toEqual({ width: 1344, height: 768, denoise: 0.65 });
    expect(hiresFirstPass(1152, 1536, on, sdxl)).toEqual({ width: 896, height: 1152, denoise: 0.65 });
    // Too small for an SDXL first pass, where an SD 1 model would still take one.
    expect(hiresFirstPass(1024, 1024, on, sdxl)).toBeNull();
    expect(hiresFirstPass(1024, 1024, on, "stable diffusion 1")).toEqual({
      width: 512,
      height: 512,
      denoise: 0.65,
    });
  });
});

describe("textual inversions", () => {
  it("go in front of the prompt or after the negative prompt in the backend's syntax; missing ones are reported", () => {
    const available = nameLookup(["EasyNegative", "bad_hands"]);
    const term = (name: string, strength: number) => `<${name}:${strength}>`;
    const result = injectTextualInversions(
      {
        prompt: "a cat",
        negativePrompt: "",
        tis: [
          { name: "easynegative", inject: "negprompt", strength: 1 },
          { name: "BAD_HANDS", inject: "prompt", strength: 0.5 },
          { name: "4629", inject: "prompt", strength: 1 },
          { name: "bad_hands", inject: undefined, strength: 1 },
        ],
      },
      available,
      term,
    );
    expect(result).toEqual({
      prompt: "<bad_hands:0.5>,a cat",
      negativePrompt: "<EasyNegative:1>",
      missing: [{ type: "ti", value: "download_failed", ref: "4629" }],
    });
  });
});

describe("ComfyUI workflows", () => {
  it("the defaults use only known placeholders, the source where they need it", () => {
    for (const [kind, workflow] of Object.entries(DEFAULT_COMFY_WORKFLOWS)) {
      for (const name of placeholdersOf(workflow)) expect(Object.keys(PLACEHOLDERS), kind).toContain(name);
    }
    expect(() => checkWorkflows(DEFAULT_COMFY_WORKFLOWS)).not.toThrow();
    expect(placeholdersOf(DEFAULT_COMFY_WORKFLOWS.inpainting)).toContain("source_mask");
  });

  it("a whole-value placeholder keeps the value's type; inside text it is spliced in", () => {
    const filled = fillWorkflow(
      {
        "1": {
          class_type: "X",
          inputs: { seed: "{{seed}}", text: "a {{ prompt }}, seed {{seed}}", link: ["2", 0] },
        },
      },
      { seed: 42, prompt: "cat" },
    );
    expect(filled["1"]?.inputs).toEqual({ seed: 42, text: "a cat, seed 42", link: ["2", 0] });
  });

  it("an operator's workflows are checked: format, kinds, placeholders, and img2img/inpainting using their sources", () => {
    const node = (inputs: Record<string, unknown>) => ({ "1": { class_type: "KSampler", inputs } });
    expect(checkWorkflows(node({ seed: "{{seed}}" }))).toEqual({ txt2img: node({ seed: "{{seed}}" }) });
    expect(() => checkWorkflows([], "worker.json workflow")).toThrow(
      "Invalid worker.json workflow: (root): must be a JSON object",
    );
    expect(() =>
      checkWorkflows({
        txt2img: node({ seed: "{{sead}}" }),
        img2img: node({ image: "x.png" }),
        upscale: node({}),
        inpainting: { "1": { inputs: {} } },
      }),
    ).toThrow(
      "Invalid workflow: upscale: is not txt2img, hires, img2img or inpainting; txt2img: uses {{sead}}, which is not one of",
    );
    expect(() => checkWorkflows({ img2img: node({ image: "{{source_image}}" }) })).toThrow(
      "Invalid workflow: txt2img: is required",
    );
  });
});

describe("text payloads", () => {
  it("openai: only what the job sets, under OpenAI's and llama.cpp's names", () => {
    expect(openaiPayload({ prompt: "Hi" }, 80)).toEqual({ prompt: "Hi", max_tokens: 80, n: 1 });
    expect(openaiPayload({ prompt: "Hi", stop_sequence: [], rep_pen: 1.1, typical: 0.9 }, 16)).toEqual({
      prompt: "Hi",
      max_tokens: 16,
      n: 1,
      typical_p: 0.9,
      repeat_penalty: 1.1,
      repetition_penalty: 1.1,
    });
  });

  it("koboldcpp: the payload's fields KoboldCpp reads, as they are; formatting flags stay out", () => {
    const payload = {
      prompt: "Hi",
      max_length: 999,
      temperature: 0.7,
      frmttriminc: true,
      singleline: true,
      n: 1,
    };
    expect(koboldcppPayload(payload, 64)).toEqual({ prompt: "Hi", max_length: 64, temperature: 0.7 });
    expect(KOBOLDCPP_FIELDS).not.toContain("n");
  });
});

describe("image codec (sharp)", () => {
  it("WebP stays as is, PNG becomes WebP; a mask from transparency, none without an alpha channel", async () => {
    const codec = sharpCodec(sharp);
    const webp = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: "#00f" } })
        .webp()
        .toBuffer(),
    );
    expect(await codec.toWebp(webp)).toBe(webp);
    const png = new Uint8Array(await solidPng(8, 8, "#0f0"));
    expect(isWebp(await codec.toWebp(png))).toBe(true);
    expect(await codec.alphaMask(png)).toBeNull();
    const clear = new Uint8Array(
      await sharp({
        create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
      })
        .png()
        .toBuffer(),
    );
    const mask = await codec.alphaMask(clear);
    const { data } = await sharp(mask as Uint8Array)
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(255);
  });
});

describe("backend error messages", () => {
  it("are read from each server's error shape", () => {
    expect(messageOf({ error: { message: "Prompt outputs failed validation", details: "ckpt" } })).toBe(
      "Prompt outputs failed validation: ckpt",
    );
    expect(messageOf({ error: { code: 400, message: "bad model", type: "invalid_request_error" } })).toBe(
      "bad model",
    );
    expect(messageOf({ detail: "Sampler not found" })).toBe("Sampler not found");
    expect(messageOf({ detail: [{ loc: ["body", "steps"], msg: "not an int" }] })).toBe(
      "body.steps: not an int",
    );
    expect(messageOf({ detail: { msg: "Server is busy", type: "service_unavailable" } })).toBe(
      "Server is busy",
    );
    expect(messageOf({ error: "RuntimeError", detail: "", errors: "CUDA out of memory" })).toBe(
      "CUDA out of memory",
    );
    expect(messageOf({ nothing: 1 })).toBeUndefined();
  });
});
