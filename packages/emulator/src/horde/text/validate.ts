/** The text-only checks of `/generate/text/async` (docs/server/text.md#text), in the server's order. */
import { err } from "../errors.js";
import type { TextRequestInput } from "./input.js";

const bad = (rc: string, message: string) => err.badRequest(message, rc);

export function validateTextRequest(input: TextRequestInput): void {
  if (input.extraSourceImages.length > 0) {
    // QUIRK(docs/server/errors.md#return-codes): the rc carries a trailing dot.
    throw bad("InvalidExtraSourceImages.", "Extra source images are not supported for text generation.");
  }
  const p = input.params;
  if (p.max_context_length < p.max_length) {
    throw bad(
      "TokenOverflow",
      "Your requested max_length cannot be larger than your requested max_context_length.",
    );
  }
  if (p.sampler_order !== undefined && new Set(p.sampler_order).size < 7) {
    throw bad(
      "MissingFullSamplerOrder",
      "When sending a custom sampler order, you need to specify all 7 samplers.",
    );
  }
  const stops = p.stop_sequence ?? [];
  if (stops.length > 128) throw bad("TooManyStopSequences", "You can send at most 128 stop sequences.");
  if (stops.reduce((sum, s) => sum + s.length, 0) > 2000) {
    throw bad("ExcessiveStopSequence", "The stop sequences are too long in total (over 2000 characters).");
  }
}
