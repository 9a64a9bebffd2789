/** Bad input: the image submit's validation (in the server's order), malformed bodies, headers and keys. */
import { scenario } from "../framework.js";
import { cancelImageAtEnd, imagePop, imageRequest } from "./common.js";

const AREA = "validation and malformed requests";

/** A 64×64 PNG, base64, for the source-image rules that need a real image. */
const SOURCE =
  "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAn0lEQVRoge2SQQkAQRDDKqLqTnFkrYh7" +
  "hIFCBKSh6cdpoht0A9ArdhfiLtENugHoFbsLcZfoBt0A9IrdhbhLdINuAHrF7kLcJbpBNwC9Ynch7hLdoBuAXrG7EHeJbtANQK/YXYi7RD" +
  "foBqBX7C7EXaIbdAPQK3YX4i7RDboB6BW7C3GX6AbdAPSK3YW4S3SDbgB6xe5C3CW6QTcAveIfHlSEYR4DHbjkAAAAAElFTkSuQmCC";

/** Each case is one field (or pair) off, in the order the server checks them (docs/server/image-requests.md#submit-order). */
const IMAGE_CASES: [string, Record<string, unknown>][] = [
  ["no prompt", { prompt: undefined }],
  ["empty prompt", { prompt: "" }],
  ["nul byte in prompt", { prompt: "a\u0000cube" }],
  ["nul byte in a model name", { models: ["stable_\u0000diffusion"] }],
  ["nul byte in params", { params: { steps: 10, loras: [{ name: "x\u0000y" }] } }],
  ["prompt not a string", { prompt: 42 }],
  ["steps too many", { params: { width: 512, height: 512, steps: 600 } }],
  ["width not a multiple of 64", { params: { width: 500, height: 512, steps: 10 } }],
  ["width too large", { params: { width: 4096, height: 512, steps: 10 } }],
  ["n too many", { params: { width: 512, height: 512, steps: 10, n: 30 } }],
  ["unknown sampler", { params: { sampler_name: "k_nonsense", steps: 10 } }],
  ["cfg_scale too high", { params: { cfg_scale: 500, steps: 10 } }],
  ["cfg_scale with three decimals", { params: { cfg_scale: 7.125, steps: 10 } }],
  ["unknown post-processor", { params: { post_processing: ["MegaUpscaler"], steps: 10 } }],
  ["webhook without https", { webhook: "http://example.com/hook" }],
  [
    "too many loras",
    { params: { steps: 10, loras: Array.from({ length: 6 }, (_, i) => ({ name: `lora${i}` })) } },
  ],
  [
    "a lora version that is not a number",
    { params: { steps: 10, loras: [{ name: "abc", is_version: true }] } },
  ],
  [
    "too many TIs",
    { params: { steps: 10, tis: Array.from({ length: 21 }, (_, i) => ({ name: `ti${i}` })) } },
  ],
  ["unknown worker id", { workers: ["00000000-0000-0000-0000-000000000000"] }],
  [
    "workers and blacklist together",
    { workers: ["00000000-0000-0000-0000-000000000000"], worker_blacklist: true },
  ],
  ["a worker id that is not a uuid", { workers: ["nope"] }],
  ["batching off for n 2, untrusted", { disable_batching: true, params: { steps: 10, n: 2 } }],
  [
    "hires fix with Flux",
    { models: ["Flux.1-Schnell fp8 (Compact)"], params: { steps: 4, hires_fix: true } },
  ],
  ["transparent with SD 2", { models: ["stable_diffusion_2.1"], params: { steps: 10, transparent: true } }],
  [
    "qr_code with SD 2",
    {
      models: ["stable_diffusion_2.1"],
      params: { steps: 10, workflow: "qr_code", extra_texts: [{ text: "hi", reference: "qr_code" }] },
    },
  ],
  ["a post-processor as a model", { models: ["RealESRGAN_x4plus"] }],
  ["two upscalers", { params: { steps: 10, post_processing: ["RealESRGAN_x4plus", "NMKD_Siax"] } }],
  ["the special field", { params: { steps: 10, special: { a: 1 } } }],
  ["a special model", { models: ["horde_special::someone#1"] }],
  ["a mask without a source", { source_mask: SOURCE }],
  ["ControlNet without a source", { params: { steps: 10, control_type: "canny" } }],
  [
    "ControlNet with inpainting",
    { source_image: SOURCE, source_processing: "inpainting", params: { steps: 10, control_type: "canny" } },
  ],
  [
    "ControlNet with SDXL",
    { models: ["SDXL 1.0"], source_image: SOURCE, params: { steps: 10, control_type: "canny" } },
  ],
  [
    "transparent with ControlNet",
    { source_image: SOURCE, params: { steps: 10, control_type: "canny", transparent: true } },
  ],
  [
    "transparent with an extra source image",
    { params: { steps: 10, transparent: true }, extra_source_images: [{ image: SOURCE }] },
  ],
  ["remix with SD 1.5", { source_image: SOURCE, source_processing: "remix" }],
  ["extra source images without remix", { extra_source_images: [{ image: SOURCE }] }],
  ["extra texts without qr_code", { params: { steps: 10, extra_texts: [{ text: "hi", reference: "qr" }] } }],
  ["qr_code without its extra text", { params: { steps: 10, workflow: "qr_code" } }],
  [
    "init_as_image and return_control_map",
    { params: { steps: 10, init_as_image: true, return_control_map: true } },
  ],
  ["a depth model without a source", { models: ["Stable Diffusion 2 Depth"] }],
  ["the SDXL beta with one image", { models: ["SDXL_beta::stability.ai#6901"] }],
  ["source image not base64", { source_image: "!!!!", source_processing: "img2img" }],
  ["unknown source processing", { source_processing: "outpaint" }],
  ["inpainting without a mask or alpha", { source_image: SOURCE, source_processing: "inpainting" }],
  ["proxied account without a service", { proxied_account: "someone" }],
  ["models not a list", { models: "stable_diffusion" }],
  ["params not an object", { params: "big" }],
  ["extra slow workers", { extra_slow_workers: true }],
  [
    "too many extra source images",
    { extra_source_images: Array.from({ length: 6 }, () => ({ image: "aGVsbG8=" })) },
  ],
  ["two extra source images, untrusted", { extra_source_images: [{ image: SOURCE }, { image: SOURCE }] }],
  ["unknown field", { colour: "blue" }],
];

export const validationScenarios = [
  scenario(AREA, "image submit: each invalid field", async (c) => {
    const alice = await c.user("alice", { kudos: 10_000, trusted: false });
    const owner = await c.user("owner", { trusted: true });
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(c.name("w")) });
    for (const [label, change] of IMAGE_CASES) {
      const body = { ...imageRequest(), ...change };
      const answer = await c.step(label, "POST /v2/generate/async", { apikey: alice.apikey, body });
      if (answer.body?.id) cancelImageAtEnd(c, answer.body.id);
      // 2 per second per user: stay under it so that each step shows its validation, not the limiter.
      await c.sleep(600);
    }
    const clientAgent = { "Client-Agent": "My-Project:v0.0.1:My-Contact" };
    await c.step("the banned Client-Agent", "POST /v2/generate/async", {
      apikey: alice.apikey,
      headers: clientAgent,
      body: imageRequest(),
    });
    await c.sleep(600);
    await c.step("the SDXL beta, anonymous", "POST /v2/generate/async", {
      apikey: "0000000000",
      body: imageRequest({ models: ["SDXL_beta::stability.ai#6901"], params: { steps: 10, n: 2 } }),
    });
  }),

  scenario(AREA, "malformed requests", async (c) => {
    const alice = await c.user("alice");
    await c.step("invalid JSON", "POST /v2/generate/async", { apikey: alice.apikey, raw: "{not json" });
    await c.sleep(600);
    await c.step("JSON array body", "POST /v2/generate/async", { apikey: alice.apikey, raw: "[1,2]" });
    await c.sleep(600);
    await c.step("empty body", "POST /v2/generate/async", { apikey: alice.apikey, raw: "" });
    await c.sleep(600);
    await c.step("text/plain body", "POST /v2/generate/async", {
      apikey: alice.apikey,
      raw: JSON.stringify(imageRequest()),
      headers: { "Content-Type": "text/plain" },
    });
    await c.sleep(600);
    await c.step("invalid apikey", "POST /v2/generate/async", {
      apikey: "notakey0000000000000zz",
      body: imageRequest(),
    });
    await c.sleep(600);
    await c.step("empty apikey", "POST /v2/generate/async", { apikey: "", body: imageRequest() });
    await c.sleep(600);
    await c.step("no apikey", "POST /v2/generate/async", { body: imageRequest() });
    await c.step("invalid JSON to text", "POST /v2/generate/text/async", { apikey: alice.apikey, raw: "{" });
    await c.step("invalid JSON to pop", "POST /v2/generate/pop", { apikey: alice.apikey, raw: "nope" });
    await c.step("invalid JSON to transfer", "POST /v2/kudos/transfer", { apikey: alice.apikey, raw: "{]" });
    await c.step("deep JSON", "POST /v2/generate/async", {
      apikey: alice.apikey,
      raw: `${"[".repeat(200)}${"]".repeat(200)}`,
    });
  }),

  scenario(AREA, "CORS preflight and HEAD", async (c) => {
    await c.step("preflight", "OPTIONS /v2/generate/async", {
      headers: {
        Origin: "http://example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apikey,content-type",
      },
      message: false,
    });
    await c.step("HEAD heartbeat", "HEAD /v2/status/heartbeat", { message: false });
  }),
];
