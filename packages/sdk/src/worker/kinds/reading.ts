// Reading pop answers leniently, and the byte helpers the kinds share. Not exported.
import { decodeBase64 } from "../../core/base64.js";
import { HordeError } from "../../core/errors.js";
import type { ImageBytes, WorkerMessage } from "../types.js";
import type { PopReading } from "./kind.js";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `ids` (strings only), or the obsolete single `id`. */
export function rawIds(raw: Record<string, unknown>): string[] {
  const ids = Array.isArray(raw.ids)
    ? raw.ids.filter((x): x is string => typeof x === "string" && x !== "")
    : [];
  if (ids.length > 0) return [...new Set(ids)];
  return typeof raw.id === "string" && raw.id !== "" ? [raw.id] : [];
}

/** Moderator messages, each kept only when it has an id and a text. */
export function readMessages(value: unknown): WorkerMessage[] {
  if (!Array.isArray(value)) return [];
  const out: WorkerMessage[] = [];
  for (const m of value) {
    if (!isRecord(m) || typeof m.id !== "string" || typeof m.message !== "string") continue;
    out.push({
      id: m.id,
      message: m.message,
      origin: typeof m.origin === "string" ? m.origin : null,
      expiry: typeof m.expiry === "string" ? m.expiry : m.expiry == null ? null : String(m.expiry),
    });
  }
  return out;
}

/** The non-zero skip counters of an empty pop. */
export function readSkipped(value: unknown): Record<string, number> {
  if (!isRecord(value)) return {};
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(value)) {
    if (typeof count === "number" && count > 0) out[key] = count;
  }
  return out;
}

/** What every pop answer has, read leniently before its kind-specific parse. */
export interface PopEnvelope {
  raw: Record<string, unknown>;
  ids: string[];
  rest: Pick<PopReading, "messages" | "model" | "ttl">;
  /** Set when the pop handed out no job: the whole reading (skip reasons, messages). */
  empty?: PopReading;
}

/** The parts of an image or text pop answer that do not depend on its kind. */
export function readPopEnvelope(json: unknown): PopEnvelope {
  const raw = isRecord(json) ? json : {};
  const ids = rawIds(raw);
  const rest = {
    messages: readMessages(raw.messages),
    model: typeof raw.model === "string" && raw.model !== "" ? raw.model : null,
    ttl: typeof raw.ttl === "number" && raw.ttl > 0 ? raw.ttl : null,
  };
  if (ids.length > 0) return { raw, ids, rest };
  return {
    raw,
    ids,
    rest,
    empty: { units: [], invalid: [], skipped: readSkipped(raw.skipped), unreportable: [], ...rest },
  };
}

/** A reading where every id is faulted as invalid with the same message. */
export function allInvalid(
  ids: string[],
  message: string,
  rest: Pick<PopReading, "messages" | "model" | "ttl">,
): PopReading {
  return { units: [], invalid: ids.map((id) => ({ id, message })), skipped: {}, unreportable: [], ...rest };
}

export function isImageBytes(value: unknown): value is ImageBytes {
  return (
    value instanceof Uint8Array ||
    value instanceof ArrayBuffer ||
    (typeof Blob !== "undefined" && value instanceof Blob)
  );
}

/** Bytes as a fetch body (a Uint8Array over a plain ArrayBuffer). */
export async function toBytes(value: ImageBytes): Promise<Uint8Array<ArrayBuffer>> {
  if (value instanceof Uint8Array) {
    return value.buffer instanceof ArrayBuffer ? (value as Uint8Array<ArrayBuffer>) : new Uint8Array(value);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(await value.arrayBuffer());
}

/** Decode a base64 image or a `data:` URL; throws when it is neither. */
export function decodeImageText(value: string, what: string): Uint8Array {
  const text = value.startsWith("data:") ? value.slice(value.indexOf(",") + 1) : value;
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch {
    throw new HordeError(`the ${what} is neither a URL nor base64`);
  }
  if (bytes.length === 0) throw new HordeError(`the ${what} is empty`);
  return bytes;
}

/** The payload seed as an integer: a number, or a string of digits. */
export function seedOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}
