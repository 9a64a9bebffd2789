import { InvalidArgumentError } from "commander";

/** Parsers for option arguments. They throw commander's InvalidArgumentError, which becomes exit 2. */

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const v = value.trim();
    const n = Number(v);
    if (!INTEGER.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

export const MIN_SIZE = 64;
export const MAX_SIZE = 3072;

/** Width and height: 64–3072, a multiple of 64 (the horde's rule). */
export function dimension(value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!INTEGER.test(v) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`Must be a whole number of pixels, a multiple of 64 (e.g. 512).`);
  }
  if (n < MIN_SIZE || n > MAX_SIZE) {
    throw new InvalidArgumentError(`Must be from ${MIN_SIZE} to ${MAX_SIZE} pixels, a multiple of 64.`);
  }
  if (n % 64 !== 0) {
    const lower = Math.max(MIN_SIZE, Math.floor(n / 64) * 64);
    const upper = Math.min(MAX_SIZE, Math.ceil(n / 64) * 64);
    const nearest = n - lower <= upper - n ? lower : upper;
    throw new InvalidArgumentError(`Must be a multiple of 64 (the nearest is ${nearest}).`);
  }
  return n;
}

export function decimalIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const v = value.trim();
    const n = Number(v);
    if (!DECIMAL.test(v) || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Must be a number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** A positive number of seconds. */
export function seconds(value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("Must be a positive number of seconds.");
  }
  return n;
}

export function nonEmptyText(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("Must not be empty.");
  return value;
}

/** Repeatable string option: `--model a --model b`, or `--model a,b`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new InvalidArgumentError("Must not be empty.");
  return [...(previous ?? []), ...items];
}

export function httpUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    throw new InvalidArgumentError("Must be an http(s) URL, e.g. https://aihorde.net/api.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidArgumentError("Must be an http(s) URL, e.g. https://aihorde.net/api.");
  }
  return value.trim();
}

/** `--size 768x512`: width and height, each like `--width`. */
export function size(value: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError("Must be WIDTHxHEIGHT, e.g. 768x512.");
  try {
    return { width: dimension(m[1] as string), height: dimension(m[2] as string) };
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message.replace(/\.$/, "")} (both sides).`);
  }
}

export interface LoraArg {
  name: string;
  model?: number;
  clip?: number;
}

const STRENGTH = /^-?\d+(\.\d+)?$/;

/**
 * `--lora NAME[:MODEL[:CLIP]]`, repeatable: a LoRA by name or CivitAI id, with its model and clip strengths
 * (-5 to 5, default 1). The name itself may contain colons; only trailing numbers are strengths.
 */
export function lora(value: string, previous: LoraArg[] | undefined): LoraArg[] {
  const parts = value.split(":");
  const strengths: number[] = [];
  while (parts.length > 1 && strengths.length < 2 && STRENGTH.test((parts.at(-1) ?? "").trim())) {
    strengths.unshift(Number((parts.pop() as string).trim()));
  }
  const name = parts.join(":").trim();
  if (name === "") throw new InvalidArgumentError("Must be NAME[:MODEL[:CLIP]], e.g. 'GlowingRunes:0.8'.");
  if (name.length > 255) throw new InvalidArgumentError("The LoRA name is longer than 255 characters.");
  for (const s of strengths) {
    if (s < -5 || s > 5) throw new InvalidArgumentError("LoRA strengths must be from -5 to 5.");
  }
  const entry: LoraArg = { name };
  if (strengths[0] !== undefined) entry.model = strengths[0];
  if (strengths[1] !== undefined) entry.clip = strengths[1];
  return [...(previous ?? []), entry];
}

/** A repeatable free-text option (`--stop "\n\n"`): every value kept as given. */
export function repeatText(value: string, previous: string[] | undefined): string[] {
  if (value === "") throw new InvalidArgumentError("Must not be empty.");
  return [...(previous ?? []), value];
}

/** A positive whole number of kudos. */
export function kudosAmount(value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!INTEGER.test(v) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("Must be a whole number of kudos, at least 1.");
  }
  return n;
}
