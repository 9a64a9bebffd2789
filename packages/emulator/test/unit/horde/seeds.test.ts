import { describe, expect, test } from "vitest";
import { fold32, seedToInt } from "../../../src/horde/reference/seeds.js";

// Expected values computed with the server's own rule (Python: int.from_bytes(s.encode(), "little"), then
// `n >> 32` while n >= 2**32); "abc" → 6513249 was also seen on the oracle.
describe("seeds as the worker gets them (docs/server/image-requests.md#seeds)", () => {
  test("digits are the integer; no seed is null", () => {
    expect(seedToInt("1234")).toBe(1234);
    expect(seedToInt("")).toBeNull();
    expect(seedToInt(undefined)).toBeNull();
  });

  test("other text is its UTF-8 bytes read little-endian", () => {
    expect(seedToInt("abc")).toBe(6513249);
    expect(seedToInt("a lighthouse")).toBe(1702065519);
  });

  test("2³² or more is shifted right by 32 bits until it fits, not wrapped", () => {
    expect(seedToInt("99999999999")).toBe(23);
    expect(fold32(1234 + 3 * 4294966067)).toBe(2);
    expect(fold32(4294967295)).toBe(4294967295);
  });
});
