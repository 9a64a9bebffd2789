import { randomInt } from "node:crypto";

const TWO_32 = 2n ** 32n;

/** A fresh random 32-bit seed, as the server draws one per pop when the request gave none (docs/server/image-requests.md#params). */
export const randomSeed = (): number => randomInt(0, 2 ** 32 - 1);

/** A seed of 2³² or more shifted right by 32 bits until it fits (docs/server/image-requests.md#seeds). */
export function fold32(value: bigint | number): number {
  let v = BigInt(value);
  while (v >= TWO_32) v >>= 32n;
  return Number(v);
}

/**
 * The request's seed as the integer a worker gets (docs/server/image-requests.md#seeds): digits are read as
 * they are, any other text as a little-endian integer of its UTF-8 bytes; then folded into 32 bits. `null`
 * for "no seed".
 */
export function seedToInt(seed: string | undefined): number | null {
  if (seed === undefined || seed === "") return null;
  if (/^\d+$/.test(seed)) return fold32(BigInt(seed));
  const bytes = new TextEncoder().encode(seed);
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return fold32(v);
}
