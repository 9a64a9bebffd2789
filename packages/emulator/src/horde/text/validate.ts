/** The text-only checks of `/generate/text/async` (docs/server/text.md#submit), in the server's order. */
import { err } from "../errors.js";
import type { TextRequestInput } from "./input.js";

const bad = (rc: string, message: string) => err.badRequest(message, rc);

export function validateTextRequest(input: TextRequestInput): void {
  const p = input.params;
  if (p.max_context_length < p.max_length) {
    throw bad("TokenOverflow", "You cannot request more tokens than your context length.");
  }
  if (p.sampler_order !== undefined && new Set(p.sampler_order).size < 7) {
    throw bad(
      "MissingFullSamplerOrder",
      "When sending a custom sampler order, you need to specify all possible samplers in the order",
    );
  }
  if (p.stop_sequence !== undefined) {
    // Repeated sequences count once.
    const stops = [...new Set(p.stop_sequence)];
    if (stops.length > 128) {
      throw bad("TooManyStopSequences", "Too many stop sequences specified (max allowed is 128).");
    }
    if (stops.reduce((sum, s) => sum + [...s].length, 0) > 2000) {
      throw bad(
        "ExcessiveStopSequence",
        "Your total stop sequence length exceeds the allowed limit (2000 chars).",
      );
    }
  }
  if (input.extraSourceImages.length > 0) {
    // QUIRK(docs/server/errors.md#return-codes): the rc carries a trailing dot.
    throw bad("InvalidExtraSourceImages.", "This request type does not accept extra source images.");
  }
}
