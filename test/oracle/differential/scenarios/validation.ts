/** Bad input: the image submit's validation (in the server's order), malformed bodies, headers and keys. */
import { scenario } from "../framework.js";
import { cancelImageAtEnd, imagePop, imageRequest } from "./common.js";

const AREA = "validation and malformed requests";

const IMAGE_CASES: [string, Record<string, unknown>][] = [
  ["no prompt", { prompt: undefined }],
  ["empty prompt", { prompt: "" }],
  ["nul byte in prompt", { prompt: "a\u0000cube" }],
  ["prompt not a string", { prompt: 42 }],
  ["steps too many", { params: { width: 512, height: 512, steps: 600 } }],
  ["width not a multiple of 64", { params: { width: 500, height: 512, steps: 10 } }],
  ["width too large", { params: { width: 4096, height: 512, steps: 10 } }],
  ["n too many", { params: { width: 512, height: 512, steps: 10, n: 30 } }],
  ["unknown sampler", { params: { sampler_name: "k_nonsense", steps: 10 } }],
  ["cfg_scale too high", { params: { cfg_scale: 500, steps: 10 } }],
  ["unknown post-processor", { params: { post_processing: ["MegaUpscaler"], steps: 10 } }],
  [
    "too many loras",
    { params: { steps: 10, loras: Array.from({ length: 6 }, (_, i) => ({ name: `lora${i}` })) } },
  ],
  ["unknown worker id", { workers: ["00000000-0000-0000-0000-000000000000"] }],
  [
    "workers and blacklist together",
    { workers: ["00000000-0000-0000-0000-000000000000"], worker_blacklist: true },
  ],
  ["source image not base64", { source_image: "!!!!", source_processing: "img2img" }],
  ["unknown source processing", { source_processing: "outpaint" }],
  ["proxied account without a service", { proxied_account: "someone" }],
  ["models not a list", { models: "stable_diffusion" }],
  ["params not an object", { params: "big" }],
  ["extra slow workers", { extra_slow_workers: true }],
  [
    "too many extra source images",
    { extra_source_images: Array.from({ length: 6 }, () => ({ image: "aGVsbG8=" })) },
  ],
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
