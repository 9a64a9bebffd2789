// Base64 for image bytes (a finished base64 job carries ~0.5 MB per image). Node's Buffer is native and ~30×
// faster than a JavaScript loop, so it is used where it exists — found on globalThis, never imported, so
// browsers bundle nothing of Node — and `atob`/`btoa` in chunks elsewhere. The portable loop stays as the
// reference both are tested against, and it names the position of a bad character.
import { HordeError } from "./errors.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = (() => {
  const table = new Int16Array(256).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  table["-".charCodeAt(0)] = 62; // base64url
  table["_".charCodeAt(0)] = 63;
  return table;
})();

interface NodeBuffer {
  from(input: string, encoding: "base64"): Uint8Array;
  from(input: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: "base64"): string };
}
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** Decode standard or URL-safe base64 (padding optional, whitespace ignored). Throws on other characters. */
export function decodeBase64(input: string): Uint8Array<ArrayBuffer> {
  if (NodeBuffer) {
    // Buffer skips characters outside the alphabet silently; a result of the length the input implies proves
    // there were none. Anything else (whitespace, a bad character) takes the portable loop, which either
    // decodes it or names the bad character.
    const decoded = NodeBuffer.from(input, "base64");
    const padding = input.endsWith("==") ? 2 : input.endsWith("=") ? 1 : 0;
    if (decoded.length === Math.floor(((input.length - padding) * 3) / 4)) return ownBuffer(decoded);
    return decodeBase64Portable(input);
  }
  if (typeof atob === "function" && /^[A-Za-z0-9+/\-_]*={0,2}$/.test(input)) {
    const standard = input.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  return decodeBase64Portable(input);
}

/** Encode bytes as standard base64 (with padding). */
export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  if (typeof btoa === "function") {
    // String.fromCharCode takes its arguments on the stack: 32 KiB at a time stays well inside every engine's limit.
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }
  return encodeBase64Portable(bytes);
}

/** A Buffer may be a slice of Node's shared pool: hand out bytes that own their whole ArrayBuffer. */
function ownBuffer(view: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    view.byteOffset === 0 &&
    view.buffer.byteLength === view.byteLength &&
    view.buffer instanceof ArrayBuffer
  ) {
    return new Uint8Array(view.buffer);
  }
  return new Uint8Array(view);
}

/** The portable decoder (no Buffer, no atob). */
export function decodeBase64Portable(input: string): Uint8Array<ArrayBuffer> {
  const clean = input.replace(/[\s=]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const value = LOOKUP[clean.charCodeAt(i)] ?? -1;
    if (value < 0) throw new HordeError(`invalid base64 character at ${i}`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** The portable encoder (no Buffer, no btoa). */
export function encodeBase64Portable(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += `${ALPHABET[(n >> 18) & 63]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}${ALPHABET[n & 63]}`;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${ALPHABET[(n >> 18) & 63]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${ALPHABET[(n >> 18) & 63]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  return out;
}
