/**
 * The text dev worker's "model": deterministic prose per (prompt, seed, max_length). The same input
 * always gives the same text; it is about half of `max_length` tokens (4 characters each), at least 20.
 */
import { createHash } from "node:crypto";

/** What the text dev worker's prose is written from: the same input always gives the same text. */
export interface WriteInput {
  prompt: string;
  seed?: number;
  maxLength: number;
}

const WORDS = (
  "the a lantern river quiet ancient horde worker dream of light over under beyond city garden machine " +
  "whispered carried slowly bright small forgotten signal across morning storm archive patient silver " +
  "road echo distant circuit harbour paper clockwork meadow glass voice tower orbit gentle"
).split(" ");

/** The text dev worker's "model": deterministic made-up prose, about half of `maxLength` tokens. */
export function writeText(input: WriteInput): string {
  const digest = createHash("sha256")
    .update(`${input.prompt}\u0000${input.seed ?? 0}`)
    .digest();
  let a = digest.readUInt32LE(0);
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const targetChars = Math.max(20, Math.floor(input.maxLength / 2)) * 4;
  const hardMax = input.maxLength * 4;
  let text = "";
  while (text.length < targetChars) {
    const n = 5 + Math.floor(rnd() * 8);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)] as string);
    const sentence = `${words.join(" ")}.`;
    text += (text ? " " : "") + sentence.charAt(0).toUpperCase() + sentence.slice(1);
  }
  return text.length > hardMax ? text.slice(0, hardMax) : text;
}
