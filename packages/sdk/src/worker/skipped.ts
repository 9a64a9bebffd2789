// "Why no jobs": the pop's `skipped` counters (docs/server/workers.md#pop-order, step 8 and 10; text and
// alchemy pops have their own keys) in words an operator can act on.
import type { WorkerKind } from "./types.js";

/** What one request skipped for a reason needs, as [one request, several requests]. */
const WHY: Record<string, readonly [string, string]> = {
  models: ["needs a model you do not serve", "need a model you do not serve"],
  max_pixels: ["needs more pixels than you allow", "need more pixels than you allow"],
  nsfw: ["is NSFW and you refuse NSFW", "are NSFW and you refuse NSFW"],
  worker_id: ["is for other workers", "are for other workers"],
  untrusted: ["wants a trusted worker", "want a trusted worker"],
  bridge_version: [
    "needs a feature your bridge agent lacks (a sampler, hires fix, TIs, …)",
    "need a feature your bridge agent lacks (a sampler, hires fix, TIs, …)",
  ],
  performance: ["wants a faster worker", "want a faster worker"],
  img2img: ["is img2img, which you do not allow", "are img2img, which you do not allow"],
  painting: [
    "is inpainting or outpainting, which you do not allow",
    "are inpainting or outpainting, which you do not allow",
  ],
  lora: ["needs LoRAs, which you do not allow", "need LoRAs, which you do not allow"],
  controlnet: ["needs ControlNet, which you do not allow", "need ControlNet, which you do not allow"],
  "post-processing": [
    "needs post-processing, which you do not allow",
    "need post-processing, which you do not allow",
  ],
  unsafe_ip: ["comes from an IP you do not accept", "come from an IP you do not accept"],
  blacklist: ["contains a word of your blacklist", "contain a word of your blacklist"],
  step_count: ["has more steps than you allow", "have more steps than you allow"],
  kudos: ["is from a requester who cannot pay upfront", "are from requesters who cannot pay upfront"],
  max_context_length: ["needs more context than you allow", "need more context than you allow"],
  max_length: ["needs a longer max_length than you allow", "need a longer max_length than you allow"],
  matching_softprompt: ["needs a soft prompt you do not have", "need a soft prompt you do not have"],
  forms: ["needs a form you do not serve", "need a form you do not serve"],
};

/**
 * The skip counters of a pop in words, largest first: "12 requests need a model you do not serve, 3 need
 * more pixels than you allow". With nothing skipped, says that no request is waiting for this worker.
 */
export function describeSkipped(skipped: Record<string, number>, kind: WorkerKind): string {
  const entries = Object.entries(skipped)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (entries.length === 0) {
    return `no ${kind === "alchemy" ? "interrogation" : kind} request is waiting that this worker could take`;
  }
  return entries
    .map(([reason, n], i) => {
      const [one, many] = WHY[reason] ?? [`was skipped (${reason})`, `were skipped (${reason})`];
      const noun = i === 0 ? (n === 1 ? " request" : " requests") : "";
      return `${n}${noun} ${n === 1 ? one : many}`;
    })
    .join(", ");
}
