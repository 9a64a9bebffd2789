import { randomInt } from "node:crypto";

const TWO_32 = 2n ** 32n;

/** A fresh random 32-bit seed, as the server draws one per pop when the request gave none (docs/server/image-requests.md#params). */
export const randomSeed = (): number => randomInt(0, 2 ** 32 - 1);

/**
 * The request's seed as the integer a worker gets (docs/server/image-requests.md#params): digits are used as
 * they are, any other text
 * is read as a big-endian integer of its UTF-8 bytes and folded into 32 bits. `null` for "no seed".
 */
export function seedToInt(seed: string | undefined): number | null {
  if (seed === undefined || seed === "") return null;
  if (/^\d+$/.test(seed)) {
    const big = BigInt(seed);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : Number(big % TWO_32);
  }
  let v = 0n;
  for (const byte of new TextEncoder().encode(seed)) v = ((v << 8n) | BigInt(byte)) % TWO_32;
  return Number(v);
}
