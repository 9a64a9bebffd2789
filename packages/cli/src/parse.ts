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
