/** Which worker may take which request (§5.1 step 8, §6.1, §6.2), straight on the domain. */
import { describe, expect, test } from "vitest";
import { submitImage } from "../../../src/horde/image/submit.js";
import { formCandidate, formEligibility } from "../../../src/horde/matching/alchemy.js";
import { chooseModel, imageCandidate, imageRefusal } from "../../../src/horde/matching/image.js";
import { textEligibility, textPopVerdict } from "../../../src/horde/matching/text.js";
import type { ImageRequest, TextRequest } from "../../../src/horde/store/requests.js";
import { submitText } from "../../../src/horde/text/submit.js";
import { horde, KOBOLD } from "./fixture.js";

async function imageRequest(h: ReturnType<typeof horde>, body: Record<string, unknown> = {}) {
  const out = await submitImage(h.store, { prompt: "a lighthouse", ...body }, h.caller(h.alice));
  const id = (out.body as { id: string }).id;
  return h.store.findRequest("image", id) as ImageRequest;
}

async function textRequest(h: ReturnType<typeof horde>, body: Record<string, unknown> = {}) {
  const out = await submitText(h.store, { prompt: "Once", ...body }, h.caller(h.alice));
  return h.store.findRequest("text", (out.body as { id: string }).id) as TextRequest;
}

describe("image matching", () => {
  const offered = ["stable_diffusion"];

  test("a plain request is a candidate for a reGen worker with its model, and the worker takes it", async () => {
    const h = horde();
    const req = await imageRequest(h);
    const worker = h.worker("image", { models: ["stable_diffusion"] });
    expect(imageCandidate(worker, req, offered, null)).toBe(true);
    expect(imageRefusal(h.store, worker, req)).toBeNull();
  });

  test("what the pop's query rules out is skipped silently; the detailed check names its reason", async () => {
    const h = horde();
    const w = (body: Record<string, unknown>) => h.worker("image", { models: ["stable_diffusion"], ...body });
    const big = await imageRequest(h, { params: { width: 1024, height: 1024 } });
    expect(imageCandidate(w({}), big, offered, null)).toBe(false);
    expect(imageCandidate(w({ models: ["SDXL 1.0"] }), await imageRequest(h), ["SDXL 1.0"], null)).toBe(
      false,
    );
    expect(imageCandidate(w({ nsfw: false }), await imageRequest(h), offered, null)).toBe(false);
    // An unknown bridge has no r2 capability: it never gets r2 requests (the default), and runs them
    // otherwise with the legacy worker's samplers.
    const unknown = w({ bridge_agent: "some bridge:1:x" });
    expect(imageCandidate(unknown, await imageRequest(h), offered, null)).toBe(false);
    const noR2 = await imageRequest(h, { r2: false });
    expect(imageCandidate(unknown, noR2, offered, null)).toBe(true);
    expect(imageRefusal(h.store, unknown, noR2)).toBeNull();
    const lora = await imageRequest(h, { params: { loras: [{ name: "123" }] } });
    expect(imageCandidate(w({}), lora, offered, null)).toBe(false);
    expect(imageCandidate(w({ allow_lora: true }), lora, offered, null)).toBe(true);
    expect(imageRefusal(h.store, w({ allow_lora: true }), lora)).toBeNull();
    const cat = await imageRequest(h, { prompt: "a Cat" });
    expect(imageRefusal(h.store, w({ blacklist: ["cat"] }), cat)).toBe("blacklist");
  });

  test("trusted_workers refuses a worker whose owner is not trusted", async () => {
    const h = horde();
    const carol = h.store.users.create({ username: "carol" });
    const req = await imageRequest(h, { trusted_workers: true });
    expect(imageRefusal(h.store, h.worker("image", { models: ["stable_diffusion"] }, carol), req)).toBe(
      "untrusted",
    );
    expect(imageRefusal(h.store, h.worker("image", { models: ["stable_diffusion"] }), req)).toBeNull();
  });

  test("require_upfront_kudos: an untrusted requester near the floor is skipped", async () => {
    const h = horde();
    const req = await imageRequest(h);
    h.store.users.setKudos(h.alice, 25); // alice's floor is 25: nothing above it
    const worker = h.worker("image", { models: ["stable_diffusion"], require_upfront_kudos: true });
    expect(imageRefusal(h.store, worker, req)).toBe("kudos");
  });

  test("the batch runs on the first requested model the worker offers, or the first it offers", async () => {
    const h = horde();
    const worker = h.worker("image", { models: ["Deliberate", "SDXL 1.0"] });
    const models = ["Deliberate", "SDXL 1.0"];
    expect(chooseModel(worker, await imageRequest(h, { models: ["SDXL 1.0", "Deliberate"] }), models)).toBe(
      "SDXL 1.0",
    );
    expect(chooseModel(worker, await imageRequest(h, { models: [] }), models)).toBe("Deliberate");
  });
});

describe("text matching", () => {
  test("the pop passes over what does not fit without a reason; soft prompts are never matched", async () => {
    const h = horde();
    const worker = h.worker("text", { max_length: 256, bridge_agent: KOBOLD });
    expect(textPopVerdict(h.store, worker, await textRequest(h))).toBeNull();
    expect(textPopVerdict(h.store, worker, await textRequest(h, { params: { max_length: 300 } }))).toBe(
      "filtered",
    );
    expect(textPopVerdict(h.store, worker, await textRequest(h, { softprompt: "sp" }))).toBeNull();
    const validated = await textRequest(h, { validated_backends: true });
    expect(textPopVerdict(h.store, worker, validated)).toBeNull();
    const unvalidated = h.worker("text", { bridge_agent: "my-bridge:1:x" });
    expect(textPopVerdict(h.store, unvalidated, validated)).toBe("filtered");
    expect(textEligibility(h.store, unvalidated, validated)).toBe("filtered");
    // Whether a request is possible asks for 2 tokens/s without slow workers, the pop for 3–5.
    const fast = await textRequest(h, { slow_workers: false });
    expect(textEligibility(h.store, worker, fast)).toBe("filtered");
  });
});

describe("alchemy matching", () => {
  test("the forms this pop lists, max_tiles, trusted workers", () => {
    const h = horde();
    const form = { state: "waiting", name: "caption" } as Parameters<typeof formCandidate>[2];
    const request = (tiles: number, trustedWorkers = false) =>
      ({ tiles, trustedWorkers, slowWorkers: true }) as Parameters<typeof formCandidate>[1];
    const captions = h.worker("interrogation", { forms: ["caption"] });
    expect(formCandidate(captions, request(1), form)).toBe(true);
    expect(formCandidate(h.worker("interrogation"), request(1), form)).toBe(false);
    expect(formCandidate(h.worker("interrogation", { forms: ["nsfw"] }), request(1), form)).toBe(false);
    expect(
      formCandidate(h.worker("interrogation", { forms: ["caption"], max_tiles: 4 }), request(5), form),
    ).toBe(false);
    expect(formCandidate(captions, request(1), { ...form, state: "processing" })).toBe(false);
    const carol = h.store.users.create({ username: "carol" });
    expect(formEligibility(h.store, h.worker("interrogation", {}, carol), request(1, true))).toBe(
      "untrusted",
    );
    expect(formEligibility(h.store, captions, request(1, true))).toBeNull();
  });
});
