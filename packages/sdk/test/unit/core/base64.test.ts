// The fast base64 paths (Node's Buffer; atob/btoa in browsers) must agree byte for byte with the portable loop,
// including the inputs the SDK accepts beyond plain base64: URL-safe letters, missing padding, whitespace.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  decodeBase64,
  decodeBase64Portable,
  encodeBase64,
  encodeBase64Portable,
} from "../../../src/core/base64.js";

function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const SAMPLES = [0, 1, 2, 3, 4, 5, 17, 255, 256, 1000, 70_000].map((n) => bytesOf(n, n + 7));

function variants(text: string): string[] {
  const urlSafe = text.replace(/\+/g, "-").replace(/\//g, "_");
  return [
    text,
    text.replace(/=+$/, ""),
    urlSafe,
    urlSafe.replace(/=+$/, ""),
    text.replace(/(.{76})/g, "$1\n"),
  ];
}

type Codec = { decodeBase64: typeof decodeBase64; encodeBase64: typeof encodeBase64 };

function checkAgainstPortable(codec: Codec): void {
  for (const bytes of SAMPLES) {
    const text = encodeBase64Portable(bytes);
    expect(codec.encodeBase64(bytes)).toBe(text);
    for (const form of variants(text)) {
      expect(Array.from(codec.decodeBase64(form))).toEqual(Array.from(decodeBase64Portable(form)));
    }
  }
}

describe("base64", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("Buffer path (Node) agrees with the portable loop, and decoded bytes own their whole ArrayBuffer", () => {
    checkAgainstPortable({ decodeBase64, encodeBase64 });
    const small = decodeBase64("AAEC"); // small Buffers are slices of Node's shared pool
    expect(small.byteOffset).toBe(0);
    expect(small.buffer.byteLength).toBe(3);
  });

  it("atob/btoa path (browsers) agrees with the portable loop", async () => {
    vi.stubGlobal("Buffer", undefined);
    vi.resetModules();
    const browser = await import("../../../src/core/base64.js");
    checkAgainstPortable(browser);
  });

  it("rejects a character outside both alphabets, naming its position, on every path", async () => {
    expect(() => decodeBase64("AAE*AA")).toThrow("invalid base64 character at 3");
    vi.stubGlobal("Buffer", undefined);
    vi.resetModules();
    const browser = await import("../../../src/core/base64.js");
    expect(() => browser.decodeBase64("AA!A")).toThrow("invalid base64 character at 2");
  });
});
