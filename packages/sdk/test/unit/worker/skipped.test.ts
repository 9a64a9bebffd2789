// "Why no jobs" in words: each skip reason of the pops (image, text, alchemy) becomes a phrase.
import { describeSkipped } from "horde-sdk/worker";
import { describe, expect, it } from "vitest";

describe("describeSkipped", () => {
  it("largest first; the first count names the requests, one or many", () => {
    expect(describeSkipped({ max_pixels: 3, models: 12 }, "image")).toBe(
      "12 requests need a model you do not serve, 3 need more pixels than you allow",
    );
    expect(describeSkipped({ nsfw: 1, worker_id: 1 }, "image")).toBe(
      "1 request is NSFW and you refuse NSFW, 1 is for other workers",
    );
  });

  it("has a phrase for every reason the servers report, and names an unknown one", () => {
    const reasons = [
      "models",
      "max_pixels",
      "nsfw",
      "worker_id",
      "untrusted",
      "bridge_version",
      "performance",
      "img2img",
      "painting",
      "lora",
      "controlnet",
      "post-processing",
      "unsafe_ip",
      "blacklist",
      "step_count",
      "kudos",
      "max_context_length",
      "max_length",
      "matching_softprompt",
      "forms",
    ];
    for (const reason of reasons) {
      expect(describeSkipped({ [reason]: 2 }, "image"), reason).not.toContain("skipped");
      expect(describeSkipped({ [reason]: 1 }, "text"), reason).toMatch(/^1 request \w+/);
    }
    expect(describeSkipped({ something_new: 4 }, "image")).toBe("4 requests were skipped (something_new)");
  });

  it("zero counts are nothing; nothing skipped says the queue has nothing for the worker", () => {
    expect(describeSkipped({ models: 0 }, "image")).toBe(
      "no image request is waiting that this worker could take",
    );
    expect(describeSkipped({}, "alchemy")).toBe(
      "no interrogation request is waiting that this worker could take",
    );
  });
});
